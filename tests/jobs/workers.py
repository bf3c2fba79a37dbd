"""Start real ``openchance worker`` processes against the test database."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from openchance import Settings

REPO_ROOT = Path(__file__).resolve().parents[2]


def worker_environment(settings: Settings, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("OPENCHANCE_")}
    env |= {
        "OPENCHANCE_DATABASE_URL": settings.database_url,
        "OPENCHANCE_JOB_MODULES": "tests.jobs.handlers",
        "OPENCHANCE_JOBS_POLL_INTERVAL_SECONDS": "0.05",
        "OPENCHANCE_JOBS_BACKOFF_BASE_SECONDS": "0",
        "OPENCHANCE_JOBS_LEASE_SECONDS": str(settings.jobs_lease_seconds),
        "OPENCHANCE_LOG_LEVEL": "WARNING",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO_ROOT), env.get("PYTHONPATH")])),
    }
    if settings.redis_url:
        env["OPENCHANCE_REDIS_URL"] = settings.redis_url
        env["OPENCHANCE_REDIS_NAMESPACE"] = settings.redis_namespace
    env |= extra
    return env


@contextmanager
def worker_processes(
    settings: Settings, count: int = 1, *, concurrency: int = 1, **extra: str
) -> Iterator[list[subprocess.Popen[bytes]]]:
    """``count`` worker processes; stopped with SIGTERM (then killed) when the block ends."""
    command = [sys.executable, "-m", "openchance_cli", "worker", "--concurrency", str(concurrency)]
    processes = [
        subprocess.Popen(command, env=worker_environment(settings, **extra), cwd=REPO_ROOT)
        for _ in range(count)
    ]
    try:
        yield processes
    finally:
        for process in processes:
            if process.poll() is None:
                process.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + 15
        for process in processes:
            try:
                process.wait(timeout=max(0.1, deadline - time.monotonic()))
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
