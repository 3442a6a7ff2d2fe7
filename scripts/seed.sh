#!/usr/bin/env bash
# Loads the demo data through the public API. Safe to run again: what exists is kept. Accounts are made and
# signed in at Auth itself, not through the gateway, so that the gateway's sign-in limits (kept in Redis across
# runs) never stand in the way; everything else goes through the gateway like any client.
#
#   scripts/seed.sh <gateway URL> <database URL> [<Auth URL>]
set -euo pipefail
gateway=$1 database=$2 auth=${3:-${AUTH_URL:-http://127.0.0.1:8081}}
curl -sf "$gateway/ready" >/dev/null

# Signs up one demo account; Auth answers 202 whether the address is new or taken, and keeps a taken one as it is.
account() {  # email password name role
    local status
    status=$(curl -s -o /dev/null -w "%{http_code}" -H "Content-Type: application/json" "$auth/api/v1/auth/register" \
        -d "{\"email\":\"$1\",\"password\":\"$2\",\"name\":\"$3\",\"role\":\"$4\"}")
    case "$status" in
        202) ;;
        *) echo "seed: signing up $1 answered $status" >&2; exit 1 ;;
    esac
}

account ana@mayago.test "ana-demo-traveler" "Ana Torres" traveler
account luis@mayago.test "luis-demo-provider" "Luis Canché" provider
account admin@mayago.test "admin-demo-password" "MayaGo Admin" traveler
# The first admin of any deployment is made in the database; after that, admins make admins.
psql "$database" -qc "UPDATE auth.users SET role = 'admin' WHERE email = 'admin@mayago.test'"
# Luis's experiences, published with a weekly schedule for the next two months, and Ana's question about one of
# them: only when Luis has none yet.
python3 - "$gateway" "$auth" <<'DEMO'
import datetime, json, sys, urllib.request
gateway, auth = sys.argv[1], sys.argv[2]

def call(method, path, token=None, body=None, base=gateway):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token: request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)

def sign_in(email, password):
    return call("POST", "/api/v1/auth/login", body={"email": email, "password": password}, base=auth)

luis, ana = sign_in("luis@mayago.test", "luis-demo-provider"), sign_in("ana@mayago.test", "ana-demo-traveler")
if call("GET", "/api/v1/experiences?providerId=" + luis["user"]["id"])["items"]:
    sys.exit(0)
today = datetime.date.today()
experiences = [
    ("Cenote swim near Valladolid", "Swim in a turquoise sinkhole under the jungle, with a guide who knows its caves.", "nature",
     ["cenote", "swimming"], (20.6896, -88.2022, "Valladolid"), 85000, 180, [2, 4, 6], ["09:00", "13:00"]),
    ("Tacos al pastor night tour", "Five stands, five kinds of street food, and the story of each.", "food",
     ["tacos", "street food"], (20.9674, -89.5926, "Mérida"), 60000, 150, [3, 5, 6], ["19:00"]),
    ("Ruinas mayas de Uxmal al amanecer", "Camina entre pirámides y palacios antes del calor, con un arqueólogo.", "culture",
     ["ruinas", "historia"], (20.3594, -89.7714, "Uxmal"), 150000, 300, [1, 7], ["06:00"]),
]
for title, description, category, tags, (lat, lng, city), price, minutes, weekdays, times in experiences:
    experience = call("POST", "/api/v1/experiences", luis["accessToken"], {
        "title": title, "description": description, "category": category, "tags": tags,
        "location": {"latitude": lat, "longitude": lng, "city": city, "country": "MX"}, "timeZone": "America/Merida",
        "durationMinutes": minutes, "price": {"amount": price, "currency": "MXN"}, "maxGuests": 8,
        "bookingMode": "instant", "cancellationPolicy": "moderate", "languages": ["es", "en"]})
    call("POST", "/api/v1/experiences/%s/schedules" % experience["id"], luis["accessToken"], {
        "weekdays": weekdays, "startTimes": times, "from": (today + datetime.timedelta(days=1)).isoformat(),
        "until": (today + datetime.timedelta(days=60)).isoformat(), "capacity": 8, "allowOverlap": True})
    call("POST", "/api/v1/experiences/%s/publish" % experience["id"], luis["accessToken"])
    if category == "nature":
        conversation = call("POST", "/api/v1/conversations", ana["accessToken"], {"experienceId": experience["id"]})
        call("POST", "/api/v1/conversations/%s/messages" % conversation["id"], ana["accessToken"],
             {"body": "Hola Luis, can we bring snorkels or do you lend them?", "clientMessageId": "demo-1"})
print("Demo data: 3 experiences by Luis, and a conversation from Ana about the cenote swim.")
DEMO
echo "Demo accounts: ana@mayago.test / ana-demo-traveler (traveler), luis@mayago.test / luis-demo-provider (provider),"
echo "               admin@mayago.test / admin-demo-password (admin)"
