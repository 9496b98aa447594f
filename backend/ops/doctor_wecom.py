"""The doctor's network checks: WeCom's API, the public callback address, the group targets.

The errcodes an office meets first (wecom.md §9.1) are explained with the console steps that
fix them. The client keeps its access token in memory, so the doctor writes nothing.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass

import requests

from backend.ops.doctor_types import Finding, Level
from backend.settings import CALLBACK_PATH, Settings
from bot.client import WeComClient, WeComError, WeComUnavailable
from bot.crypto import CallbackCrypto

NETWORK_TIMEOUT_SECONDS = 8.0
GROUP_BUDGET_SECONDS = 60.0
BLOCKS_EVERY_CALL = frozenset({60020})  # no use probing the groups after this
PROBE_FILE = ("lvzhi-doctor.txt", b"lvzhi doctor check\n")
FROM_IP = re.compile(r"from ip: ([0-9A-Fa-f.:]+)")
APP_PAGE = "企业微信管理后台 → 应用管理 → 本自建应用"
SECRET_WRONG = (
    "应用 Secret（WECOM_SECRET）不对，或填的是别的应用（例如通讯录同步）的 Secret",
    f"{APP_PAGE} → Secret 点“查看”，把发到管理员企业微信里的 Secret 填入 WECOM_SECRET；"
    "同一页的 AgentId 填入 WECOM_AGENT_ID",
)
EXPLANATIONS: dict[int, tuple[str, str]] = {
    40013: (
        "企业ID（WECOM_CORP_ID）不对",
        "企业微信管理后台 → 我的企业 → 企业信息，复制页面最下方的“企业ID”到 WECOM_CORP_ID",
    ),
    40001: SECRET_WRONG,
    40091: SECRET_WRONG,
    40125: SECRET_WRONG,
    60020: (
        "本服务器的出口IP{ip}不在本应用的“企业可信IP”名单中，企业微信拒绝调用",
        f"{APP_PAGE} → 企业可信IP → 配置，加入{{ip}}（须先设置可信域名或接收消息URL），"
        "约 1 分钟后生效",
    ),
    60011: (
        "应用没有权限：可见范围不包括根部门（应用群聊 appchat 只对可见范围是根部门的应用开放）",
        f"{APP_PAGE} → 可见范围，加入最上级部门；做不到时把这些群改用群机器人（webhook:<key>）",
    ),
    48002: (
        "本应用无权调用这个接口（接口未授权）",
        f"{APP_PAGE}，确认应用的接口权限（读取通讯录要求可见范围覆盖这些部门）；"
        "仍不行请企业管理员开通权限",
    ),
    93000: (
        "群机器人 key 无效（机器人已被删除，或 key 抄错）",
        "在该群 → 群机器人 → 查看 Webhook 地址，把 key= 之后的部分重新填到部门的群设置",
    ),
    86003: (
        "应用群聊不存在（应用只能使用自己创建的群）",
        "在控制台为该部门重新创建应用群聊，或改用群机器人",
    ),
    -1: ("企业微信系统繁忙", "稍后再运行 lvzhi doctor"),
    45009: ("调用太频繁，被企业微信限流", "等 1 分钟再运行 lvzhi doctor"),
}


@dataclass(frozen=True)
class ChatTarget:
    """A group the system posts to: whose it is, the channel and the chatid or robot key."""

    owner: str
    kind: str
    target: str

    def shown(self) -> str:
        """Describe the target without revealing a robot's full key."""
        target = self.target if self.kind == "appchat" else self.target[:4] + "…"
        return f"{self.owner}（{self.kind}:{target}）"


def doctor_client(settings: Settings) -> WeComClient:
    """Build the WeCom client as the runtime does, but with its token kept in memory."""
    return WeComClient(
        api_base=settings.WECOM_API_BASE,
        corp_id=settings.WECOM_CORP_ID,
        secret=settings.WECOM_SECRET,
        agent_id=settings.WECOM_AGENT_ID,
        timeout=min(settings.LVZHI_HTTP_TIMEOUT, NETWORK_TIMEOUT_SECONDS),
        max_busy_retries=0,
    )


def explain(label: str, error: WeComError, api_base: str = "") -> Finding:
    """Turn a failed WeCom call into a finding that says what is wrong and how to fix it."""
    if isinstance(error, WeComUnavailable) and error.errcode is None:
        detail = f"连不上企业微信接口 {api_base}：{error.errmsg[:200]}"
        fix = "检查本机能否访问 qyapi.weixin.qq.com:443（防火墙、DNS、出网代理 HTTPS_PROXY）"
        return Finding(label, Level.FAIL, detail, fix)
    known = EXPLANATIONS.get(error.errcode) if error.errcode is not None else None
    if known is None:
        code = error.errcode
        detail = f"企业微信返回 errcode {code}：{error.errmsg}"
        fix = f"在 https://open.work.weixin.qq.com/devtool/query?e={code} 查询该错误码"
        return Finding(label, Level.FAIL, detail, fix)
    match = FROM_IP.search(error.errmsg)
    ip = f" {match.group(1)} " if match else ""
    what, fix = known
    return Finding(
        label, Level.FAIL, f"errcode {error.errcode}：{what.format(ip=ip)}", fix.format(ip=ip)
    )


def wecom_findings(client: WeComClient) -> tuple[list[Finding], bool]:
    """Fetch a token, then make one harmless call; say whether the groups can be probed."""
    try:
        client.access_token()
    except WeComError as error:
        return [explain("企业微信 gettoken", error, client.api_base)], False
    found = [Finding("企业微信 gettoken", Level.OK, "取得 access_token（企业ID与 Secret 正确）")]
    try:
        departments = client.list_departments()
    except WeComError as error:
        usable = error.errcode not in BLOCKS_EVERY_CALL and not isinstance(error, WeComUnavailable)
        return [*found, explain("企业微信接口调用", error, client.api_base)], usable
    detail = f"department/list 可用，应用能看到 {len(departments)} 个部门"
    return [*found, Finding("企业微信接口调用", Level.OK, detail)], True


def url_verification(settings: Settings) -> Finding:
    """Verify the callback URL through the public address exactly as WeCom's console does."""
    url = settings.PUBLIC_BASE_URL.rstrip("/") + CALLBACK_PATH
    crypto = CallbackCrypto(settings.WECOM_TOKEN, settings.WECOM_AES_KEY, settings.WECOM_CORP_ID)
    echo = str(10**17 + secrets.randbelow(9 * 10**17))
    _, params = crypto.encrypt_echostr(echo)
    label = "回调地址验证"
    try:
        with requests.Session() as http:
            response = http.get(
                url, params=params, timeout=NETWORK_TIMEOUT_SECONDS, allow_redirects=False
            )
    except requests.exceptions.SSLError:
        detail = f"{url} 的 HTTPS 证书无法验证"
        fix = "使用受信任 CA 签发的证书（含完整证书链）；企业微信不接受自签名证书"
        return Finding(label, Level.FAIL, detail, fix)
    except requests.RequestException as exc:
        detail = f"无法访问 {url}（{type(exc).__name__}）"
        fix = "确认 lvzhi-web 和 nginx 在运行、域名解析到本服务器、防火墙放行 443 端口"
        return Finding(label, Level.FAIL, detail, fix)
    return _verification_answer(label, url, response, echo)


def _verification_answer(label: str, url: str, response: requests.Response, echo: str) -> Finding:
    """Judge the answer to the signed GET: the bare echo, or what went wrong."""
    status = response.status_code
    if status == 200 and response.text == echo:
        return Finding(label, Level.OK, f"{url} 正确返回了解密后的 echostr")
    restart = "改过 .env 后要重启服务：sudo systemctl restart lvzhi-web"
    problems = {
        403: ("签名或企业ID校验失败：运行中的服务用的 WECOM_TOKEN/企业ID 与这份配置不同", restart),
        400: ("解密失败：运行中的服务用的 WECOM_AES_KEY 与这份配置不同", restart),
        404: ("这个地址没有回调接口", "检查 nginx 是否把请求转发给 lvzhi，以及 PUBLIC_BASE_URL"),
    }
    if status in problems:
        what, fix = problems[status]
    elif status in (301, 302, 307, 308):
        what = f"被重定向到 {response.headers.get('Location', '?')}"
        fix = "PUBLIC_BASE_URL 直接写最终的 https 地址（企业微信不跟随重定向）"
    elif status >= 500:
        what, fix = (
            "服务出错或没有运行（nginx 返回 5xx）",
            "sudo systemctl status lvzhi-web，并看日志",
        )
    else:
        what, fix = "返回的内容不是 echostr", "确认该地址由 lvzhi 提供，而不是别的网站"
    return Finding(label, Level.FAIL, f"{url}：HTTP {status}，{what}", fix)


def target_findings(client: WeComClient, targets: list[ChatTarget]) -> list[Finding]:
    """Check every distinct group target once, within a shared time budget."""
    if not targets:
        detail = "没有设置部门群或管理员群：周报、月报和通知不会发到群里"
        return [Finding("群聊", Level.WARN, detail, "在控制台的部门设置里填写群聊或群机器人")]
    distinct = list({(t.kind, t.target): t for t in targets}.values())
    deadline, found = time.monotonic() + GROUP_BUDGET_SECONDS, []
    for checked, target in enumerate(distinct):
        if time.monotonic() > deadline:
            detail = f"时间用完，其余 {len(distinct) - checked} 个群没有检查"
            found.append(Finding("群聊", Level.WARN, detail, "稍后再运行 lvzhi doctor"))
            break
        problem = _target_problem(client, target)
        if problem is not None:
            found.append(problem)
    if not found:
        found.append(Finding("群聊", Level.OK, f"{len(distinct)} 个群都可以使用"))
    return found


def _target_problem(client: WeComClient, target: ChatTarget) -> Finding | None:
    """Probe one group harmlessly: appchat/get, or a tiny upload for a group robot."""
    if target.kind == "bot":  # only a push into the group could test it: lvzhi bot's log says
        return None
    try:
        if target.kind == "appchat":
            client.call("GET", "appchat/get", params={"chatid": target.target})
        else:
            client.webhook_upload(target.target, *PROBE_FILE)
    except WeComError as error:
        finding = explain("群聊", error, client.api_base)
        return Finding("群聊", Level.FAIL, f"{target.shown()}：{finding.detail}", finding.fix)
    return None
