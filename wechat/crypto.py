"""The callback crypto of a WeChat service account (safe mode), wrapping wechatpy.

WeChat signs the URL check (GET) and every push (POST) with
``signature = sha1("".join(sorted([token, timestamp, nonce])))``. That covers no body, so a
plaintext-mode push could be replayed with any body under a captured query: we accept **safe
mode** (安全模式) only, where the query adds ``encrypt_type=aes`` and
``msg_signature = sha1(sorted([token, timestamp, nonce, Encrypt]))`` and the body is
``<xml><ToUserName/><Encrypt/></xml>``. The AES scheme is WeCom's (AES-256-CBC, key =
b64decode(EncodingAESKey + "="), IV = key[:16], PKCS#7 to 32; plaintext = 16 random bytes, a
4-byte big-endian length, the message, the receive id) with our **AppID** as the receive id.

wechatpy does the AES part. The signatures are checked here, in constant time and before any
decryption (wechatpy's ``check_signature`` and ``decrypt_message`` compare with ``!=``); a
foreign AppID and a timestamp outside ``max_age`` of our clock are refused; every failure is one
exception, ``Forged``. WeChat's retries (3 attempts within ~15 s) carry the original timestamp,
so 300 s leaves room for them and for clock skew while bounding replays.
"""

from __future__ import annotations

import hashlib
import hmac
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping

from wechatpy.crypto import PrpCrypto, WeChatCrypto
from wechatpy.exceptions import InvalidAppIdException


class Forged(Exception):
    """A callback that did not come from WeChat for our account (or is too old to trust)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def signature(token: str, timestamp: str, nonce: str, *more: str) -> str:
    """WeChat's SHA-1 over the values, sorted and concatenated: ``signature`` for
    (token, timestamp, nonce), ``msg_signature`` with the Encrypt value added."""
    return hashlib.sha1("".join(sorted([token, timestamp, nonce, *more])).encode()).hexdigest()


class CallbackCrypto:
    def __init__(
        self,
        token: str,
        aes_key: str,
        app_id: str,
        clock: Callable[[], float],
        max_age: int = 300,
    ) -> None:
        self._token = token
        self._app_id = app_id
        self.clock = clock  # the callback endpoint's replay memory shares it
        self.max_age = max_age
        # WeChatCrypto validates the key length (43 chars → 32 bytes) at construction.
        self._wechat = WeChatCrypto(token, aes_key, app_id)

    def verify_url(self, query: Mapping[str, str]) -> str:
        """The GET check when the server URL is saved: the ``echostr`` to echo back verbatim
        (it is not encrypted, in safe mode either)."""
        timestamp = query.get("timestamp", "")
        self._check(query.get("signature", ""), timestamp, query.get("nonce", ""))
        self._fresh(timestamp)
        echostr = query.get("echostr", "")
        if not echostr:
            raise Forged("no echostr")
        return echostr

    def open(self, query: Mapping[str, str], body: bytes) -> str:
        """A POSTed push (query and raw body) → the inner plaintext XML."""
        if query.get("encrypt_type", "").lower() != "aes":
            # Plaintext (and compatible mode without it): the signature leaves the body open.
            raise Forged("not in safe mode (encrypt_type=aes)")
        timestamp, nonce = query.get("timestamp", ""), query.get("nonce", "")
        # The body-less signature first: a forged request is refused before its XML is parsed.
        self._check(query.get("signature", ""), timestamp, nonce)
        self._fresh(timestamp)
        try:
            root = ET.fromstring(body)
        except ET.ParseError:
            raise Forged("body is not XML") from None
        encrypt = (root.findtext("Encrypt") or "").strip()
        if not encrypt:
            raise Forged("body has no Encrypt")
        self._check(query.get("msg_signature", ""), timestamp, nonce, encrypt)
        try:
            return str(PrpCrypto(self._wechat.key).decrypt(encrypt, self._app_id))
        except InvalidAppIdException:
            raise Forged("foreign receive id") from None
        except Exception:
            # Bad base64, a length field past the end, invalid UTF-8…: all mean "not WeChat's".
            raise Forged("undecryptable body") from None

    def seal(self, xml: str, nonce: str, timestamp: str) -> str:
        """A passive reply: ``<xml><Encrypt/><MsgSignature/><TimeStamp/><Nonce/></xml>``."""
        if not timestamp:
            # wechatpy would put its own wall clock into an empty one.
            raise ValueError("timestamp is required")
        return str(self._wechat.encrypt_message(xml, nonce, timestamp))

    # -- checks ---------------------------------------------------------------------------

    def _check(self, given: str, timestamp: str, nonce: str, *more: str) -> None:
        expected = signature(self._token, timestamp, nonce, *more)
        # bytes: compare_digest refuses non-ASCII str, and the query is attacker-controlled.
        if not hmac.compare_digest(expected.encode(), given.lower().encode()):
            raise Forged("bad signature" if not more else "bad msg_signature")

    def _fresh(self, timestamp: str) -> None:
        try:
            sent_at = int(timestamp)
        except ValueError:
            raise Forged("timestamp is not a number") from None
        if abs(self.clock() - sent_at) > self.max_age:
            raise Forged("stale timestamp")
