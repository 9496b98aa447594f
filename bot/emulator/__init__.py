"""A local WeCom (企业微信) emulator: server API, callbacks, a chat page and fault switches."""

from bot.emulator.app import create_emulator_app
from bot.emulator.config import EmulatorConfig
from bot.emulator.server import EmulatorServer, run_emulator

__all__ = ["EmulatorConfig", "EmulatorServer", "create_emulator_app", "run_emulator"]
