"""A strict fake WeCom (企业微信) server: the API over real HTTP and members who post encrypted callbacks.

See docs/FAKE_WECOM.md. Typical use::

    async with FakeWeCom(clock=clock) as server:
        server.callback_url = "http://127.0.0.1:PORT/wecom/callback"
        alice = server.member("alice", "Alice")
        assert await alice.say("你好") == 200
        reply = await alice.next_message()
        assert server.violations == []
"""

from fakewecom.crypto import CryptoError, decrypt, encrypt, signature
from fakewecom.envelope import build_xml, parse_xml
from fakewecom.members import FakeMember
from fakewecom.models import (
    ApiCall,
    Attempt,
    CallbackRequest,
    Dropped,
    Received,
    Violation,
    WeComError,
)
from fakewecom.server import FakeWeCom

__all__ = [
    "ApiCall",
    "Attempt",
    "CallbackRequest",
    "CryptoError",
    "Dropped",
    "FakeMember",
    "FakeWeCom",
    "Received",
    "Violation",
    "WeComError",
    "build_xml",
    "decrypt",
    "encrypt",
    "parse_xml",
    "signature",
]
