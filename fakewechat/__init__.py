"""A strict fake WeChat service account (微信服务号): the API over real HTTP and residents who
post signed (in safe mode encrypted) callbacks.

See docs/FAKE_WECHAT.md. Typical use::

    async with FakeWeChat(clock=clock) as server:
        server.callback_url = "http://127.0.0.1:PORT/wechat/callback"
        alice = server.resident("o_alice", "Alice")
        assert await alice.follow() == 200
        assert await alice.say("你好") == 200
        reply = await alice.next_message()
        assert server.violations == []
"""

from fakewechat.crypto import CryptoError, decrypt, encrypt, signature, url_signature
from fakewechat.envelope import build_xml, parse_xml
from fakewechat.models import (
    ApiCall,
    Attempt,
    CallbackRequest,
    Received,
    Violation,
    WeChatError,
    Window,
)
from fakewechat.residents import FakeResident
from fakewechat.server import FakeWeChat

__all__ = [
    "ApiCall",
    "Attempt",
    "CallbackRequest",
    "CryptoError",
    "FakeResident",
    "FakeWeChat",
    "Received",
    "Violation",
    "WeChatError",
    "Window",
    "build_xml",
    "decrypt",
    "encrypt",
    "parse_xml",
    "signature",
    "url_signature",
]
