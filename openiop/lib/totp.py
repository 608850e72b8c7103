"""Base32 <-> hex for TOTP secrets: authenticator apps speak base32, django-otp stores hex."""

import base64
import binascii


def hex_to_base32(secret_hex: str) -> str:
    return base64.b32encode(binascii.unhexlify(secret_hex)).decode().rstrip("=")


def base32_to_hex(secret_b32: str) -> str:
    padded = secret_b32.upper() + "=" * (-len(secret_b32) % 8)
    return binascii.hexlify(base64.b32decode(padded)).decode()
