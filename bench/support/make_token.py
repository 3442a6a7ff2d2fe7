#!/usr/bin/env python3
"""Makes an Ed25519 signing key, writes its JWKS, and prints access tokens signed with it the way Auth signs
them (EdDSA, kid, sub, role, jti, iat, exp, iss, aud), one line per role asked for (a traveler by default).
For benchmarks only.

usage: make_token.py JWKS_PATH [LIFETIME_SECONDS [ROLE ...]]
"""
import base64
import json
import sys
import time
import uuid

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


key = Ed25519PrivateKey.generate()
kid = str(uuid.uuid4())
public = key.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
with open(sys.argv[1], "w") as jwks:
    json.dump({"keys": [{"kty": "OKP", "crv": "Ed25519", "alg": "EdDSA", "kid": kid, "x": b64url(public)}]}, jwks)

now = int(time.time())
lifetime = int(sys.argv[2]) if len(sys.argv) > 2 else 3600
header = {"alg": "EdDSA", "typ": "JWT", "kid": kid}
for role in sys.argv[3:] or ["traveler"]:
    claims = {
        "sub": str(uuid.uuid4()), "role": role, "jti": str(uuid.uuid4()),
        "iat": now, "exp": now + lifetime, "iss": "mayago-auth", "aud": ["mayago"],
    }
    if role == "admin":
        claims["amr"] = ["otp"]  # admins sign in with their second factor; their routes refuse them otherwise
    signing_input = b64url(json.dumps(header).encode()) + "." + b64url(json.dumps(claims).encode())
    print(signing_input + "." + b64url(key.sign(signing_input.encode())))
