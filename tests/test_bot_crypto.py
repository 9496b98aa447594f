"""Callback crypto against the official WeCom vectors (wecom.md §2) and hostile input."""

from __future__ import annotations

import base64
import os
from urllib.parse import unquote

import pytest

from bot.crypto import (
    CallbackCrypto,
    CallbackError,
    DecryptError,
    MalformedCallback,
    SignatureError,
    signature,
)
from bot.messages import xml_root

# Set A: the current official sample (sbzhu/weworkapi_python).
A_TOKEN = "hJqcu3uJ9Tn2gXPmxx2w9kkCkCE2EPYo"
A_KEY = "6qkdMrq68nTKduznJYO1A37W2oEgpkMUvkttRToqhUt"
A_CORP = "ww1436e0e65a779aee"
A1 = {
    "msg_signature": "012bc692d0a58dd4b10f8dfe5c4ac00ae211ebeb",
    "timestamp": "1476416373",
    "nonce": "47744683",
    "echostr": (
        "fsi1xnbH4yQh0+PJxcOdhhK6TDXkjMyhEPA7xB2TGz6b+g7xyAbEkRxN/3cNXW9qdqjnoVzEtpbhnFyq6SVHyA=="
    ),
}
A2_QUERY = {"msg_signature": "0c3914025cb4b4d68103f6bfc8db550f79dcf48e"}
A2_QUERY |= {"timestamp": "1476422779", "nonce": "1597212914"}
A2_ENCRYPT = (
    "Kl7kjoSf6DMD1zh7rtrHjFaDapSCkaOnwu3bqLc5tAybhhMl9pFeK8NslNPVdMwmBQTNoW4mY7AIjeLvEl3NyeTkAgGz"
    "BhzTtRLNshw2AEew+kkYcD+Fq72Kt00fT0WnN87hGrW8SqGc+NcT3mu87Ha3dz1pSDi6GaUA6A0sqfde0VJPQbZ9U+3J"
    "WcoD4Z5jaU0y9GSh010wsHF8KZD24YhmZH4ch4Ka7ilEbjbfvhKkNL65HHL0J6EYJIZUC2pFrdkJ7MhmEbU2qARR4iQH"
    "E7wy24qy0cRX3Mfp6iELcDNfSsPGjUQVDGxQDCWjayJOpcwocugux082f49HKYg84EpHSGXAyh+/oxwaWbvL6aSDPOYu"
    "PDGOCI8jmnKiypE+"
)
A2_BODY = (
    "<xml><ToUserName><![CDATA[ww1436e0e65a779aee]]></ToUserName>\n"
    f"<Encrypt><![CDATA[{A2_ENCRYPT}]]></Encrypt>\n"
    "<AgentID><![CDATA[1000002]]></AgentID>\n</xml>"
)
A2_PLAIN = (
    "<xml><ToUserName>ww1436e0e65a779aee</ToUserName><FromUserName>ChenJiaShun</FromUserName>"
    "<CreateTime>1476422779</CreateTime><MsgType>text</MsgType><Content>你好</Content>"
    "<MsgId>1456453720</MsgId><AgentID>1000002</AgentID></xml>"
)

# Set B: the legacy doc vector (加解密方案说明).
B_TOKEN = "QDG6eK"
B_KEY = "jWmYm7qr5nMoAUwZRjGtBxmz3KA1tkAj3ykkR6q2B2C"
B_CORP = "wx5823bf96d3bd56c7"
B1 = {
    "msg_signature": "5c45ff5e21c57e6ad56bac8758b79b1d9ac89fd3",
    "timestamp": "1409659589",
    "nonce": "263014780",
    "echostr": (
        "P9nAzCzyDtyTWESHep1vC5X9xho/qYX3Zpb4yKa9SKld1DsH3Iyt3tP3zNdtp+4RPcs8TgAE7OaBO+FZXvnaqQ=="
    ),
}
B1_WIRE_ECHOSTR = (
    "P9nAzCzyDtyTWESHep1vC5X9xho%2FqYX3Zpb4yKa9SKld1Ds"
    "H3Iyt3tP3zNdtp%2B4RPcs8TgAE7OaBO%2BFZXvnaqQ%3D%3D"
)
B2_QUERY = {"msg_signature": "477715d11cdb4164915debcba66cb864d751f3e6"}
B2_QUERY |= {"timestamp": "1409659813", "nonce": "1372623149"}
B2_ENCRYPT = (
    "RypEvHKD8QQKFhvQ6QleEB4J58tiPdvo+rtK1I9qca6aM/wvqnLSV5zEPeusUiX5L5X/0lWfrf0QADHHhGd3QczcdCUp"
    "j911L3vg3W/sYYvuJTs3TUUkSUXxaccAS0qhxchrRYt66wiSpGLYL42aM6A8dTT+6k4aSknmPj48kzJs8qLjvd4Xgpue"
    "06DOdnLxAUHzM6+kDZ+HMZfJYuR+LtwGc2hgf5gsijff0ekUNXZiqATP7PF5mZxZ3Izoun1s4zG4LUMnvw2r+KqCKIw+"
    "3IQH03v+BCA9nMELNqbSf6tiWSrXJB3LAVGUcallcrw8V2t9EL4EhzJWrQUax5wLVMNS0+rUPA3k22Ncx4XXZS9o0MBH"
    "27Bo6BpNelZpS+/uh9KsNlY6bHCmJU9p8g7m3fVKn28H3KDYA5Pl/T8Z1ptDAVe0lXdQ2YoyyH2uyPIGHBZZIs2pDBS8"
    "R07+qN+E7Q=="
)
B2_BODY = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>"
    f"<Encrypt><![CDATA[{B2_ENCRYPT}]]></Encrypt><AgentID><![CDATA[218]]></AgentID></xml>"
)
B2_PLAIN = (
    "<xml><ToUserName><![CDATA[wx5823bf96d3bd56c7]]></ToUserName>\n"
    "<FromUserName><![CDATA[mycreate]]></FromUserName>\n"
    "<CreateTime>1409659813</CreateTime>\n"
    "<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[hello]]></Content>\n"
    "<MsgId>4561255354251345929</MsgId>\n"
    "<AgentID>218</AgentID>\n"
    "</xml>"
)

# Set C: wechatpy's own tests (v1.8.18, tests/test_crypto.py).
C_TOKEN = "123456"
C_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
C_CORP = "wx49f0ab532d5d035a"
C1 = {
    "msg_signature": "dd6b9c95b495b3f7e2901bfbc76c664930ffdb96",
    "timestamp": "1411443780",
    "nonce": "437374425",
    "echostr": (
        "4ByGGj+sVCYcvGeQYhaKIk1o0pQRNbRjxybjTGblXrBaXlTXeOo1+bXFXDQQb1o6co6Yh9Bv41n7hOchLF6p+Q=="
    ),
}
C2_QUERY = {"msg_signature": "74d92dfeb87ba7c714f89d98870ae5eb62dff26d"}
C2_QUERY |= {"timestamp": "1411525903", "nonce": "461056294"}
C2_ENCRYPT = (
    "RgqEoJj5A4EMYlLvWO1F86ioRjZfaex/gePD0gOXTxpsq5Yj4GNglrBb8I2BAJVODGajiFnXBu7mCPatfjsu6IHCrsTy"
    "eDXzF6Bv283dGymzxh6ydJRvZsryDyZbLTE7rhnus50qGPMfp2wASFlzEgMW9z1ef/RD8XzaFYgm7iTdaXpXaG4+BiYy"
    "olBug/gYNx410cvkKR2/nPwBiT+P4hIiOAQqGp/TywZBtDh1yCF2KOd0gpiMZ5jSw3e29mTvmUHzkVQiMS6td7vXUaWO"
    "MZnYZlF3So2SjHnwh4jYFxdgpkHHqIrH/54SNdshoQgWYEvccTKe7FS709/5t6NMxuGhcUGAPOQipvWTT4dShyqio7ml"
    "sl5noTrb++x6En749zCpQVhDpbV6GDnTbcX2e8K9QaNWHp91eBdCRxthuL0="
)
C2_PLAIN = (
    "<xml><ToUserName><![CDATA[wx49f0ab532d5d035a]]></ToUserName>\n"
    "<FromUserName><![CDATA[messense]]></FromUserName>\n"
    "<CreateTime>1411525903</CreateTime>\n"
    "<MsgType><![CDATA[text]]></MsgType>\n"
    "<Content><![CDATA[test]]></Content>\n"
    "<MsgId>4363689963896700987</MsgId>\n"
    "<AgentID>1</AgentID>\n"
    "</xml>"
)
C3_REPLY = (
    "<xml>\n<MsgType><![CDATA[text]]></MsgType>\n<Content><![CDATA[test]]></Content>\n"
    "<FromUserName><![CDATA[wx49f0ab532d5d035a]]></FromUserName>\n"
    "<ToUserName><![CDATA[messense]]></ToUserName>\n<AgentID>1</AgentID>\n"
    "<CreateTime>1411525903</CreateTime>\n</xml>"
)
C3_ENCRYPT = (
    "9s4gMv99m88kKTh/H8IdkOiMg6bisoy3ypwy9H4hvSPe9nsGaqyw5hhSjdYbcrKk+j3nba4HMOTzHrluLBYqxgNcBqGs"
    "L8GqxlhZgURnAtObvesEl5nZ+uBE8bviY0LWke8Zy9V/QYKxNV2FqllNXcfmstttyIkMKCCmVbCFM2JTF5wY0nFhHZSj"
    "PUL2Q1qvSUCUld+/WIXrx0oyKQmpB6o8NRrrNrsDf03oxI1p9FxUgMnwKKZeOA/uu+2IEvEBtb7muXsVbwbgX05UPPJv"
    "FurDXafG0RQyPR+mf1nDnAtQmmNOuiR5MIkdQ39xn1vWwi1O5oazPoQJz0nTYjxxEE8kv3kFxtAGVRe3ypD3WeK2XeFY"
    "FMNMpatF9XiKzHo3"
)
C3_SIGNATURE = "407518b7649e86ef23978113f92d27afa9296533"


class FixedPrefixCrypto(CallbackCrypto):
    """Deterministic frames for the Set C encryption vector."""

    def random_prefix(self) -> str:
        return "1234567890123456"


def set_a() -> CallbackCrypto:
    return CallbackCrypto(A_TOKEN, A_KEY, A_CORP)


def set_b() -> CallbackCrypto:
    return CallbackCrypto(B_TOKEN, B_KEY, B_CORP)


def set_c() -> CallbackCrypto:
    return CallbackCrypto(C_TOKEN, C_KEY, C_CORP)


def test_signature_matches_the_documented_worked_example():
    assert signature(B_TOKEN, "1409659813", "1372623149", B2_ENCRYPT) == B2_QUERY["msg_signature"]


def test_set_a1_url_verification_returns_the_echo_plaintext():
    assert set_a().verify_url(**A1) == "1288432023552776189"


def test_set_a2_decrypts_the_sample_message_with_chinese_content():
    assert set_a().decrypt(A2_BODY.encode("utf-8"), **A2_QUERY) == A2_PLAIN


def test_set_a2_accepts_a_str_body():
    assert set_a().decrypt(A2_BODY, **A2_QUERY) == A2_PLAIN


def test_set_b1_url_verification():
    assert set_b().verify_url(**B1) == "1616140317555161061"


def test_set_b1_wire_echostr_decoded_once():
    params = {**B1, "echostr": unquote(B1_WIRE_ECHOSTR)}
    assert set_b().verify_url(**params) == "1616140317555161061"


def test_set_b1_wire_echostr_left_encoded_is_refused():
    with pytest.raises(SignatureError):
        set_b().verify_url(**{**B1, "echostr": B1_WIRE_ECHOSTR})


def test_set_b2_decrypts_the_cdata_message():
    assert set_b().decrypt(B2_BODY, **B2_QUERY) == B2_PLAIN


def test_set_c1_check_signature():
    assert set_c().verify_url(**C1) == "5927782489442352469"


def test_set_c1_with_another_nonce_is_refused():
    with pytest.raises(SignatureError):
        set_c().verify_url(**{**C1, "nonce": "437374424"})


def test_set_c2_decrypts():
    body = (
        f"<xml><ToUserName><![CDATA[{C_CORP}]]></ToUserName><Encrypt>{C2_ENCRYPT}</Encrypt></xml>"
    )
    assert set_c().decrypt(body, **C2_QUERY) == C2_PLAIN


def test_set_c3_encrypts_to_the_exact_wechatpy_envelope():
    crypto = FixedPrefixCrypto(C_TOKEN, C_KEY, C_CORP)
    envelope = crypto.encrypt(C3_REPLY, nonce="461056294", timestamp=1411525903)
    assert envelope == (
        f"<xml>\n<Encrypt><![CDATA[{C3_ENCRYPT}]]></Encrypt>\n"
        f"<MsgSignature><![CDATA[{C3_SIGNATURE}]]></MsgSignature>\n"
        "<TimeStamp>1411525903</TimeStamp>\n<Nonce><![CDATA[461056294]]></Nonce>\n</xml>"
    )
    assert crypto.decrypt_reply(envelope) == C3_REPLY


def test_tampered_signature_is_refused_with_code_40001():
    bad = {**A2_QUERY, "msg_signature": "0" * 40}
    with pytest.raises(SignatureError) as caught:
        set_a().decrypt(A2_BODY, **bad)
    assert caught.value.code == -40001


def test_signature_of_unexpected_type_or_charset_is_refused():
    for given in ("", "签名", None):
        with pytest.raises(SignatureError):
            set_a().verify_url(**{**A1, "msg_signature": given})


def test_wrong_corp_id_is_a_decrypt_error_with_code_40005():
    crypto = CallbackCrypto(A_TOKEN, A_KEY, "wrongcorp")
    with pytest.raises(DecryptError) as caught:
        crypto.verify_url(**A1)
    assert caught.value.code == -40005
    with pytest.raises(DecryptError):
        crypto.decrypt(A2_BODY, **A2_QUERY)


def test_set_b1_signature_with_set_a_token_is_refused():
    crypto = CallbackCrypto(A_TOKEN, B_KEY, B_CORP)
    with pytest.raises(SignatureError):
        crypto.verify_url(**B1)


@pytest.mark.parametrize(
    "body",
    [
        b"not xml at all",
        b"",
        "<xml><ToUserName>x</ToUserName></xml>",
        "<xml><Encrypt></Encrypt></xml>",
        "<other><Encrypt>abc</Encrypt></other>",
        '<!DOCTYPE xml [<!ENTITY e "x">]><xml><Encrypt>&e;</Encrypt></xml>',
        "<!DOCTYPE xml><xml><Encrypt>abc</Encrypt></xml>",
        b"\xff\xfe<xml/>",
    ],
)
def test_malformed_bodies_are_refused_before_any_crypto(body):
    with pytest.raises(MalformedCallback) as caught:
        set_a().decrypt(body, **A2_QUERY)
    assert caught.value.code == -40002


def signed_garbage(crypto: CallbackCrypto, encrypted: str) -> tuple[str, dict]:
    body = f"<xml><Encrypt><![CDATA[{encrypted}]]></Encrypt></xml>"
    query = {"timestamp": "1700000000", "nonce": "42"}
    query["msg_signature"] = signature(crypto.token, "1700000000", "42", encrypted)
    return body, query


def test_signed_invalid_base64_is_malformed():
    crypto = set_a()
    body, query = signed_garbage(crypto, "not*base64!")
    with pytest.raises(MalformedCallback):
        crypto.decrypt(body, **query)


@pytest.mark.parametrize("size", [1, 15, 16, 17, 32, 48, 288, 1024])
def test_signed_random_ciphertext_is_a_decrypt_error(size):
    crypto = set_a()
    for _ in range(20):
        encrypted = base64.b64encode(os.urandom(size)).decode()
        body, query = signed_garbage(crypto, encrypted)
        with pytest.raises(DecryptError) as caught:
            crypto.decrypt(body, **query)
        assert caught.value.code == -40007


def test_truncated_ciphertext_is_a_decrypt_error():
    crypto = set_a()
    raw = base64.b64decode(A2_ENCRYPT)
    for cut in (16, 32, 64, len(raw) - 16):
        body, query = signed_garbage(crypto, base64.b64encode(raw[:cut]).decode())
        with pytest.raises(DecryptError):
            crypto.decrypt(body, **query)


def test_wrong_key_is_a_decrypt_error():
    crypto = CallbackCrypto(A_TOKEN, B_KEY, A_CORP)
    with pytest.raises(DecryptError):
        crypto.verify_url(**A1)
    with pytest.raises(DecryptError):
        crypto.decrypt(A2_BODY, **A2_QUERY)


def test_every_refusal_is_a_callback_error():
    assert issubclass(SignatureError, CallbackError)
    assert issubclass(MalformedCallback, CallbackError)
    assert issubclass(DecryptError, CallbackError)


@pytest.mark.parametrize("key", ["short", A_KEY + "A", "!" * 43])
def test_bad_encoding_aes_key_is_a_configuration_error(key):
    with pytest.raises(ValueError):
        CallbackCrypto(A_TOKEN, key, A_CORP)


@pytest.mark.parametrize(
    "text", ["你好，请填报本周履职情况", "a]]>b", "]]>", "<b>&amp;</b>", "", "x" * 5000]
)
def test_callback_round_trip(text):
    crypto = set_a()
    plain = f"<xml><Content><![CDATA[{text}]]></Content></xml>" if "]]>" not in text else text
    body, params = crypto.encrypt_callback(plain, 1000002)
    assert set(params) == {"msg_signature", "timestamp", "nonce"}
    assert crypto.decrypt(body.encode("utf-8"), **params) == plain
    outer = xml_root(body)
    assert outer["ToUserName"] == A_CORP
    assert outer["AgentID"] == "1000002"


@pytest.mark.parametrize("text", ["已收到，谢谢！", "a]]>b<![CDATA[c", ""])
def test_reply_round_trip(text):
    crypto = set_a()
    envelope = crypto.encrypt(text)
    assert crypto.decrypt_reply(envelope) == text


def test_reply_uses_given_nonce_and_timestamp():
    envelope = xml_root(set_a().encrypt("<xml/>", nonce="123", timestamp="1476422779"))
    assert (envelope["Nonce"], envelope["TimeStamp"]) == ("123", "1476422779")


def test_fresh_frames_differ_each_time():
    crypto = set_a()
    first, second = crypto.encrypt_callback("<xml/>", 1)[0], crypto.encrypt_callback("<xml/>", 1)[0]
    assert first != second


def test_tampered_reply_envelope_is_refused():
    crypto = set_a()
    envelope = crypto.encrypt("<xml/>", nonce="1", timestamp="2").replace("<![CDATA[1]]>", "9")
    with pytest.raises(SignatureError):
        crypto.decrypt_reply(envelope)


def test_echostr_round_trip():
    crypto = set_b()
    echostr, params = crypto.encrypt_echostr("1616140317555161061")
    assert params["echostr"] == echostr
    assert crypto.verify_url(**params) == "1616140317555161061"


def test_non_numeric_timestamp_is_rejected():
    with pytest.raises(ValueError):
        set_a().encrypt("<xml/>", timestamp="soon")
