"""The callback cryptography of a WeChat service account, implemented without wechatpy.

Safe mode uses the same AES scheme as WeCom (see fakewecom/crypto.py: AES-256-CBC, IV =
key[:16], 16 random bytes ‖ 4-byte length ‖ message ‖ receiveid, PKCS#7 to 32 bytes), with
the **AppID** as receiveid; those generic functions are re-exported here. Every callback URL
also carries ``signature`` = sha1 of the sorted token, timestamp and nonce
(:func:`url_signature`); safe mode adds ``msg_signature`` = sha1 of the sorted token,
timestamp, nonce and encrypted text (:func:`signature`).
"""

from __future__ import annotations

import hashlib

from fakewecom.crypto import CryptoError, aes_key_bytes, decrypt, encrypt, nonce, signature

__all__ = [
    "CryptoError",
    "aes_key_bytes",
    "decrypt",
    "encrypt",
    "nonce",
    "signature",
    "url_signature",
]


def url_signature(token: str, timestamp: str, nonce: str) -> str:
    """``signature`` of the callback URL (and of the GET URL check): sha1 of the sorted,
    concatenated token, timestamp and nonce (hex)."""
    joined = "".join(sorted([token, timestamp, nonce]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()
