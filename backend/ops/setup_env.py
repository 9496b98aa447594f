"""`lvzhi init`: generate the secrets, check the WeCom values against Settings, write `.env`.

Every value is checked by `Settings` itself (its field validators), so `lvzhi init` accepts
exactly what the web app, the scheduler and `lvzhi doctor` accept later.
"""

from __future__ import annotations

import string
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from dotenv import dotenv_values
from pydantic import ValidationError
from pydantic_core import ErrorDetails

from backend.settings import CALLBACK_PATH, DEFAULT_DATABASE_URL, Settings, load_settings
from backend.settings.secrets import (
    new_aes_key,
    new_secret_key,
    new_wecom_token,
    setting_weakness,
    write_private_text,
)

GENERATED = ("SECRET_KEY", "WECOM_TOKEN", "WECOM_AES_KEY")
CORP_ID_CHARACTERS = frozenset(string.ascii_letters + string.digits)


@dataclass(frozen=True)
class Entry:
    """One setting written to `.env`: its name and a short comment in Chinese and English."""

    name: str
    zh: str
    en: str


ENTRIES = (
    Entry("WECOM_CORP_ID", "企业ID：管理后台 → 我的企业 → 企业信息", "WeCom corp id"),
    Entry("WECOM_AGENT_ID", "自建应用的 AgentId：应用管理 → 本应用", "the app's AgentId"),
    Entry("WECOM_SECRET", "自建应用的 Secret（只填本应用的）", "the app's Secret"),
    Entry("WECOM_TOKEN", "接收消息的 Token（已随机生成，填到管理后台）", "callback Token"),
    Entry("WECOM_AES_KEY", "接收消息的 EncodingAESKey（已随机生成）", "callback EncodingAESKey"),
    Entry("SECRET_KEY", "网页会话密钥（已随机生成，勿外泄）", "session signing key"),
    Entry("PUBLIC_BASE_URL", "对外的 https 地址（企业微信回调它）", "public https address"),
    Entry("DATABASE_URL", "数据库：sqlite:///路径 或 postgresql://…", "database URL"),
)
LABELS = {
    "WECOM_CORP_ID": "企业ID (corp id)",
    "WECOM_AGENT_ID": "应用 AgentId (agent id)",
    "WECOM_SECRET": "应用 Secret (app secret)",
    "PUBLIC_BASE_URL": "对外访问地址 (PUBLIC_BASE_URL, 例如 https://lvzhi.example.gov.cn)",
    "DATABASE_URL": "数据库地址 (DATABASE_URL)",
}
DEFAULTS = {"DATABASE_URL": DEFAULT_DATABASE_URL}
ERROR_TEXTS = {
    "int_parsing": "应为整数",
    "greater_than_equal": "应不小于 {ge}",
    "string_too_short": "不能为空",
    "missing": "不能为空",
}
PROXY_COMMENT = "# 在 nginx 之后为 1（信任一层反向代理的 X-Forwarded-*） / proxies in front"
ADMIN_CHAT_LINES = (
    "# 管理员群：appchat:<chatid> 或 webhook:<机器人key> / administrators' group",
    "# LVZHI_ADMIN_CHAT=",
)


def field_problem(name: str, value: str) -> str | None:
    """Return why Settings refuses `value` for the setting `name` (Chinese), or None."""
    if name == "WECOM_CORP_ID" and value and not set(value) <= CORP_ID_CHARACTERS:
        return "企业ID只含字母和数字（例如 ww 开头的 18 位），请从管理后台复制"
    try:
        Settings(_env_file=None, **{name: value})  # type: ignore[arg-type]
    except ValidationError as exc:
        for error in exc.errors():
            if error["loc"] and error["loc"][0] == name:
                return _in_chinese(error)
    return None


def _in_chinese(error: ErrorDetails) -> str:
    """Say a pydantic error in Chinese where it is a common one, else as the validator said it."""
    template = ERROR_TEXTS.get(error["type"])
    if template:
        return template.format(**error.get("ctx", {}))
    return str(error["msg"]).removeprefix("Value error, ")


def public_url_warning(url: str) -> str | None:
    """Return a warning when the public address cannot serve a production WeCom app."""
    parts = urlsplit(url)
    if parts.scheme != "https":
        return "不是 https 地址：企业微信正式使用要求 https（仅本机试用可以用 http）"
    if not parts.hostname:
        return "地址里没有域名"
    return None


def clean(name: str, value: str) -> str:
    """Trim what an operator pasted: surrounding blanks, and a trailing slash on the URL."""
    value = value.strip()
    return value.rstrip("/") if name == "PUBLIC_BASE_URL" else value


def existing_secrets(path: Path) -> dict[str, str]:
    """Return the generated secrets of an existing `.env` that are still strong enough."""
    if not path.is_file():
        return {}
    found = dotenv_values(path)
    return {
        name: str(found[name])
        for name in GENERATED
        if found.get(name) and setting_weakness(name, str(found[name])) is None
    }


def complete_values(answers: dict[str, str], kept: dict[str, str]) -> dict[str, str]:
    """Add the generated secrets (the kept ones first) to the operator's answers."""
    fresh = {
        "SECRET_KEY": new_secret_key,
        "WECOM_TOKEN": new_wecom_token,
        "WECOM_AES_KEY": new_aes_key,
    }
    secrets = {name: kept.get(name) or make() for name, make in fresh.items()}
    return {**answers, **secrets}


def check_all(values: dict[str, str]) -> Settings:
    """Validate the complete file as every process will read it (raises SettingsError)."""
    return load_settings(_env_file=None, **values)


def render_env(values: dict[str, str]) -> str:
    """Return the text of `.env`: one commented line per setting."""
    lines = ["# 履职助手 (lvzhi) 配置，由 lvzhi init 生成；含密钥，权限 0600，勿提交到版本库", ""]
    for entry in ENTRIES:
        lines += [f"# {entry.zh} / {entry.en}", f"{entry.name}={_quoted(values[entry.name])}", ""]
    behind_nginx = public_url_warning(values["PUBLIC_BASE_URL"]) is None  # https: deploy/nginx
    proxy = "LVZHI_TRUSTED_PROXIES=1" if behind_nginx else "# LVZHI_TRUSTED_PROXIES=1"
    return "\n".join([*lines, PROXY_COMMENT, proxy, "", *ADMIN_CHAT_LINES]) + "\n"


def _quoted(value: str) -> str:
    """Quote a value for dotenv when it holds blanks, quotes, # or $."""
    if value and not any(c in value for c in " \t'\"#$\\"):
        return value
    return "'" + value.replace("\\", "\\\\").replace("'", "\\'") + "'"


def write_env(path: Path, values: dict[str, str]) -> None:
    """Write `.env` readable by its owner only."""
    path.parent.mkdir(parents=True, exist_ok=True)
    write_private_text(path, render_env(values))


def next_steps(values: dict[str, str], env_path: Path) -> str:
    """Return the Chinese instructions that follow a written `.env`."""
    base = values["PUBLIC_BASE_URL"]
    host = urlsplit(base).hostname or base
    return NEXT_STEPS.format(
        env=env_path,
        url=base + CALLBACK_PATH,
        token=values["WECOM_TOKEN"],
        aes_key=values["WECOM_AES_KEY"],
        host=host,
    )


NEXT_STEPS = """\
已写入 {env}（权限 0600）。接下来：

1. 检查配置、数据库和企业微信接口：
     lvzhi db upgrade && lvzhi doctor
   （此时企业微信接口报 60020 属正常，第 5 步配置企业可信IP后即可通过）

2. 安装 nginx 站点和 systemd 服务（文件在 deploy/ 下），启动网站与定时任务：
     sudo cp deploy/nginx/lvzhi.conf /etc/nginx/sites-available/lvzhi  # 改 server_name 与证书路径
     sudo ln -s /etc/nginx/sites-available/lvzhi /etc/nginx/sites-enabled/lvzhi
     sudo nginx -t && sudo systemctl reload nginx
     sudo chown lvzhi: {env}   # 服务以 lvzhi 用户运行，要能读这个文件
     sudo cp deploy/systemd/lvzhi-web.service deploy/systemd/lvzhi-scheduler.service \\
             /etc/systemd/system/
     sudo systemctl daemon-reload && sudo systemctl enable --now lvzhi-web lvzhi-scheduler
   只想先在前台试运行：lvzhi serve （另开一个终端运行 lvzhi scheduler）

3. 企业微信管理后台 → 应用管理 → 本自建应用 → 接收消息 → 设置API接收，填写：
     URL:            {url}
     Token:          {token}
     EncodingAESKey: {aes_key}
   点保存时企业微信会立即访问这个 URL 验证，所以第 2 步要先完成。

4. 同一应用 → 网页授权及JS-SDK → 可信域名：{host}
   （域名须已 ICP 备案且主体与本企业相关；按页面提示把 WW_verify_*.txt 放到网站根目录）

5. 同一应用 → 企业可信IP：填本服务器访问外网的出口IP。查看方法：
     在本服务器运行 curl -s https://ifconfig.me （或问网络管理员 NAT 出口地址）；
     lvzhi doctor 遇到 60020 时也会显示企业微信看到的地址（from ip）。
   改动约 1 分钟后生效。

6. 再运行 lvzhi doctor，全部为 ✓ 即可使用。
"""
