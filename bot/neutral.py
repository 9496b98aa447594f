"""Neutralise user-typed strings before they go into WeCom text, markdown or card content.

WeCom text messages render `<a href>` tags and auto-link bare URLs; markdown renders links,
emphasis, headings, quotes, `<font>` and `<@userid>` mentions. A user's string (a complaint, a name,
a free-text answer) must show as typed and never act as any of these: tags become full-width
brackets, URLs and domains are defanged (`hxxp[:]//evil[.]com`), `@` becomes a full-width `＠`, and
markdown's syntax characters become their full-width look-alikes. Control characters are dropped.
"""

from __future__ import annotations

import re

CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f]")
SCHEME = re.compile(
    r"(?i)\b([a-z][a-z0-9+.-]{0,20}):/+|\b(mailto|tel|sms|javascript|data|weixin|wxwork):"
)
DOMAIN = re.compile(r"(?i)\b((?:[a-z0-9-]+\.)+)([a-z]{2,24})\b")
TEXT_TABLE = str.maketrans({"<": "＜", ">": "＞", "@": "＠"})
MARKDOWN_TABLE = str.maketrans(
    {
        "[": "［",
        "]": "］",
        "(": "（",
        ")": "）",
        "*": "＊",
        "_": "＿",
        "`": "｀",
        "#": "＃",
        ">": "＞",
        "<": "＜",
        "~": "～",
        "|": "｜",
        "!": "！",
        "\\": "＼",
        "@": "＠",
    }
)


def strip_controls(s: str) -> str:
    """Drop control characters except tab and line feed (what a form or chat may carry in)."""
    return CONTROL.sub("", s)


def _defang_scheme(match: re.Match) -> str:
    scheme = match.group(1) or match.group(2)
    slashes = match.group(0)[len(scheme) + 1 :]
    if scheme.lower().startswith("http"):
        scheme = "hxxp" + scheme[4:]
    return f"{scheme}[:]{slashes}"


def _defang_domain(match: re.Match) -> str:
    return match.group(1).replace(".", "[.]") + match.group(2)


def defang(s: str) -> str:
    """Break URLs and domain names so that no client turns them into links."""
    return DOMAIN.sub(_defang_domain, SCHEME.sub(_defang_scheme, s))


def for_text(s: str | None) -> str:
    """Return `s` safe inside a WeCom text message or card field: no tags, links or mentions."""
    cleaned = strip_controls(s or "").translate(TEXT_TABLE)
    return defang(cleaned)


def for_markdown(s: str | None) -> str:
    """Return `s` safe inside WeCom markdown: no syntax, `<font>`, links or mentions."""
    cleaned = strip_controls(s or "").translate(MARKDOWN_TABLE)
    return defang(cleaned).replace("[.]", "．").replace("[:]", "：")


def for_markdown_line(s: str | None) -> str:
    """Return `s` safe inside one line of WeCom markdown (line breaks become spaces)."""
    return " ".join(for_markdown(s).split("\n"))


_OUR_LINK = re.compile(r"https?://[^\s<>\"'，。；）)]+")


def text_as_markdown(s: str | None) -> str:
    """Return a text message's content as WeCom markdown that shows the same characters.

    Text has no syntax, so every markdown character becomes its full-width look-alike; links
    still written out whole (ours: user-typed ones were already defanged for text) stay usable.
    """
    cleaned = strip_controls(s or "")
    parts, last = [], 0
    for match in _OUR_LINK.finditer(cleaned):
        parts += [cleaned[last : match.start()].translate(MARKDOWN_TABLE), match.group(0)]
        last = match.end()
    return "".join([*parts, cleaned[last:].translate(MARKDOWN_TABLE)])
