from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import httpx
import pytest

from openchance import Settings, load_settings
from openchance_server.asgi import create_app_from_environment
from openchance_server.environment import settings_to_environment

SERVE = (
    "import os, openchance, openchance_server; "
    "openchance_server.serve(openchance.load_settings(), port=int(os.environ['TEST_PORT']))"
)


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def child_environment(settings: Settings, **extra: str) -> dict[str, str]:
    environment = {k: v for k, v in os.environ.items() if not k.startswith("OPENCHANCE_")}
    for name, value in settings_to_environment(settings).items():
        if value is not None:
            environment[name] = value
    return {**environment, **extra}


def wait_until_healthy(url: str, process: subprocess.Popen[bytes], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"the server exited early with code {process.returncode}")
        try:
            if httpx.get(url, timeout=0.5).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.05)
    pytest.fail(f"the server did not answer {url} within {timeout} s")


class TestSettingsThroughTheEnvironment:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {
            "mode": "production",
            "secret_key": "s" * 40,
            "cors_origins": ["https://a.example", "https://b.example"],
            "job_modules": [],
            "docs_enabled": True,
        }

    def test_round_trip(self, settings: Settings, monkeypatch: pytest.MonkeyPatch) -> None:
        for name, value in settings_to_environment(settings).items():
            if value is None:
                monkeypatch.delenv(name, raising=False)
            else:
                monkeypatch.setenv(name, value)

        assert load_settings(_env_file=None) == settings

    def test_the_factory_builds_the_app_from_them(
        self, settings: Settings, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        for name, value in settings_to_environment(settings).items():
            if value is not None:
                monkeypatch.setenv(name, value)

        app = create_app_from_environment()

        assert app.state.oc.settings.cors_origins == settings.cors_origins


@pytest.mark.slow
class TestServe:
    def test_serves_until_sigterm_then_exits_cleanly(
        self, settings: Settings, tmp_path: Path
    ) -> None:
        port = free_port()
        log = tmp_path / "server.log"
        with log.open("wb") as stderr:
            process = subprocess.Popen(
                [sys.executable, "-c", SERVE],
                env=child_environment(settings, TEST_PORT=str(port)),
                cwd=tmp_path,
                stdout=subprocess.DEVNULL,
                stderr=stderr,
            )
            try:
                wait_until_healthy(f"http://127.0.0.1:{port}/healthz", process, timeout=30)
                process.send_signal(signal.SIGTERM)
                returncode = process.wait(timeout=20)
            finally:
                if process.poll() is None:
                    process.kill()
                    process.wait()

        lines = [json.loads(line) for line in log.read_text().splitlines() if line.startswith("{")]
        assert returncode == 0, log.read_text()
        assert any(
            line["logger"] == "openchance.server.access" and line["path"] == "/healthz"
            for line in lines
        )
