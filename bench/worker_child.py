"""The worker process the throughput benchmark starts (``--worker-process``).

It prints ``ready`` once imported and connected, waits for ``go`` on stdin, then works
until SIGTERM/SIGINT, or until stdin closes (the benchmark died).
"""

from __future__ import annotations

import os
import signal
import sys
from pathlib import Path

import anyio

from openchance.config import load_settings
from openchance.platform import OpenChance

PROFILE_DIR_ENV = "BENCH_PROFILE_DIR"


async def read_stdin_line() -> str:
    """One line from stdin without a thread ("" at end of file, i.e. when the parent is gone)."""
    fd = sys.stdin.fileno()
    data = b""
    while not data.endswith(b"\n"):
        await anyio.wait_readable(fd)
        chunk = os.read(fd, 64)
        if not chunk:
            break
        data += chunk
    return data.decode()


async def serve_worker(concurrency: int) -> None:
    """Start, print ``ready``, wait for ``go`` on stdin, then work until told to stop.

    Stops on SIGTERM or SIGINT (gracefully, through ``request_stop``) and also when stdin
    reaches end of file, so a worker never outlives a benchmark that died.
    """
    async with OpenChance(load_settings()) as oc:
        async with oc.engine.connect() as connection:
            await connection.exec_driver_sql("SELECT 1")
        worker = oc.worker(concurrency=concurrency, run_schedules=False)
        working = False

        async with anyio.create_task_group() as group:

            def stop() -> None:
                if working:
                    worker.request_stop()
                else:
                    group.cancel_scope.cancel()

            async def stop_on_signal() -> None:
                with anyio.open_signal_receiver(signal.SIGTERM, signal.SIGINT) as signals:
                    async for _signal in signals:
                        stop()

            async def stop_when_orphaned() -> None:
                while await read_stdin_line():
                    pass
                stop()

            group.start_soon(stop_on_signal)
            print("ready", flush=True)
            if (await read_stdin_line()).strip() == "go":
                working = True
                group.start_soon(stop_when_orphaned)
                await worker.run()
            group.cancel_scope.cancel()


def worker_main(concurrency: int) -> int:
    import logging

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr)
    profile_dir = os.environ.get(PROFILE_DIR_ENV)
    if not profile_dir:
        anyio.run(serve_worker, concurrency)
        return 0
    import cProfile

    profiler = cProfile.Profile()
    profiler.runcall(anyio.run, serve_worker, concurrency)
    profiler.dump_stats(Path(profile_dir) / f"worker-{os.getpid()}.prof")
    return 0
