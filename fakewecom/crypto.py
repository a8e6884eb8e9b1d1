"""WeCom's callback cryptography (WXBizMsgCrypt), implemented independently of wechatpy.

key = b64decode(EncodingAESKey + "="), AES-256-CBC with IV = key[:16]; the plaintext is
16 random bytes ‖ 4-byte big-endian length ‖ message ‖ receiveid (the CorpID), PKCS#7-padded
to a multiple of 32 bytes; the result is base64. ``msg_signature`` is the SHA-1 hex digest of
the sorted concatenation of token, timestamp, nonce and the encrypted text.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import os
import re
import struct

from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

_BLOCK = 32
_AES_KEY_RE = re.compile(r"^[A-Za-z0-9]{43}$")


class CryptoError(ValueError):
    """An encrypted text that does not decrypt to a well-formed WeCom plaintext."""


def signature(token: str, timestamp: str, nonce: str, encrypted: str) -> str:
    """``msg_signature``: sha1 of the sorted, concatenated four strings (hex)."""
    joined = "".join(sorted([token, timestamp, nonce, encrypted]))
    return hashlib.sha1(joined.encode("utf-8")).hexdigest()


def aes_key_bytes(aes_key: str) -> bytes:
    """The 32-byte AES key of a 43-character EncodingAESKey."""
    if not _AES_KEY_RE.match(aes_key):
        raise ValueError("EncodingAESKey must be 43 characters of [A-Za-z0-9]")
    return base64.b64decode(aes_key + "=")


def _pad(data: bytes) -> bytes:
    amount = _BLOCK - len(data) % _BLOCK
    return data + bytes([amount]) * amount


def _unpad(data: bytes) -> bytes:
    if not data:
        raise CryptoError("empty plaintext")
    amount = data[-1]
    if not 1 <= amount <= _BLOCK or data[-amount:] != bytes([amount]) * amount:
        raise CryptoError("bad PKCS#7 padding (block size 32)")
    return data[:-amount]


def encrypt(
    aes_key: str, message: str | bytes, receive_id: str, *, prefix: bytes | None = None
) -> str:
    """Encrypt ``message`` for ``receive_id``; ``prefix`` (16 bytes) defaults to random."""
    key = aes_key_bytes(aes_key)
    body = message.encode("utf-8") if isinstance(message, str) else message
    random16 = os.urandom(16) if prefix is None else prefix
    if len(random16) != 16:
        raise ValueError("prefix must be 16 bytes")
    plain = random16 + struct.pack(">I", len(body)) + body + receive_id.encode("utf-8")
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    cipher = encryptor.update(_pad(plain)) + encryptor.finalize()
    return base64.b64encode(cipher).decode("ascii")


def decrypt(aes_key: str, encrypted: str) -> tuple[bytes, str]:
    """Decrypt to ``(message, receive_id)``; :class:`CryptoError` if malformed."""
    key = aes_key_bytes(aes_key)
    try:
        cipher = base64.b64decode(encrypted, validate=True)
    except (binascii.Error, ValueError):
        raise CryptoError("not base64") from None
    if not cipher or len(cipher) % 16:
        raise CryptoError("ciphertext is not a whole number of AES blocks")
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    plain = _unpad(decryptor.update(cipher) + decryptor.finalize())
    if len(plain) < 20:
        raise CryptoError("plaintext too short")
    (length,) = struct.unpack(">I", plain[16:20])
    if 20 + length > len(plain):
        raise CryptoError("length field larger than the plaintext")
    message = plain[20 : 20 + length]
    try:
        receive_id = plain[20 + length :].decode("utf-8")
    except UnicodeDecodeError:
        raise CryptoError("receiveid is not UTF-8") from None
    return message, receive_id


def nonce() -> str:
    """A fresh numeric nonce like WeCom's."""
    return str(int.from_bytes(os.urandom(4), "big"))
