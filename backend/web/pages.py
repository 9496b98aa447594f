"""Plain pages: the front page pointing to what runs where, and the Chinese web font."""

from __future__ import annotations

from flask import Blueprint, Response, send_file

from backend.common import typeface as fonts

blueprint = Blueprint("pages", __name__)

FRONT_PAGE = """<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>履职助手</title><link rel="stylesheet" href="/static/console.css"></head>
<body class="front">
<h1>履职助手</h1>
<p>部门履职数据填报与评估系统。工作人员通过企业微信机器人填报每日履职情况。</p>
<ul><li>企业微信回调地址：<code>/wecom/callback</code></li>
<li>接口状态：<a href="/api/v1/health">/api/v1/health</a></li></ul>
</body></html>"""


@blueprint.get("/")
def front_page() -> str:
    """Show what this server is."""
    return FRONT_PAGE


@blueprint.get("/fonts/cjk.otf")
def cjk_font() -> Response:
    """Serve the Chinese font to phones and browsers that have none (console and public pages)."""
    return send_file(fonts.font_path(), mimetype="font/otf", max_age=30 * 86400)
