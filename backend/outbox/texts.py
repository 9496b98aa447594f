"""The outbox's Chinese words: what a bot group gets instead of a file the bot cannot push."""

from __future__ import annotations

FILE_KINDS = {"image": "图表", "file": "文件"}
FILE_NOT_PUSHED = (
    "**{what}《{name}》未发到群里**\n"
    "智能机器人只能发文字和卡片。部门负责人和管理员可在履职助手控制台的“报告”页"
    "（/console/reports）下载；在设置页为本群填上“消息推送”的 key 后，图表和文件会直接发到群里。"
)
