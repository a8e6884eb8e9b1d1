"""Callback crypto (safe mode): wechatpy's published vector, round trips, forgeries."""

from __future__ import annotations

import pytest
from wechatpy.crypto import WeChatCrypto

from wechat.crypto import CallbackCrypto, Forged
from wechat.crypto import signature as sign

# wechatpy's test vector (tests/test_crypto.py; the same values are in other SDKs' tests).
TOKEN = "123456"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
APP_ID = "wx49f0ab532d5d035a"
TS = 1411525903
NONCE = "461056294"
MSG_SIGNATURE = "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"
SIGNATURE = "6c729cc5480fab0c2e594b7e25a93d2dbef6ab97"  # sha1 over token, timestamp, nonce
VECTOR_BODY = (
    b"<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n"
    b"<Encrypt><![CDATA[RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFn"
    b"XBu7mCPatfjsu6IHCrsTyeDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD"
    b"8XzaFYgm7iTdaXpXaG4+BiYyolBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jS"
    b"w3e29mTvmUHzkVQiMS6td7vXUaWOMZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t"
    b"6NMxuGhcUGAPOQipvWTT4dShyqio7mlsl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthu"
    b"L0=]]></Encrypt>\n<AgentID><![CDATA[1]]></AgentID>\n</xml>"
)

INNER = (
    "<xml><ToUserName><![CDATA[gh_1234567890ab]]></ToUserName>"
    "<FromUserName><![CDATA[oABCD0123456789abcdefghijklm]]></FromUserName>"
    f"<CreateTime>{TS}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[路灯坏了]]></Content><MsgId>23456789012345678</MsgId></xml>"
)


def crypto(now: float = TS, app_id: str = APP_ID, max_age: int = 300) -> CallbackCrypto:
    return CallbackCrypto(TOKEN, AES_KEY, app_id, clock=lambda: now, max_age=max_age)


def sealed(
    inner: str = INNER, app_id: str = APP_ID, ts: int = TS, nonce: str = NONCE
) -> tuple[dict[str, str], bytes]:
    """What WeChat POSTs in safe mode: (query, body), encrypted by wechatpy, not by our code."""
    reply = WeChatCrypto(TOKEN, AES_KEY, app_id).encrypt_message(inner, nonce, str(ts))
    encrypt = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    query = {
        "signature": sign(TOKEN, str(ts), nonce),
        "timestamp": str(ts),
        "nonce": nonce,
        "openid": "oABCD0123456789abcdefghijklm",
        "encrypt_type": "aes",
        "msg_signature": sign(TOKEN, str(ts), nonce, encrypt),
    }
    body = (
        "<xml><ToUserName><![CDATA[gh_1234567890ab]]></ToUserName>"
        f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
    )
    return query, body.encode()


def url_check(
    ts: int = TS, nonce: str = NONCE, echostr: str = "5927782489442352469"
) -> dict[str, str]:
    return {
        "signature": sign(TOKEN, str(ts), nonce),
        "timestamp": str(ts),
        "nonce": nonce,
        "echostr": echostr,
    }


# -- the published vector ------------------------------------------------------------------


def test_signature_matches_the_vector() -> None:
    assert sign(TOKEN, str(TS), NONCE) == SIGNATURE


def test_open_the_published_vector() -> None:
    query = {
        "signature": SIGNATURE,
        "timestamp": str(TS),
        "nonce": NONCE,
        "encrypt_type": "aes",
        "msg_signature": MSG_SIGNATURE,
    }
    inner = crypto().open(query, VECTOR_BODY)
    assert "<FromUserName><![CDATA[messense]]></FromUserName>" in inner
    assert "<Content><![CDATA[test]]></Content>" in inner


# -- GET: the URL check --------------------------------------------------------------------


def test_verify_url_echoes_echostr_verbatim() -> None:
    assert crypto().verify_url(url_check()) == "5927782489442352469"
    # Whatever WeChat sends, unchanged (it is not encrypted, in safe mode either).
    assert crypto().verify_url(url_check(echostr="a+b/c=")) == "a+b/c="


def test_verify_url_upper_case_signature_is_accepted() -> None:
    query = url_check()
    query["signature"] = query["signature"].upper()
    assert crypto().verify_url(query) == "5927782489442352469"


def test_verify_url_bad_signature() -> None:
    query = url_check()
    query["nonce"] = "other"
    with pytest.raises(Forged, match="bad signature"):
        crypto().verify_url(query)


@pytest.mark.parametrize("missing", ["signature", "timestamp", "nonce", "echostr"])
def test_verify_url_missing_field(missing: str) -> None:
    query = url_check()
    del query[missing]
    with pytest.raises(Forged):
        crypto().verify_url(query)


def test_verify_url_non_ascii_signature_is_forged_not_a_crash() -> None:
    query = url_check()
    query["signature"] = "签名"
    with pytest.raises(Forged):
        crypto().verify_url(query)


@pytest.mark.parametrize("offset", [301, -301, 86_400])
def test_verify_url_stale_or_future(offset: int) -> None:
    with pytest.raises(Forged, match="stale timestamp"):
        crypto(now=TS + offset).verify_url(url_check())


# -- POST: safe mode -----------------------------------------------------------------------


def test_open_what_wechatpy_encrypted() -> None:
    query, body = sealed()
    assert crypto().open(query, body) == INNER


def test_open_a_query_as_aiohttp_parses_it() -> None:
    from multidict import MultiDict

    query, body = sealed()
    assert crypto().open(MultiDict(query), body) == INNER


def test_seal_round_trip_through_wechatpy_and_open() -> None:
    reply = crypto().seal(INNER, NONCE, str(TS))
    assert f"<TimeStamp>{TS}</TimeStamp>" in reply
    msg_signature = reply.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    assert (
        WeChatCrypto(TOKEN, AES_KEY, APP_ID).decrypt_message(reply, msg_signature, str(TS), NONCE)
        == INNER
    )
    query = {
        "signature": sign(TOKEN, str(TS), NONCE),
        "timestamp": str(TS),
        "nonce": NONCE,
        "encrypt_type": "aes",
        "msg_signature": msg_signature,
    }
    assert crypto().open(query, reply.encode()) == INNER


def test_seal_needs_a_timestamp() -> None:
    with pytest.raises(ValueError, match="timestamp"):
        crypto().seal(INNER, NONCE, "")


def test_plaintext_post_is_refused() -> None:
    # Plaintext mode: a signature over (token, timestamp, nonce) only, the body in the clear.
    query = url_check()
    del query["echostr"]
    with pytest.raises(Forged, match="safe mode"):
        crypto().open(query, INNER.encode())


def test_compatible_mode_without_encrypt_type_is_refused() -> None:
    query, body = sealed()
    del query["encrypt_type"]
    with pytest.raises(Forged, match="safe mode"):
        crypto().open(query, body)


def test_bad_msg_signature() -> None:
    query, body = sealed()
    query["msg_signature"] = "0" * 40
    with pytest.raises(Forged, match="bad msg_signature"):
        crypto().open(query, body)


def test_bad_plain_signature_is_refused_too() -> None:
    query, body = sealed()
    query["signature"] = "0" * 40
    with pytest.raises(Forged, match="bad signature"):
        crypto().open(query, body)


def test_missing_signatures() -> None:
    for field in ("signature", "msg_signature"):
        query, body = sealed()
        del query[field]
        with pytest.raises(Forged):
            crypto().open(query, body)


def test_a_nonce_changed_in_transit() -> None:
    query, body = sealed()
    query["nonce"] = "1"
    with pytest.raises(Forged, match="bad signature"):
        crypto().open(query, body)


def test_foreign_app_id() -> None:
    query, body = sealed(app_id="wx0000000000000000")
    with pytest.raises(Forged, match="foreign receive id"):
        crypto().open(query, body)


@pytest.mark.parametrize("offset", [301, -301, 86_400])
def test_stale_or_future_timestamp(offset: int) -> None:
    query, body = sealed()
    with pytest.raises(Forged, match="stale timestamp"):
        crypto(now=TS + offset).open(query, body)


@pytest.mark.parametrize("offset", [300, -300, 0])
def test_timestamp_within_max_age(offset: int) -> None:
    query, body = sealed()
    assert crypto(now=TS + offset).open(query, body) == INNER


def test_max_age_is_configurable() -> None:
    query, body = sealed()
    with pytest.raises(Forged, match="stale"):
        crypto(now=TS + 61, max_age=60).open(query, body)


def test_timestamp_not_a_number() -> None:
    query, body = sealed()
    query["timestamp"] = "soon"
    query["signature"] = sign(TOKEN, "soon", NONCE)
    with pytest.raises(Forged, match="not a number"):
        crypto().open(query, body)


def test_undecryptable_body() -> None:
    garbage = "bm90IGNpcGhlcnRleHQ="  # valid base64, not a multiple of the AES block
    query = {
        "signature": sign(TOKEN, str(TS), NONCE),
        "timestamp": str(TS),
        "nonce": NONCE,
        "encrypt_type": "aes",
        "msg_signature": sign(TOKEN, str(TS), NONCE, garbage),
    }
    body = f"<xml><Encrypt><![CDATA[{garbage}]]></Encrypt></xml>".encode()
    with pytest.raises(Forged, match="undecryptable"):
        crypto().open(query, body)


@pytest.mark.parametrize("body", [b"not xml", b"<xml><ToUserName>x</ToUserName></xml>", b""])
def test_malformed_body(body: bytes) -> None:
    query, _ = sealed()
    with pytest.raises(Forged):
        crypto().open(query, body)


def test_forgery_is_refused_before_the_body_is_read() -> None:
    # Not XML at all, but the plain signature is wrong: refused for that, unparsed.
    query, _ = sealed()
    query["signature"] = "0" * 40
    with pytest.raises(Forged, match="bad signature"):
        crypto().open(query, b"<!DOCTYPE x [<!ENTITY a 'b'>]><x>&a;</x>")


# -- against the project's fake WeChat's own crypto (written without wechatpy) -------------


def test_open_what_fakewechat_encrypted() -> None:
    from fakewechat import encrypt, signature, url_signature

    encrypted = encrypt(AES_KEY, INNER, APP_ID)
    query = {
        "signature": url_signature(TOKEN, str(TS), NONCE),
        "timestamp": str(TS),
        "nonce": NONCE,
        "encrypt_type": "aes",
        "msg_signature": signature(TOKEN, str(TS), NONCE, encrypted),
    }
    body = f"<xml><ToUserName><![CDATA[gh_x]]></ToUserName><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    assert crypto().open(query, body.encode()) == INNER
    foreign = encrypt(AES_KEY, INNER, "wxfake0000000001")
    query["msg_signature"] = signature(TOKEN, str(TS), NONCE, foreign)
    with pytest.raises(Forged, match="foreign receive id"):
        crypto().open(query, f"<xml><Encrypt>{foreign}</Encrypt></xml>".encode())


def test_fakewechat_opens_what_seal_made() -> None:
    from fakewechat import decrypt, signature

    reply = crypto().seal(INNER, NONCE, str(TS))
    encrypted = reply.split("<Encrypt><![CDATA[")[1].split("]]>")[0]
    msg_signature = reply.split("<MsgSignature><![CDATA[")[1].split("]]>")[0]
    assert signature(TOKEN, str(TS), NONCE, encrypted) == msg_signature
    assert decrypt(AES_KEY, encrypted) == (INNER.encode(), APP_ID)
