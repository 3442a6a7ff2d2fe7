#!/usr/bin/env bash
# Loads the demo data through the gateway's public API. Safe to run again: what exists is kept.
# The services add their demo data here as they gain public APIs.
#
#   scripts/seed.sh <gateway URL> <database URL>
set -euo pipefail
gateway=$1 database=$2
curl -sf "$gateway/ready" >/dev/null

# Signs up one demo account; an account that exists already (409) is kept.
account() {  # email password name role
    local status
    status=$(curl -s -o /dev/null -w "%{http_code}" -H "Content-Type: application/json" "$gateway/api/v1/auth/register" \
        -d "{\"email\":\"$1\",\"password\":\"$2\",\"name\":\"$3\",\"role\":\"$4\"}")
    case "$status" in
        201|409) ;;
        *) echo "seed: signing up $1 answered $status" >&2; exit 1 ;;
    esac
}

account ana@mayago.test "ana-demo-traveler" "Ana Torres" traveler
account luis@mayago.test "luis-demo-provider" "Luis Canché" provider
account admin@mayago.test "admin-demo-password" "MayaGo Admin" traveler
# The first admin of any deployment is made in the database; after that, admins make admins.
psql "$database" -qc "UPDATE auth.users SET role = 'admin' WHERE email = 'admin@mayago.test'"
echo "Demo accounts: ana@mayago.test / ana-demo-traveler (traveler), luis@mayago.test / luis-demo-provider (provider),"
echo "               admin@mayago.test / admin-demo-password (admin)"
