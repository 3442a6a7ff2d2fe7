#!/usr/bin/env python3
"""The current two-factor code (RFC 6238: 30-second steps, six digits, HMAC-SHA1) of a base32 secret, as an
authenticator app shows it. `scripts/totp.py run/demo-admin-totp-secret-mayago` prints the demo admin's (of `make run`'s database); a second argument
gives the code that many seconds ahead."""
import base64, hashlib, hmac, struct, sys, time


def code(secret, at):
    key = base64.b32decode(secret.strip().upper() + "=" * (-len(secret.strip()) % 8))
    digest = hmac.new(key, struct.pack(">Q", int(at // 30)), hashlib.sha1).digest()
    offset = digest[-1] & 15
    return "%06d" % ((struct.unpack(">I", digest[offset:offset + 4])[0] & 0x7FFFFFFF) % 1000000)


if __name__ == "__main__":
    print(code(open(sys.argv[1]).read(), time.time() + (float(sys.argv[2]) if len(sys.argv) > 2 else 0)))
