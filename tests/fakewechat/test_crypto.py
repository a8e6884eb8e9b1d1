"""fakewechat's callback crypto (AppID as receiveid) against wechatpy, both directions."""

from __future__ import annotations

import base64

import pytest
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import check_signature

from fakewechat import CryptoError, FakeWeChat, build_xml, decrypt, encrypt, parse_xml, signature
from fakewechat.crypto import url_signature

TOKEN = "fake-wechat-token"
KEY = "abcdefghijklmnopqrstuvwxyz0123456789ABCDEFG"
APP_ID = "wxfake0000000001"


def test_url_signature_matches_wechatpy() -> None:
    sig = url_signature(TOKEN, "1700000000", "123456")
    check_signature(TOKEN, sig, "1700000000", "123456")  # raises if it differs
    assert sig == url_signature(TOKEN, "123456", "1700000000")  # sorted, order-free
    assert sig != url_signature(TOKEN + "x", "1700000000", "123456")


def test_wechatpy_decrypts_what_the_fake_encrypts() -> None:
    crypto = WeChatCrypto(TOKEN, KEY, APP_ID)
    inner = build_xml({"ToUserName": "gh_x", "Content": "你好 ]]> 世界 & <b>", "CreateTime": 1})
    encrypted = encrypt(KEY, inner, APP_ID)
    assert len(base64.b64decode(encrypted)) % 32 == 0
    outer = build_xml({"ToUserName": "gh_x", "Encrypt": encrypted})
    plain = crypto.decrypt_message(
        outer, signature(TOKEN, "1700000000", "7", encrypted), "1700000000", "7"
    )
    assert parse_xml(plain)["Content"] == "你好 ]]> 世界 & <b>"


def test_the_fake_decrypts_what_wechatpy_encrypts() -> None:
    crypto = WeChatCrypto(TOKEN, KEY, APP_ID)
    reply = parse_xml(crypto.encrypt_message("<xml><A>1</A></xml>", "99", "1700000000"))
    assert reply["MsgSignature"] == signature(TOKEN, "1700000000", "99", reply["Encrypt"])
    assert decrypt(KEY, reply["Encrypt"]) == (b"<xml><A>1</A></xml>", APP_ID)


def test_malformed_ciphertexts_are_refused() -> None:
    with pytest.raises(CryptoError):
        decrypt(KEY, "not base64!")
    with pytest.raises(CryptoError):
        decrypt("A" * 43, encrypt(KEY, "x", APP_ID))


def test_bad_aes_key_rejected() -> None:
    with pytest.raises(ValueError, match="43 characters"):
        FakeWeChat(aes_key="short")
