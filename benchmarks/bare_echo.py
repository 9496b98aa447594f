"""The bare baseline: a Flask app that only verifies, decrypts and re-encrypts a callback."""

from __future__ import annotations

import os

from flask import Flask, Response, request
from wechatpy.enterprise.crypto import WeChatCrypto

app = Flask(__name__)
crypto = WeChatCrypto(
    os.environ["WECOM_TOKEN"], os.environ["WECOM_AES_KEY"], os.environ["WECOM_CORP_ID"]
)


@app.post("/wecom/callback")
def echo() -> Response:
    """Decrypt the message and send the same plaintext back encrypted."""
    args = request.args
    plain = crypto.decrypt_message(
        request.get_data(), args["msg_signature"], args["timestamp"], args["nonce"]
    )
    return Response(crypto.encrypt_message(plain, args["nonce"]), mimetype="application/xml")
