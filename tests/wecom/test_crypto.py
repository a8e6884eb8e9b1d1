"""Callback crypto: WeCom's published vector, round trips through wechatpy, forgeries."""

from __future__ import annotations

import pytest
from wechatpy.enterprise.crypto import WeChatCrypto

from wecom.crypto import CallbackCrypto, Forged
from wecom.crypto import signature as sign

# The vector from WeCom's callback docs (verified against Tencent's WXBizMsgCrypt).
TOKEN = "123456"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
CORP_ID = "wx49f0ab532d5d035a"
TS = 1411443780
NONCE = "437374425"
ECHOSTR = "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
SIGNATURE = "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96"
PLAIN = "5927782489442352469"
INNER = (
    "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>"
    "<FromUserName><![CDATA[zhangsan]]></FromUserName><CreateTime>1411443780</CreateTime>"
    "<MsgType><![CDATA[text]]></MsgType><Content><![CDATA[路灯坏了]]></Content>"
    "<MsgId>1234567890123456</MsgId><AgentID>1000002</AgentID></xml>"
)


def crypto(now: float = TS, corp_id: str = CORP_ID, max_age: int = 300) -> CallbackCrypto:
    return CallbackCrypto(TOKEN, AES_KEY, corp_id, clock=lambda: now, max_age=max_age)


def sealed(inner: str = INNER, corp_id: str = CORP_ID, ts: int = TS) -> tuple[str, str]:
    """What WeCom POSTs: (msg_signature, body) encrypted by wechatpy, not by our code."""
    body = WeChatCrypto(TOKEN, AES_KEY, corp_id).encrypt_message(inner, NONCE, str(ts))
    signature = body.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    return signature, body


def test_official_vector() -> None:
    assert crypto().verify_url(SIGNATURE, str(TS), NONCE, ECHOSTR) == PLAIN


def test_upper_case_signature_is_accepted() -> None:
    assert crypto().verify_url(SIGNATURE.upper(), str(TS), NONCE, ECHOSTR) == PLAIN


def test_decrypt_what_wechatpy_encrypted() -> None:
    signature, body = sealed()
    assert crypto().decrypt(signature, str(TS), NONCE, body) == INNER


def test_encrypt_round_trip_through_wechatpy() -> None:
    reply = crypto().encrypt(INNER, NONCE, TS)
    assert "<MsgSignature>" in reply and f"<TimeStamp>{TS}</TimeStamp>" in reply
    signature = reply.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    assert (
        WeChatCrypto(TOKEN, AES_KEY, CORP_ID).decrypt_message(reply, signature, str(TS), NONCE)
        == INNER
    )
    # …and through our own decrypt.
    assert crypto().decrypt(signature, str(TS), NONCE, reply) == INNER


def test_bad_signature() -> None:
    with pytest.raises(Forged, match="bad signature"):
        crypto().verify_url("0" * 40, str(TS), NONCE, ECHOSTR)
    signature, body = sealed()
    with pytest.raises(Forged, match="bad signature"):
        crypto().decrypt(signature, str(TS), "other-nonce", body)


def test_non_ascii_signature_is_forged_not_a_crash() -> None:
    with pytest.raises(Forged):
        crypto().verify_url("签名", str(TS), NONCE, ECHOSTR)


def test_foreign_corp_id() -> None:
    signature, body = sealed(corp_id="wwsomeoneelse0000")
    with pytest.raises(Forged, match="foreign receive id"):
        crypto().decrypt(signature, str(TS), NONCE, body)


@pytest.mark.parametrize("offset", [301, -301, 86_400])
def test_stale_or_future_timestamp(offset: int) -> None:
    with pytest.raises(Forged, match="stale timestamp"):
        crypto(now=TS + offset).verify_url(SIGNATURE, str(TS), NONCE, ECHOSTR)


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_timestamp_within_max_age(offset: int) -> None:
    assert crypto(now=TS + offset).verify_url(SIGNATURE, str(TS), NONCE, ECHOSTR) == PLAIN


def test_max_age_is_configurable() -> None:
    with pytest.raises(Forged, match="stale"):
        crypto(now=TS + 61, max_age=60).verify_url(SIGNATURE, str(TS), NONCE, ECHOSTR)


def test_undecryptable_body() -> None:
    garbage = "bm90IGNpcGhlcnRleHQ="  # valid base64, not a multiple of the AES block
    body = f"<xml><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>"
    with pytest.raises(Forged, match="undecryptable"):
        crypto().decrypt(sign(TOKEN, str(TS), NONCE, garbage), str(TS), NONCE, body)


@pytest.mark.parametrize("body", ["not xml", "<xml><ToUserName>x</ToUserName></xml>", ""])
def test_malformed_body(body: str) -> None:
    with pytest.raises(Forged):
        crypto().decrypt(SIGNATURE, str(TS), NONCE, body)


def test_timestamp_not_a_number() -> None:
    with pytest.raises(Forged, match="not a number"):
        crypto().verify_url(sign(TOKEN, "soon", NONCE, ECHOSTR), "soon", NONCE, ECHOSTR)
