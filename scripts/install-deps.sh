#!/usr/bin/env bash
# Installs the Debian packages the suite needs to build, test and run, if any is missing.
set -euo pipefail

packages=(libhiredis-dev libssl-dev libcurl4-openssl-dev zlib1g-dev libpq-dev postgresql postgresql-contrib redis-server curl python3-aiosmtpd)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
[ ${#missing[@]} -eq 0 ] && exit 0

echo "Installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Keep the distribution's default PostgreSQL cluster from starting: the suite runs private instances.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
