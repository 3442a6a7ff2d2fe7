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
account carmen@mayago.test "carmen-demo-provider" "Carmen Pech" provider
account admin@mayago.test "admin-demo-password" "MayaGo Admin" traveler
# The first admin of any deployment is made in the database; after that, admins make admins.
psql "$database" -qc "UPDATE auth.users SET role = 'admin' WHERE email = 'admin@mayago.test'"
# The admin role needs two-factor authentication: the demo admin's is turned on once, and its secret kept in run/,
# one file per database, for an authenticator app (or `scripts/totp.py`).
database_name=${database##*/}
secret_file="$(cd "$(dirname "$0")/.." && pwd)/run/demo-admin-totp-secret-${database_name%%\?*}"
mkdir -p "$(dirname "$secret_file")"
python3 - "$auth" "$secret_file" "$(dirname "$0")" <<'ADMIN'
import json, sys, time, urllib.error, urllib.request
auth, keep = sys.argv[1], sys.argv[2]
sys.path.insert(0, sys.argv[3])
from totp import code

def call(path, body, token=None):
    request = urllib.request.Request(auth + path, method="POST", data=json.dumps(body).encode())
    request.add_header("Content-Type", "application/json")
    if token: request.add_header("Authorization", "Bearer " + token)
    with urllib.request.urlopen(request) as answer:
        return json.load(answer)

try:
    admin = call("/api/v1/auth/login", {"email": "admin@mayago.test", "password": "admin-demo-password"})
except urllib.error.HTTPError:
    sys.exit(0)  # two-factor is on already: the sign-in asks for a code
if not admin["user"]["twoFactorEnabled"]:
    secret = call("/api/v1/auth/2fa/enroll", {}, admin["accessToken"])["secret"]
    call("/api/v1/auth/2fa/confirm", {"code": code(secret, time.time())}, admin["accessToken"])
    open(keep, "w").write(secret + "\n")
ADMIN
# Luis's and Carmen's profiles and avatars; then, only when Luis has no experience yet, their experiences, published with a weekly
# schedule for the next two months, Ana's question about one of them, one of Luis's slots cancelled, and a booking of
# Ana's, paid with the local provider's test card and moved to another day.
python3 - "$gateway" "$auth" <<'DEMO'
import datetime, json, math, struct, sys, time, urllib.request, uuid, zlib
gateway, auth = sys.argv[1], sys.argv[2]

def call(method, path, token=None, body=None, base=gateway, key=None):
    request = urllib.request.Request(base + path, method=method, data=json.dumps(body).encode() if body is not None else None)
    request.add_header("Content-Type", "application/json")
    if token: request.add_header("Authorization", "Bearer " + token)
    if key: request.add_header("Idempotency-Key", key)
    with urllib.request.urlopen(request) as answer:
        text = answer.read()
        return json.loads(text) if text else None

def upload(path, token, png, method="POST"):
    request = urllib.request.Request(gateway + path, method=method, data=png)
    request.add_header("Content-Type", "image/png")
    request.add_header("Authorization", "Bearer " + token)
    urllib.request.urlopen(request).read()

def picture(sky, ground, sun, shape, width=720, height=480):
    """A generated landscape as a PNG: a sky fading to `ground` at the horizon, a sun, and `shape(x, y)` (0 to 1)
    drawn in the ground's colour darkened, each a colour triple."""
    rows = []
    for y in range(height):
        v = y / height
        row = bytearray(b"\0")
        for x in range(width):
            u = x / width
            if shape(u, v):
                r, g, b = (c * 0.45 for c in ground)
            elif math.hypot((u - 0.72) * 1.5, v - 0.28) < 0.1:
                r, g, b = sun
            else:
                t = min(v / 0.65, 1.0)
                r, g, b = (s * (1 - t) + gr * t for s, gr in zip(sky, ground))
            shade = 0.92 + 0.08 * math.sin(u * 40 + v * 25)
            row += bytes(int(max(0, min(255, c * shade))) for c in (r, g, b))
        rows.append(bytes(row))
    def chunk(kind, body):
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body) & 0xFFFFFFFF)
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(b"".join(rows), 6)) + chunk(b"IEND", b"")

scenes = {
    "nature": [((120, 190, 230), (20, 150, 140), (250, 240, 200), lambda u, v: v > 0.55 and math.hypot((u - 0.5) * 1.6, v - 0.8) > 0.3),
               ((90, 170, 120), (10, 110, 120), (240, 250, 210), lambda u, v: v > 0.4 + 0.1 * math.sin(u * 9))],
    "food": [((60, 30, 70), (230, 120, 40), (255, 210, 120), lambda u, v: v > 0.6 and (u * 10) % 2 < 1.2),
             ((90, 40, 30), (240, 170, 60), (255, 230, 160), lambda u, v: math.hypot(u - 0.35, v - 0.7) < 0.22)],
    "culture": [((250, 170, 110), (190, 150, 100), (255, 245, 200), lambda u, v: v > 0.75 - 0.5 * max(0, 0.3 - abs(u - 0.4)) // 0.05 * 0.05),
                ((240, 200, 150), (150, 130, 90), (255, 250, 220), lambda u, v: v > 0.5 and abs(u - 0.5) < 0.4 - (v - 0.5))],
}

def sign_in(email, password):
    return call("POST", "/api/v1/auth/login", body={"email": email, "password": password}, base=auth)

luis, ana = sign_in("luis@mayago.test", "luis-demo-provider"), sign_in("ana@mayago.test", "ana-demo-traveler")
carmen = sign_in("carmen@mayago.test", "carmen-demo-provider")
call("PATCH", "/api/v1/auth/me/profile", luis["accessToken"], {
    "bio": {"en": "Cave diver and guide from Valladolid; I have swum the cenotes of Yucatán for twenty years.",
            "es": "Buzo de cuevas y guía de Valladolid; nado los cenotes de Yucatán desde hace veinte años."},
    "languages": ["es", "en"], "city": "Valladolid"})
call("PATCH", "/api/v1/auth/me/profile", carmen["accessToken"], {
    "bio": {"en": "Cook from Mérida, teaching my grandmother's recipes.", "es": "Cocinera de Mérida; enseño las recetas de mi abuela."},
    "languages": ["es", "en"], "city": "Mérida"})
for provider, scene in ((luis, scenes["nature"][1]), (carmen, scenes["food"][1])):
    upload("/api/v1/auth/me/avatar", provider["accessToken"], picture(*scene, width=320, height=320), method="PUT")
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
by_luis = [(luis, entry) for entry in experiences]
by_carmen = [(carmen, ("Yucatecan cooking class", "Cochinita pibil, salbutes and recado negro in a family kitchen.", "food",
                       ["cooking", "cochinita"], (20.9674, -89.5926, "Mérida"), 120000, 240, [2, 4, 6], ["10:00"]))]
made = {}
for provider, (title, description, category, tags, (lat, lng, city), price, minutes, weekdays, times) in by_luis + by_carmen:
    experience = call("POST", "/api/v1/experiences", provider["accessToken"], {
        "title": title, "description": description, "category": category, "tags": tags,
        "location": {"latitude": lat, "longitude": lng, "city": city, "country": "MX"}, "timeZone": "America/Merida",
        "durationMinutes": minutes, "price": {"amount": price, "currency": "MXN"}, "maxGuests": 8,
        "bookingMode": "instant", "cancellationPolicy": "moderate", "languages": ["es", "en"]})
    call("POST", "/api/v1/experiences/%s/schedules" % experience["id"], provider["accessToken"], {
        "weekdays": weekdays, "startTimes": times, "from": (today + datetime.timedelta(days=1)).isoformat(),
        "until": (today + datetime.timedelta(days=60)).isoformat(), "capacity": 8, "allowOverlap": True})
    call("POST", "/api/v1/experiences/%s/publish" % experience["id"], provider["accessToken"])
    for scene in scenes[category]:
        upload("/api/v1/experiences/%s/photos" % experience["id"], provider["accessToken"], picture(*scene))
    made[title] = experience["id"]
    if category == "nature":
        conversation = call("POST", "/api/v1/conversations", ana["accessToken"], {"experienceId": experience["id"]})
        call("POST", "/api/v1/conversations/%s/messages" % conversation["id"], ana["accessToken"],
             {"body": "Hola Luis, can we bring snorkels or do you lend them?", "clientMessageId": "demo-1"})
def slots(experience):
    return call("GET", "/api/v1/experiences/%s/availability?guests=2" % experience)["slots"]

# Luis cannot run the first cenote swim: he cancels that slot.
cenote = made["Cenote swim near Valladolid"]
call("DELETE", "/api/v1/experiences/%s/slots/%s" % (cenote, slots(cenote)[0]["id"]), luis["accessToken"])
# Ana books two seats on the tacos tour, pays with the test card, then moves to the next night.
tacos = made["Tacos al pastor night tour"]
first, second = slots(tacos)[:2]
booking = call("POST", "/api/v1/bookings", ana["accessToken"], {"slotId": first["id"], "guests": 2}, key=str(uuid.uuid4()))
for _ in range(100):
    payments = call("GET", "/api/v1/payments?bookingId=" + booking["id"], ana["accessToken"])["items"]
    if payments: break
    time.sleep(0.1)
call("POST", "/api/v1/payments/%s/confirm" % payments[0]["id"], ana["accessToken"],
     {"card": {"number": "4242 4242 4242 4242", "expMonth": 12, "expYear": 2040, "cvc": "123"}}, key=str(uuid.uuid4()))
for _ in range(100):
    if call("GET", "/api/v1/bookings/" + booking["id"], ana["accessToken"])["status"] == "confirmed": break
    time.sleep(0.1)
call("POST", "/api/v1/bookings/%s/reschedule" % booking["id"], ana["accessToken"], {"slotId": second["id"]})
print("Demo data: 3 experiences by Luis and 1 by Carmen, with profiles and two generated photos each; a cancelled cenote")
print("slot; Ana's paid tacos tour,", end=" ")
print("moved to the next night; and a conversation from Ana about the cenote swim.")
DEMO
echo "Demo accounts: ana@mayago.test / ana-demo-traveler (traveler), luis@mayago.test / luis-demo-provider (provider),"
echo "               carmen@mayago.test / carmen-demo-provider (provider), admin@mayago.test / admin-demo-password (admin,"
echo "               with the code of scripts/totp.py ${secret_file#"$(pwd)/"})"
