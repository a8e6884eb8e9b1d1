"""fakewecom's own WXBizMsgCrypt against the published vector, wechatpy and itself."""

from __future__ import annotations

import base64

import pytest
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from wechatpy.enterprise.crypto import WeChatCrypto

from fakewecom import CryptoError, FakeWeCom, build_xml, decrypt, encrypt, parse_xml, signature
from fakewecom.crypto import aes_key_bytes

TOKEN = "123456"
KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
CORP = "wx49f0ab532d5d035a"
ECHO = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="


def test_published_vector() -> None:
    assert signature(TOKEN, "1411443780", "437374425", ECHO) == (
        "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
    )
    assert decrypt(KEY, ECHO) == (b"5927782489442352469", CORP)


def test_round_trip_pads_to_32_bytes() -> None:
    for message in ("", "a", "x" * 11, "路灯不亮" * 40):
        encrypted = encrypt(KEY, message, CORP)
        assert len(base64.b64decode(encrypted)) % 32 == 0
        assert decrypt(KEY, encrypted) == (message.encode(), CORP)


def test_fixed_prefix_reproduces_the_vector() -> None:
    prefix = decrypt_prefix(ECHO)
    assert encrypt(KEY, "5927782489442352469", CORP, prefix=prefix) == ECHO


def decrypt_prefix(encrypted: str) -> bytes:
    key = aes_key_bytes(KEY)
    decryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).decryptor()
    return (decryptor.update(base64.b64decode(encrypted)) + decryptor.finalize())[:16]


def test_malformed_ciphertexts_are_refused() -> None:
    with pytest.raises(CryptoError):
        decrypt(KEY, "not base64!")
    with pytest.raises(CryptoError):
        decrypt(KEY, base64.b64encode(b"x" * 15).decode())
    wrong_key = "A" * 43
    with pytest.raises(CryptoError):
        decrypt(wrong_key, ECHO)  # garbage padding under another key


def test_bad_aes_key_rejected() -> None:
    with pytest.raises(ValueError, match="43 characters"):
        FakeWeCom(aes_key="short")


def test_interoperates_with_wechatpy() -> None:
    crypto = WeChatCrypto(TOKEN, KEY, CORP)
    inner = build_xml({"ToUserName": CORP, "Content": "你好 ]]> 世界", "CreateTime": 1})
    encrypted = encrypt(KEY, inner, CORP)
    sig = signature(TOKEN, "1411443780", "42", encrypted)
    outer = build_xml({"ToUserName": CORP, "AgentID": "1", "Encrypt": encrypted})
    plain = crypto.decrypt_message(outer, sig, "1411443780", "42")
    assert parse_xml(plain)["Content"] == "你好 ]]> 世界"
    reply = parse_xml(crypto.encrypt_message("<xml><A>1</A></xml>", "99", "1411443780"))
    assert reply["MsgSignature"] == signature(TOKEN, "1411443780", "99", reply["Encrypt"])
    assert decrypt(KEY, reply["Encrypt"]) == (b"<xml><A>1</A></xml>", CORP)
