"""Job-queue throughput: OpenChance workers against a raw SKIP LOCKED loop, on PostgreSQL.

Run from the repository root::

    python -m bench.jobs_throughput [--jobs 20000] [--workers 2] [--concurrency 8]
                                    [--json PATH] [--strict]

It creates a scratch database (dropped at the end, also on failure), measures a baseline
("raw loop": one synchronous psycopg connection that inserts, claims with ``FOR UPDATE
SKIP LOCKED`` and finishes one job per transaction), then enqueues the same number of
no-op jobs through OpenChance and times worker processes draining them. See
``bench/README.md``.

Exit status: 0 when the benchmark ran (a missed target is reported, not fatal), 1 when
``--strict`` is given and a target was missed, 2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import select
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import asdict, dataclass, field
from pathlib import Path
from types import FrameType
from typing import IO, Any

import anyio
import psycopg
from psycopg import sql
from psycopg.types.json import Jsonb
from sqlalchemy.engine import make_url

from bench.noop_jobs import NOOP, NoopPayload
from bench.worker_child import PROFILE_DIR_ENV, worker_main
from openchance.config import load_settings
from openchance.db import migrate
from openchance.db.engine import libpq_conninfo
from openchance.errors import ConfigurationError
from openchance.platform import OpenChance

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/test"
REPO_ROOT = Path(__file__).resolve().parent.parent
JOB_MODULE = "bench.noop_jobs"

TARGET_JOBS_PER_SECOND = 1000.0
TARGET_RATIO = 0.3

ENQUEUE_CHUNK = 2000
ENQUEUE_PARALLEL = 4
PROGRESS_POLL_SECONDS = 0.05
WORKER_POLL_INTERVAL_SECONDS = "0.05"
WORKER_READY_TIMEOUT_SECONDS = 60.0
WORKER_STOP_TIMEOUT_SECONDS = 30.0
MIN_DRAIN_TIMEOUT_SECONDS = 120.0

EXIT_OK = 0
EXIT_BELOW_TARGET = 1
EXIT_FAILED = 2


class BenchmarkError(RuntimeError):
    """The benchmark could not produce a measurement (as opposed to a slow one)."""


@dataclass
class Rate:
    jobs: int
    seconds: float

    @property
    def jobs_per_second(self) -> float:
        return self.jobs / self.seconds if self.seconds > 0 else float("inf")


@dataclass
class Results:
    jobs: int
    workers: int
    concurrency: int
    raw: Rate
    openchance: Rate
    enqueue_seconds: float
    worker_start_seconds: float
    jobs_run_more_than_once: int
    claim_batches: int
    environment: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.openchance.jobs_per_second / self.raw.jobs_per_second

    @property
    def below_target(self) -> list[str]:
        missed = []
        if self.openchance.jobs_per_second < TARGET_JOBS_PER_SECOND:
            missed.append("jobs_per_second")
        if self.ratio < TARGET_RATIO:
            missed.append("ratio")
        return missed

    def as_json(self) -> dict[str, Any]:
        return {
            "benchmark": "jobs_throughput",
            "jobs": self.jobs,
            "workers": self.workers,
            "concurrency": self.concurrency,
            "raw": {**asdict(self.raw), "jobs_per_second": self.raw.jobs_per_second},
            "openchance": {
                **asdict(self.openchance),
                "jobs_per_second": self.openchance.jobs_per_second,
                "enqueue_seconds": self.enqueue_seconds,
                "worker_start_seconds": self.worker_start_seconds,
                "jobs_run_more_than_once": self.jobs_run_more_than_once,
                "claim_batches": self.claim_batches,
                "jobs_per_claim": self.jobs / self.claim_batches if self.claim_batches else None,
            },
            "ratio": self.ratio,
            "targets": {"jobs_per_second": TARGET_JOBS_PER_SECOND, "ratio": TARGET_RATIO},
            "below_target": self.below_target,
            "status": "below target" if self.below_target else "ok",
            "environment": self.environment,
        }


# -- the scratch database ------------------------------------------------------------------


def admin_url() -> str:
    return os.environ.get("OPENCHANCE_TEST_POSTGRES_URL", DEFAULT_ADMIN_URL)


@contextmanager
def scratch_database() -> Iterator[str]:
    """A new PostgreSQL database for the block, dropped WITH (FORCE) afterwards."""
    name = f"oc_bench_{uuid.uuid4().hex[:10]}"
    base = admin_url()
    try:
        admin = psycopg.connect(libpq_conninfo(base), autocommit=True)
    except psycopg.OperationalError as exc:
        raise BenchmarkError(
            f"PostgreSQL at {base} does not answer ({exc}); start it or set "
            "OPENCHANCE_TEST_POSTGRES_URL"
        ) from exc
    with admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(base).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with psycopg.connect(libpq_conninfo(base), autocommit=True) as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def connect(url: str, *, autocommit: bool = True) -> psycopg.Connection[tuple[Any, ...]]:
    return psycopg.connect(libpq_conninfo(url), autocommit=autocommit)


def scalar(connection: psycopg.Connection[tuple[Any, ...]], query: str) -> Any:
    row = connection.execute(query).fetchone()
    assert row is not None
    return row[0]


# -- the baseline: a raw SKIP LOCKED loop ---------------------------------------------------


RAW_SETUP = [
    """
    CREATE TABLE bench_raw_jobs (
        id bigserial PRIMARY KEY,
        state text NOT NULL,
        payload jsonb NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now()
    )
    """,
    "CREATE INDEX ix_bench_raw_jobs_claim ON bench_raw_jobs (state, id)",
]
RAW_INSERT = "INSERT INTO bench_raw_jobs (state, payload) VALUES ('pending', %s)"
RAW_CLAIM = (
    "SELECT id FROM bench_raw_jobs WHERE state = 'pending' "
    "ORDER BY id LIMIT 1 FOR UPDATE SKIP LOCKED"
)
RAW_FINISH = "UPDATE bench_raw_jobs SET state = 'done', updated_at = now() WHERE id = %s"


def run_raw_loop(url: str, jobs: int) -> Rate:
    """Per job, in its own transaction: insert it, claim it, mark it done, commit."""
    with connect(url) as setup:
        for statement in RAW_SETUP:
            setup.execute(statement)
    with connect(url, autocommit=False) as connection:
        started = time.perf_counter()
        for n in range(jobs):
            connection.execute(RAW_INSERT, (Jsonb({"n": n}),))
            row = connection.execute(RAW_CLAIM).fetchone()
            if row is None:
                raise BenchmarkError("the raw loop found no pending row right after inserting one")
            connection.execute(RAW_FINISH, (row[0],))
            connection.commit()
        elapsed = time.perf_counter() - started
        done = scalar(connection, "SELECT count(*) FROM bench_raw_jobs WHERE state = 'done'")
        connection.rollback()
    if done != jobs:
        raise BenchmarkError(f"the raw loop finished {done} of {jobs} jobs")
    return Rate(jobs=jobs, seconds=elapsed)


# -- OpenChance: enqueue, then drain with worker processes ----------------------------------


async def enqueue_jobs(url: str, jobs: int) -> None:
    """Enqueue ``jobs`` no-op jobs through the public API, ``ENQUEUE_CHUNK`` per unit of work."""
    settings = load_settings(database_url=url, job_modules=[])
    chunks = [
        range(start, min(start + ENQUEUE_CHUNK, jobs)) for start in range(0, jobs, ENQUEUE_CHUNK)
    ]
    limiter = anyio.CapacityLimiter(ENQUEUE_PARALLEL)

    async with OpenChance(settings) as oc:

        async def enqueue_chunk(numbers: range) -> None:
            async with limiter, oc.unit_of_work() as uow:
                for n in numbers:
                    await uow.enqueue(NOOP, NoopPayload(n=n))

        async with anyio.create_task_group() as group:
            for numbers in chunks:
                group.start_soon(enqueue_chunk, numbers)


def worker_environment(url: str, profile_dir: Path | None) -> dict[str, str]:
    env = dict(os.environ)
    env.pop(PROFILE_DIR_ENV, None)
    if profile_dir is not None:
        env[PROFILE_DIR_ENV] = str(profile_dir.resolve())
    pythonpath = [str(REPO_ROOT), *filter(None, env.get("PYTHONPATH", "").split(os.pathsep))]
    env |= {
        "OPENCHANCE_DATABASE_URL": url,
        "OPENCHANCE_JOB_MODULES": JOB_MODULE,
        "OPENCHANCE_JOBS_POLL_INTERVAL_SECONDS": WORKER_POLL_INTERVAL_SECONDS,
        "PYTHONPATH": os.pathsep.join(pythonpath),
    }
    return env


@dataclass
class WorkerProcess:
    process: subprocess.Popen[str]
    stderr: IO[str]

    def stderr_tail(self, lines: int = 30) -> str:
        self.stderr.flush()
        self.stderr.seek(0)
        return "".join(self.stderr.readlines()[-lines:])


def start_workers(
    url: str, count: int, concurrency: int, profile_dir: Path | None
) -> list[WorkerProcess]:
    env = worker_environment(url, profile_dir)
    command = [
        sys.executable,
        "-m",
        "bench.jobs_throughput",
        "--worker-process",
        "--concurrency",
        str(concurrency),
    ]
    workers: list[WorkerProcess] = []
    for _ in range(count):
        stderr = tempfile.TemporaryFile(mode="w+", encoding="utf-8")  # noqa: SIM115 - closed in stop_workers
        process = subprocess.Popen(
            command,
            cwd=REPO_ROOT,
            env=env,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=stderr,
            text=True,
        )
        workers.append(WorkerProcess(process, stderr))
    return workers


def wait_until_ready(workers: Sequence[WorkerProcess]) -> None:
    """Each worker prints ``ready`` once imported and connected; wait for all of them."""
    deadline = time.monotonic() + WORKER_READY_TIMEOUT_SECONDS
    for worker in workers:
        stdout = worker.process.stdout
        assert stdout is not None
        remaining = deadline - time.monotonic()
        readable, _, _ = select.select([stdout], [], [], max(0.0, remaining))
        line = stdout.readline() if readable else ""
        if line.strip() != "ready":
            raise BenchmarkError(
                f"worker process {worker.process.pid} did not get ready "
                f"(exit status {worker.process.poll()}):\n{worker.stderr_tail()}"
            )


def release_workers(workers: Sequence[WorkerProcess]) -> None:
    for worker in workers:
        stdin = worker.process.stdin
        assert stdin is not None
        stdin.write("go\n")
        stdin.flush()


def wait_for_succeeded(
    connection: psycopg.Connection[tuple[Any, ...]],
    jobs: int,
    workers: Sequence[WorkerProcess],
    timeout: float,
) -> None:
    deadline = time.monotonic() + timeout
    while True:
        succeeded = scalar(connection, "SELECT count(*) FROM jobs WHERE state = 'succeeded'")
        if succeeded >= jobs:
            return
        for worker in workers:
            if worker.process.poll() is not None:
                raise BenchmarkError(
                    f"worker process {worker.process.pid} exited early with status "
                    f"{worker.process.returncode} after {succeeded} of {jobs} jobs:\n"
                    f"{worker.stderr_tail()}"
                )
        if time.monotonic() > deadline:
            raise BenchmarkError(
                f"only {succeeded} of {jobs} jobs succeeded within {timeout:.0f} s"
            )
        time.sleep(PROGRESS_POLL_SECONDS)


def stop_workers(workers: Sequence[WorkerProcess]) -> list[str]:
    """SIGTERM every worker, wait for them (SIGKILL stragglers); returns problems seen."""
    problems: list[str] = []
    for worker in workers:
        if worker.process.poll() is None:
            worker.process.send_signal(signal.SIGTERM)
    deadline = time.monotonic() + WORKER_STOP_TIMEOUT_SECONDS
    for worker in workers:
        try:
            worker.process.wait(timeout=max(0.0, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            worker.process.kill()
            worker.process.wait()
            problems.append(f"worker process {worker.process.pid} ignored SIGTERM; killed")
        else:
            if worker.process.returncode != 0:
                problems.append(
                    f"worker process {worker.process.pid} exited with status "
                    f"{worker.process.returncode}:\n{worker.stderr_tail()}"
                )
        for stream in (worker.process.stdin, worker.process.stdout):
            if stream is not None:
                with suppress(OSError):
                    stream.close()
        worker.stderr.close()
    return problems


@dataclass
class OpenChanceRun:
    rate: Rate
    enqueue_seconds: float
    worker_start_seconds: float
    jobs_run_more_than_once: int
    claim_batches: int


def run_openchance(
    url: str, jobs: int, worker_count: int, concurrency: int, profile_dir: Path | None = None
) -> OpenChanceRun:
    started = time.perf_counter()
    anyio.run(enqueue_jobs, url, jobs)
    enqueue_seconds = time.perf_counter() - started

    with connect(url) as connection:
        pending = scalar(connection, "SELECT count(*) FROM jobs WHERE state = 'pending'")
        if pending != jobs:
            raise BenchmarkError(f"enqueued {pending} pending jobs, expected {jobs}")

        spawned = time.perf_counter()
        workers = start_workers(url, worker_count, concurrency, profile_dir)
        try:
            wait_until_ready(workers)
            worker_start_seconds = time.perf_counter() - spawned
            # The clock starts when every worker is imported, connected and told to go,
            # so process start-up is not counted (nor skewed between workers).
            started = time.perf_counter()
            release_workers(workers)
            timeout = max(MIN_DRAIN_TIMEOUT_SECONDS, jobs / 100)
            wait_for_succeeded(connection, jobs, workers, timeout)
            elapsed = time.perf_counter() - started
        finally:
            problems = stop_workers(workers)
        if problems:
            raise BenchmarkError("\n".join(problems))

        row = connection.execute(
            "SELECT count(*) FILTER (WHERE state = 'succeeded'),"
            " count(*) FILTER (WHERE state <> 'succeeded'),"
            " count(*) FILTER (WHERE attempts > 1),"
            # One claim stamps its whole batch with the same started_at.
            " count(DISTINCT started_at)"
            " FROM jobs WHERE name = %s",
            (NOOP.name,),
        ).fetchone()
        assert row is not None
        succeeded, other, rerun, batches = (int(value) for value in row)
    if succeeded != jobs or other:
        raise BenchmarkError(f"{succeeded} of {jobs} jobs succeeded ({other} in another state)")
    return OpenChanceRun(
        rate=Rate(jobs=jobs, seconds=elapsed),
        enqueue_seconds=enqueue_seconds,
        worker_start_seconds=worker_start_seconds,
        jobs_run_more_than_once=rerun,
        claim_batches=batches,
    )


# -- reporting -------------------------------------------------------------------------------


def environment() -> dict[str, Any]:
    info: dict[str, Any] = {
        "python": platform.python_version(),
        "platform": platform.platform(),
        "cpu_count": os.cpu_count(),
    }
    with suppress(psycopg.Error), connect(admin_url()) as connection:
        info["postgresql"] = scalar(connection, "SHOW server_version")
        info["synchronous_commit"] = scalar(connection, "SHOW synchronous_commit")
    return info


def format_table(results: Results) -> str:
    raw, oc = results.raw, results.openchance
    rate_ok = oc.jobs_per_second >= TARGET_JOBS_PER_SECOND
    ratio_ok = results.ratio >= TARGET_RATIO
    rows = [
        (
            "raw loop (1 connection)",
            f"{raw.jobs_per_second:,.0f} jobs/s",
            f"{raw.seconds:.2f} s",
            "",
        ),
        (
            f"openchance ({results.workers}x{results.concurrency})",
            f"{oc.jobs_per_second:,.0f} jobs/s",
            f"{oc.seconds:.2f} s",
            f"target >= {TARGET_JOBS_PER_SECOND:,.0f}: {'ok' if rate_ok else 'BELOW TARGET'}",
        ),
        (
            "ratio openchance / raw",
            f"{results.ratio:.2f}x",
            "",
            f"target >= {TARGET_RATIO}x: {'ok' if ratio_ok else 'BELOW TARGET'}",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"jobs throughput, {results.jobs:,} no-op jobs"]
    for row in rows:
        lines.append(
            "  ".join(
                cell.rjust(width) if i in (1, 2) else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    lines.append(
        f"(enqueue {results.enqueue_seconds:.2f} s and worker start-up "
        f"{results.worker_start_seconds:.2f} s not counted; "
        f"{results.claim_batches:,} claims, "
        f"{results.jobs / max(1, results.claim_batches):.1f} jobs per claim; "
        f"{results.jobs_run_more_than_once} job(s) ran more than once)"
    )
    lines.append("result: " + ("below target" if results.below_target else "ok"))
    return "\n".join(lines)


# -- entry point -----------------------------------------------------------------------------


def positive(value: str) -> int:
    number = int(value)
    if number < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return number


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.jobs_throughput",
        description="Job-queue throughput of OpenChance workers against a raw SKIP LOCKED loop.",
    )
    parser.add_argument("--jobs", type=positive, default=20000, help="jobs per side (20000)")
    parser.add_argument("--workers", type=positive, default=2, help="worker processes (2)")
    parser.add_argument(
        "--concurrency", type=positive, default=8, help="concurrent jobs per worker (8)"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results as JSON")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    parser.add_argument(
        "--profile",
        type=Path,
        metavar="DIR",
        help="run each worker under cProfile and write DIR/worker-PID.prof (slows them down)",
    )
    parser.add_argument("--worker-process", action="store_true", help=argparse.SUPPRESS)
    return parser.parse_args(argv)


def _terminate(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)  # unwinds, so the scratch database is still dropped


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.worker_process:
        return worker_main(args.concurrency)

    signal.signal(signal.SIGTERM, _terminate)
    try:
        with scratch_database() as url:
            print(f"scratch database {make_url(url).database}: migrating", file=sys.stderr)
            anyio.run(migrate.upgrade, url)
            print(f"raw loop: {args.jobs:,} jobs", file=sys.stderr)
            raw = run_raw_loop(url, args.jobs)
            print(
                f"openchance: {args.jobs:,} jobs, {args.workers} worker(s) x {args.concurrency}",
                file=sys.stderr,
            )
            if args.profile is not None:
                args.profile.mkdir(parents=True, exist_ok=True)
            run = run_openchance(url, args.jobs, args.workers, args.concurrency, args.profile)
    except (BenchmarkError, ConfigurationError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("benchmark interrupted", file=sys.stderr)
        return EXIT_FAILED

    results = Results(
        jobs=args.jobs,
        workers=args.workers,
        concurrency=args.concurrency,
        raw=raw,
        openchance=run.rate,
        enqueue_seconds=run.enqueue_seconds,
        worker_start_seconds=run.worker_start_seconds,
        jobs_run_more_than_once=run.jobs_run_more_than_once,
        claim_batches=run.claim_batches,
        environment=environment(),
    )
    print(format_table(results))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results.as_json(), indent=2) + "\n", encoding="utf-8")
    if args.strict and results.below_target:
        return EXIT_BELOW_TARGET
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
