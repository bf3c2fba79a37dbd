"""``openchance serve --demo``: the one command a newcomer runs, for real, in a fresh folder."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

pytestmark = pytest.mark.slow

READY_DEADLINE_SECONDS = 90
"""Seeding the demo goes through the real use cases: seconds alone, much longer on two
cores shared with a parallel test run. Not a speed check (those live in bench/)."""


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _serve_demo(folder: Path, port: int) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCHANCE_")}
    return subprocess.Popen(
        [sys.executable, "-m", "openchance_cli", "serve", "--demo", "--port", str(port)],
        cwd=folder,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )


def _wait_until_ready(port: int, process: subprocess.Popen[str]) -> httpx.Response:
    deadline = time.monotonic() + READY_DEADLINE_SECONDS
    while time.monotonic() < deadline:
        assert process.poll() is None, "the server exited early"
        try:
            response = httpx.get(f"http://127.0.0.1:{port}/readyz", timeout=2)
            if response.json()["status"] == "ok":
                return response
        except httpx.TransportError:
            pass
        time.sleep(0.1)
    raise AssertionError("/readyz never reported ok")


def _stop(process: subprocess.Popen[str]) -> tuple[int, str]:
    process.send_signal(signal.SIGTERM)
    output, _ = process.communicate(timeout=20)
    return process.returncode, output


class TestServeDemo:
    def test_a_fresh_folder_gets_a_migrated_database_and_a_ready_server(
        self, tmp_path: Path
    ) -> None:
        port = _free_port()
        process = _serve_demo(tmp_path, port)
        try:
            ready = _wait_until_ready(port, process)
        finally:
            code, output = _stop(process)

        assert ready.status_code == 200
        assert code == 0
        assert (tmp_path / "openchance.db").exists()
        assert f"http://127.0.0.1:{port}/api/v1" in output

    def test_a_second_start_reuses_the_demo_database(self, tmp_path: Path) -> None:
        for _ in range(2):
            port = _free_port()
            process = _serve_demo(tmp_path, port)
            try:
                _wait_until_ready(port, process)
            finally:
                code, _ = _stop(process)
            assert code == 0
