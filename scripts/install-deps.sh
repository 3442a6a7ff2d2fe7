#!/usr/bin/env bash
# Installs the Debian packages (and the four PyPI packages) the suite needs to build, test and run, if any is missing.
# gdb is there for the conformance suite's watchdog, which takes the stacks of a service that stops answering;
# chromium, its driver and selenium for the web app's suite in a real browser; prometheus for promtool, which checks and
# tests the alert rules.
set -euo pipefail

packages=(libhiredis-dev libssl-dev libcurl4-openssl-dev zlib1g-dev libpq-dev postgresql postgresql-contrib redis-server curl python3-aiosmtpd gdb libvips-dev chromium chromium-driver python3-selenium prometheus)
missing=()
for package in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" || missing+=("$package")
done
# kubectl renders the Kubernetes overlays (scripts/deploy-check.sh): Debian's kubernetes-client, unless one is here.
command -v kubectl >/dev/null || missing+=(kubernetes-client)
# The tests check the assembled OpenAPI document with openapi-spec-validator, run an S3-compatible server (moto), the
# conformance suite runs schemathesis, and the Kubernetes overlays are validated by kubernetes-validate (all from
# PyPI, pinned).
python_packages() {
    python3 -c "import openapi_spec_validator" 2>/dev/null || python3 -m pip install --quiet "openapi-spec-validator==0.9.0"
    python3 -c "import moto.server, flask_cors" 2>/dev/null || python3 -m pip install --quiet "moto[server]==5.2.1"
    [ "$(st --version 2>/dev/null)" = "st, version 4.32.5" ] || python3 -m pip install --quiet "schemathesis==4.32.5"
    [ "$(kubernetes-validate --version 2>/dev/null)" = "1.30.0" ] || python3 -m pip install --quiet "kubernetes-validate==1.30.0"
}
[ ${#missing[@]} -eq 0 ] && { python_packages; exit 0; }

echo "Installing ${missing[*]}"
sudo=""
[ "$(id -u)" -eq 0 ] || sudo="sudo"
export DEBIAN_FRONTEND=noninteractive
$sudo apt-get update -qq
# Keep the distribution's default PostgreSQL cluster from starting: the suite runs private instances.
$sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
python_packages
