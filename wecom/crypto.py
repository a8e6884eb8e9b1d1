"""The callback crypto of a WeCom self-built app (WXBizMsgCrypt), wrapping wechatpy.

WeCom signs every callback with ``sha1("".join(sorted([token, timestamp, nonce, encrypt])))``
and encrypts the message with AES-256-CBC (key = b64decode(EncodingAESKey + "="), IV = key[:16],
PKCS#7 to a multiple of 32); the plaintext is 16 random bytes, a 4-byte big-endian length, the
message and the receive id, which is our CorpID. wechatpy does the AES part; we check the
signature ourselves (in constant time, before any decryption), refuse a foreign CorpID and a
timestamp outside ``max_age`` of our clock, and turn every failure into one exception, ``Forged``.

WeCom itself documents no freshness rule; its retries (3, each 5 s apart) carry the original
timestamp, so 300 s leaves room for them and for clock skew while bounding replays.
"""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET
from collections.abc import Callable

from wechatpy.enterprise.crypto import PrpCrypto, WeChatCrypto
from wechatpy.enterprise.exceptions import InvalidCorpIdException


class Forged(Exception):
    """A callback that did not come from WeCom for our app (or is too old to trust)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signature(token: str, timestamp: str, nonce: str, encrypt: str) -> str:
    """WeCom's msg_signature over the four values (sorted, concatenated, SHA-1)."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, encrypt])).encode()).hexdigest()


class CallbackCrypto:
    def __init__(
        self,
        token: str,
        aes_key: str,
        corp_id: str,
        clock: Callable[[], float],
        max_age: int = 300,
    ) -> None:
        self._token = token
        self._corp_id = corp_id
        self.clock = clock  # the callback endpoint's replay memory shares it
        self.max_age = max_age
        # WeChatCrypto validates the key length (43 chars → 32 bytes) at construction.
        self._wechat = WeChatCrypto(token, aes_key, corp_id)

    def verify_url(self, msg_signature: str, timestamp: str, nonce: str, echostr: str) -> str:
        """The GET check when the callback URL is saved: the plaintext to echo back."""
        return self._open(msg_signature, timestamp, nonce, echostr)

    def decrypt(self, msg_signature: str, timestamp: str, nonce: str, body_xml: str) -> str:
        """A POSTed callback body (``<xml>…<Encrypt>…</Encrypt></xml>``) → the inner XML."""
        try:
            root = ET.fromstring(body_xml)
        except ET.ParseError:
            raise Forged("body is not XML") from None
        encrypt = root.findtext("Encrypt")
        if not encrypt:
            raise Forged("body has no Encrypt")
        return self._open(msg_signature, timestamp, nonce, encrypt)

    def encrypt(self, xml: str, nonce: str, timestamp: int) -> str:
        """A passive reply: ``<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>``."""
        # str(): wechatpy replaces a falsy timestamp with its own wall clock.
        return str(self._wechat.encrypt_message(xml, nonce, str(timestamp)))

    def _open(self, msg_signature: str, timestamp: str, nonce: str, encrypt: str) -> str:
        expected = signature(self._token, timestamp, nonce, encrypt)
        # bytes: compare_digest refuses non-ASCII str, and the query is attacker-controlled.
        if not hmac.compare_digest(expected.encode(), msg_signature.lower().encode()):
            raise Forged("bad signature")
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise Forged("timestamp is not a number") from None
        if abs(self.clock() - sent_at) > self.max_age:
            raise Forged("stale timestamp")
        try:
            return str(PrpCrypto(self._wechat.key).decrypt(encrypt, self._corp_id))
        except InvalidCorpIdException:
            raise Forged("foreign receive id") from None
        except Exception:
            # Bad base64, a length field past the end, invalid UTF-8…: all mean "not WeCom's".
            raise Forged("undecryptable body") from None
