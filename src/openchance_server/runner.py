"""Run the server on uvicorn: ``serve(settings)`` blocks until SIGINT or SIGTERM."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from types import FrameType
from typing import TypedDict

import uvicorn

from openchance import OpenChance, Settings
from openchance.config import LogLevel
from openchance.logs import configure_logging
from openchance_server.app import create_app
from openchance_server.environment import environment_applied, settings_to_environment

FACTORY = "openchance_server.asgi:create_app_from_environment"
STARTUP_FAILURE = 3  # uvicorn's own exit code when the app does not start
WS_HARD_LIMIT_FACTOR = 4


class _UvicornOptions(TypedDict):
    host: str
    port: int
    log_config: None
    log_level: str
    access_log: bool
    server_header: bool
    ws_max_size: int
    ws_ping_interval: float
    ws_ping_timeout: float
    ws_per_message_deflate: bool


def serve(
    settings: Settings,
    *,
    host: str = "127.0.0.1",
    port: int = 8000,
    workers: int = 1,
    run_worker: bool | None = None,
    log_level: str | None = None,
) -> None:
    """Serve the API until a signal asks it to stop.

    ``workers`` > 1 starts that many server processes (uvicorn's supervisor); they get
    these settings through ``OPENCHANCE_*`` environment variables. ``run_worker`` as in
    :func:`~openchance_server.create_app`; with several processes each runs its own job
    worker. ``log_level`` (DEBUG, INFO, WARNING or ERROR) overrides ``settings.log_level``.
    """
    if workers < 1:
        raise ValueError("workers must be at least 1")
    level = LogLevel((log_level or settings.log_level).upper())
    settings = settings.model_copy(update={"log_level": level})
    configure_logging(level)
    options = _UvicornOptions(
        host=host,
        port=port,
        log_config=None,  # keep our JSON logging
        log_level=level.lower(),
        access_log=False,  # AccessLogMiddleware logs every request
        server_header=False,
        # The app answers frames over ws_max_frame_bytes with an error frame; uvicorn
        # refuses far larger ones outright (close 1009) before they are read into memory.
        ws_max_size=settings.ws_max_frame_bytes * WS_HARD_LIMIT_FACTOR,
        ws_ping_interval=settings.ws_ping_interval_seconds,
        ws_ping_timeout=settings.ws_ping_timeout_seconds,
        ws_per_message_deflate=settings.ws_compression,
    )
    if workers == 1:
        app = create_app(OpenChance(settings), run_worker=run_worker)
        server = uvicorn.Server(uvicorn.Config(app, **options))
        with _stop_signals_end_normally(server):
            server.run()
        if not server.started:
            sys.exit(STARTUP_FAILURE)
        return
    if run_worker is False:
        settings = settings.model_copy(update={"run_worker_in_process": False})
    with environment_applied(settings_to_environment(settings)):
        uvicorn.run(FACTORY, factory=True, workers=workers, **options)


@contextmanager
def _stop_signals_end_normally(server: uvicorn.Server) -> Iterator[None]:
    """Let ``serve`` return (exit status 0) after a graceful stop on SIGINT or SIGTERM.

    Once it has shut down, uvicorn restores the previous handler and raises the signal
    again, which by default kills the process (SIGTERM) or raises KeyboardInterrupt
    (SIGINT). Our handler asks the server to stop instead, which also covers a signal
    arriving before uvicorn has installed its own.
    """
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def stop(signum: int, frame: FrameType | None) -> None:
        server.should_exit = True

    previous = {sig: signal.signal(sig, stop) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
