#!/usr/bin/env python3
"""Generates COUNT realistic experiences for bench/search as index feed events (JSON lines): an
experience_changed event and a slot_changed event for each, with titles and descriptions in English and Spanish,
cities with coordinates, categories, prices and durations. Deterministic (seeded).

usage: search_data.py COUNT EVENTS_FILE
"""
import datetime
import json
import random
import sys
import uuid

random.seed(42)
count, events_path = int(sys.argv[1]), sys.argv[2]
cities = [("Mérida", 20.9674, -89.5926), ("Valladolid", 20.6896, -88.2022), ("Tulum", 20.2114, -87.4654), ("Cancún", 21.1619, -86.8515),
          ("Oaxaca", 17.0732, -96.7266), ("Ciudad de México", 19.4326, -99.1332), ("Puebla", 19.0414, -98.2063), ("San Cristóbal", 16.7370, -92.6376),
          ("Guanajuato", 21.0190, -101.2574), ("Puerto Escondido", 15.8720, -97.0767), ("Bacalar", 18.6771, -88.3953), ("Campeche", 19.8301, -90.5349)]
topics = {
    "nature": (["Cenote swim", "Jungle hike", "Bird watching", "Waterfall trek", "Mangrove kayak", "Nado en cenote", "Caminata en la selva"],
               ["turquoise water", "hidden caves", "flamingos at dawn", "a guide who knows every trail", "agua cristalina", "cuevas escondidas"]),
    "food": (["Tacos al pastor tour", "Cooking class", "Mezcal tasting", "Street food night", "Clase de cocina", "Ruta de tacos", "Chocolate workshop"],
             ["five stands and their stories", "handmade tortillas", "cochinita pibil", "mole negro", "salsas de molcajete", "mercado local"]),
    "culture": (["Mayan ruins at sunrise", "Colonial city walk", "Museum tour", "Ruinas mayas al amanecer", "Recorrido por el centro", "Textile village visit"],
                ["pyramids before the heat", "an archaeologist as your guide", "pirámides y palacios", "historia viva", "weavers and their looms"]),
    "water": (["Snorkeling with turtles", "Sailing at sunset", "Scuba in the reef", "Esnórquel con tortugas", "Paddle board lesson", "Whale shark swim"],
              ["sea turtles grazing", "the second largest reef", "arrecife de coral", "gear included", "equipo incluido", "calm bay"]),
    "adventure": (["Zip line canopy", "Cave rappel", "ATV jungle ride", "Tirolesa en la selva", "Cenote cave dive", "Mountain bike trail"],
                  ["eight lines over the trees", "a forty metre drop", "mud and jungle", "adrenalina pura", "certified instructors"]),
}
tags_by_category = {"nature": ["cenote", "hiking", "birds", "selva"], "food": ["tacos", "mezcal", "cocina", "street food"],
                    "culture": ["ruinas", "history", "museum", "artesanía"], "water": ["snorkeling", "turtles", "beach", "buceo"],
                    "adventure": ["zipline", "caves", "atv", "tirolesa"]}
start = datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0) + datetime.timedelta(days=2)
with open(events_path, "w") as events:
    for index in range(count):
        category = random.choice(list(topics))
        titles, phrases = topics[category]
        city, latitude, longitude = random.choice(cities)
        title = f"{random.choice(titles)} in {city}" if random.random() < 0.5 else f"{random.choice(titles)} en {city}"
        description = f"{random.choice(phrases).capitalize()}, {random.choice(phrases)} and {random.choice(phrases)}. Experience {index}."
        tags = random.sample(tags_by_category[category], 2)
        experience_id, slot_id = str(uuid.uuid4()), str(uuid.uuid4())
        experience = {
            "id": experience_id, "providerId": str(uuid.uuid4()), "title": title, "description": description, "category": category, "tags": tags,
            "latitude": latitude + random.uniform(-0.2, 0.2), "longitude": longitude + random.uniform(-0.2, 0.2), "city": city, "country": "MX",
            "durationMinutes": random.choice([60, 90, 120, 180, 240, 300, 480]), "price": {"amount": random.randrange(30_000, 400_000, 500), "currency": "MXN"},
            "maxGuests": random.choice([4, 8, 12, 20]), "languages": random.choice([["es"], ["en"], ["es", "en"]]), "status": "published",
            "ratingAverage": round(random.uniform(3.5, 5.0), 2), "ratingCount": random.randint(0, 300),
        }
        starts = (start + datetime.timedelta(days=random.randint(0, 60), hours=random.randint(7, 18))).isoformat().replace("+00:00", "Z")
        slot = {"id": slot_id, "experienceId": experience_id, "startsAt": starts, "capacity": 12, "remaining": random.randint(0, 12), "status": "open"}
        now = datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")
        events.write(json.dumps({"id": str(uuid.uuid4()), "kind": "experience_changed", "version": 1, "occurredAt": now, "experience": experience}) + "\n")
        events.write(json.dumps({"id": str(uuid.uuid4()), "kind": "slot_changed", "version": 1, "occurredAt": now, "slot": slot}) + "\n")
