"""Run the emulator on a real socket, with the 'API down' fault at the connection level."""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Flask
from werkzeug.serving import WSGIRequestHandler, make_server

from bot.emulator.app import API_PREFIX, create_emulator_app
from bot.emulator.calls import BOT_SOCKET, EXTENSION
from bot.emulator.config import EmulatorConfig
from bot.emulator.longconn import BotSocket
from bot.emulator.state import EmulatorState
from bot.redact import redact


def _handler_class(state: EmulatorState, log_requests: bool) -> type[WSGIRequestHandler]:
    """Make a request handler that drops /cgi-bin/ connections while the API is 'down'."""

    class FaultyRequestHandler(WSGIRequestHandler):
        def run_wsgi(self) -> None:
            if self.path.startswith(API_PREFIX) and state.fault("api_down"):
                state.log_call(self.path.split("?", 1)[0], None, 0)
                self.close_connection = True
                return
            super().run_wsgi()

        def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
            if log_requests:  # tokens and secrets ride in the query string: hide their values
                line = redact(f"{self.command} {self.path} {self.request_version}")
                self.log("info", '"%s" %s %s', line, code, size)

    return FaultyRequestHandler


class EmulatorServer:
    """The emulator on a loopback port, served from a daemon thread."""

    def __init__(
        self,
        config: EmulatorConfig,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        log_requests: bool = False,
        bot_port: int = 0,
    ) -> None:
        self.app: Flask = create_emulator_app(config)
        self.bot_port = bot_port
        handler = _handler_class(self.state, log_requests)
        self._server = make_server(host, port, self.app, threaded=True, request_handler=handler)
        shown_host = "127.0.0.1" if host in ("", "0.0.0.0") else host  # noqa: S104
        self.url = f"http://{shown_host}:{self._server.server_port}"
        self.api_base = self.url + API_PREFIX
        self._thread: threading.Thread | None = None

    @property
    def state(self) -> EmulatorState:
        """The emulator's in-memory state."""
        return self.app.extensions[EXTENSION]

    @property
    def bot_socket(self) -> BotSocket | None:
        """The intelligent bot's long-connection server (None without a bot id)."""
        return self.app.extensions.get(BOT_SOCKET)

    def start(self) -> EmulatorServer:
        """Serve in a daemon thread; return self."""
        self._start_bot_socket()
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="wecom-emulator",
            daemon=True,
        )
        self._thread.start()
        return self

    def _start_bot_socket(self) -> None:
        config = self.state.config
        if config.bot_id and self.bot_socket is None:
            state = self.state
            socket = BotSocket(
                config.bot_id,
                config.bot_secret,
                state.record,
                is_member=lambda chatid: chatid in state.directory.users,
                in_group=lambda chatid: chatid in state.directory.botgroups,
            )
            self.app.extensions[BOT_SOCKET] = socket.start(self.bot_port)

    def stop(self) -> None:
        """Stop serving and close the socket."""
        if self.bot_socket is not None:
            self.bot_socket.stop()
        self._server.shutdown()
        self._server.server_close()
        if self._thread is not None:
            self._thread.join(timeout=5)

    def serve_forever(self) -> None:
        """Serve in the calling thread until interrupted."""
        self._server.serve_forever()

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, *exc_info: object) -> None:
        self.stop()


def run_emulator(
    config: EmulatorConfig,
    host: str = "127.0.0.1",
    port: int = 18080,
    bot_port: int = 18081,
    ca_file: str = "",
) -> None:
    """Run the emulator until Ctrl-C (the `lvzhi emulator` command).

    With a bot, its wss:// certificate is written to `ca_file` for `lvzhi bot` to trust.
    """
    server = EmulatorServer(config, host, port, log_requests=True, bot_port=bot_port)
    server._start_bot_socket()
    print(f" * 企业微信模拟器: {server.url}/  (API base {server.api_base})", flush=True)
    if server.bot_socket is not None:
        if ca_file:
            Path(ca_file).parent.mkdir(parents=True, exist_ok=True)
            Path(ca_file).write_bytes(server.bot_socket.certificate)
        print(f" * 智能机器人长连接: {server.bot_socket.url}", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server._server.server_close()
