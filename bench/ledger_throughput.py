"""Ledger throughput: balanced two-posting transfers through ``post_transaction`` against
the same SQL in a plain psycopg loop, on PostgreSQL.

Run from the repository root::

    python -m bench.ledger_throughput [--transfers 5000] [--processes 2] [--concurrency 8]
                                      [--json PATH] [--strict]

It creates a scratch database (dropped at the end, also on failure), migrates it, opens
accounts through the ledger, then measures a baseline ("raw loop": one synchronous psycopg
connection doing, per transfer, ``SELECT … FOR UPDATE`` of the two accounts, ``INSERT`` of
the transaction and its two postings, two ``UPDATE``s of the balances, ``COMMIT``) and
OpenChance (P processes x C tasks, each transfer one unit of work calling
``ledger.post_transaction``). See ``bench/README.md``.

Exit status: 0 when the benchmark ran (a missed target is reported, not fatal), 1 when
``--strict`` is given and a target was missed, 2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import json
import multiprocessing
import queue
import signal
import sys
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from multiprocessing.synchronize import Barrier
from pathlib import Path
from typing import Any

import anyio
from psycopg.types.json import Jsonb
from sqlalchemy.engine import make_url

from bench.jobs_throughput import (
    BenchmarkError,
    Rate,
    _terminate,
    connect,
    environment,
    positive,
    scalar,
    scratch_database,
)
from openchance import Actor
from openchance.config import load_settings
from openchance.db import migrate
from openchance.errors import ConfigurationError
from openchance.models.ledger import AccountPurpose
from openchance.payments import ledger
from openchance.payments.ledger_rules import request_hash
from openchance.payments.schemas import AccountRef, PostingSpec
from openchance.platform import OpenChance

TARGET_TRANSFERS_PER_SECOND = 2000.0
TARGET_RATIO = 0.3
WARM_UP_TRANSFERS = 20
FUNDS_MINOR = 10**12
READY_TIMEOUT_SECONDS = 120.0
MIN_RUN_TIMEOUT_SECONDS = 600.0
"""Generous: a machine busy with other work ran at 30 transfers/s."""

EXIT_OK = 0
EXIT_BELOW_TARGET = 1
EXIT_FAILED = 2

Pair = tuple[uuid.UUID, uuid.UUID]


@dataclass
class Results:
    transfers: int
    processes: int
    concurrency: int
    raw: Rate
    openchance: Rate
    violations: int
    environment: dict[str, Any] = field(default_factory=dict)

    @property
    def ratio(self) -> float:
        return self.openchance.jobs_per_second / self.raw.jobs_per_second

    @property
    def below_target(self) -> list[str]:
        missed = []
        if self.openchance.jobs_per_second < TARGET_TRANSFERS_PER_SECOND:
            missed.append("transfers_per_second")
        if self.ratio < TARGET_RATIO:
            missed.append("ratio")
        return missed

    def as_json(self) -> dict[str, Any]:
        def rate(value: Rate) -> dict[str, Any]:
            return {
                "transfers": value.jobs,
                "seconds": value.seconds,
                "transfers_per_second": value.jobs_per_second,
            }

        return {
            "benchmark": "ledger_throughput",
            "transfers": self.transfers,
            "processes": self.processes,
            "concurrency": self.concurrency,
            "raw": rate(self.raw),
            "openchance": rate(self.openchance),
            "ratio": self.ratio,
            "invariant_violations": self.violations,
            "targets": {
                "transfers_per_second": TARGET_TRANSFERS_PER_SECOND,
                "ratio": TARGET_RATIO,
            },
            "below_target": self.below_target,
            "status": "below target" if self.below_target else "ok",
            "environment": self.environment,
        }


# -- accounts ---------------------------------------------------------------------------


async def open_accounts(url: str, pairs: int) -> list[Pair]:
    """``pairs`` pairs of accounts: the first of each funded from the world, the second
    empty; each transfer moves 1 cent one way, the next one back, so no lock is shared
    between pairs and no balance runs out."""
    settings = load_settings(database_url=url, job_modules=[])
    opened: list[Pair] = []
    async with OpenChance(settings) as oc, oc.unit_of_work() as uow:
        world = AccountRef.system(AccountPurpose.WORLD, "EUR")
        for _ in range(pairs):
            funded = AccountRef.funding(uuid.uuid4(), "EUR")
            deposit = await ledger.post_transaction(
                uow,
                idempotency_key=f"bench-deposit-{uuid.uuid4()}",
                kind="deposit",
                postings=[
                    PostingSpec(account=world, amount_minor=-FUNDS_MINOR, currency="EUR"),
                    PostingSpec(account=funded, amount_minor=FUNDS_MINOR, currency="EUR"),
                ],
            )
            empty = await ledger.get_or_create_account(uow, AccountRef.escrow(uuid.uuid4(), "EUR"))
            opened.append((deposit.postings[1].account_id, empty.id))
    return opened


def transfer_postings(source: uuid.UUID, target: uuid.UUID) -> list[PostingSpec]:
    return [
        PostingSpec(account=source, amount_minor=-1, currency="EUR"),
        PostingSpec(account=target, amount_minor=1, currency="EUR"),
    ]


# -- the baseline: the same SQL in a plain loop --------------------------------------------

RAW_LOCK = "SELECT id, balance_minor FROM ledger_accounts WHERE id = ANY(%s) ORDER BY id FOR UPDATE"
RAW_TRANSACTION = (
    "INSERT INTO ledger_transactions "
    "(id, idempotency_key, request_hash, kind, description, metadata, created_at) "
    "VALUES (%s, %s, %s, 'transfer', '', %s, %s)"
)
RAW_POSTINGS = (
    "INSERT INTO ledger_postings "
    "(id, transaction_id, account_id, amount_minor, currency, position) "
    "VALUES (%s, %s, %s, -1, 'EUR', 0), (%s, %s, %s, 1, 'EUR', 1)"
)
RAW_BALANCE = "UPDATE ledger_accounts SET balance_minor = %s WHERE id = %s"


def run_raw_loop(url: str, pair: Pair, transfers: int) -> Rate:
    source, target = pair
    with connect(url, autocommit=False) as connection:
        started = time.perf_counter()
        for n in range(transfers):
            rows = connection.execute(RAW_LOCK, ([source, target],)).fetchall()
            balances = {row[0]: row[1] for row in rows}
            if balances[source] < 1:
                raise BenchmarkError("the raw loop ran out of money")
            transaction_id = uuid.uuid4()
            key = f"raw-{n}-{transaction_id}"
            connection.execute(
                RAW_TRANSACTION,
                (transaction_id, key, request_hash({"n": n}), Jsonb({}), datetime.now(UTC)),
            )
            connection.execute(
                RAW_POSTINGS,
                (uuid.uuid4(), transaction_id, source, uuid.uuid4(), transaction_id, target),
            )
            connection.execute(RAW_BALANCE, (balances[source] - 1, source))
            connection.execute(RAW_BALANCE, (balances[target] + 1, target))
            connection.commit()
            source, target = target, source
        elapsed = time.perf_counter() - started
    return Rate(jobs=transfers, seconds=elapsed)


# -- OpenChance: processes x tasks, one unit of work per transfer --------------------------


def child_main(url: str, pairs: list[Pair], transfers: int, barrier: Barrier, results: Any) -> None:
    """One process: ``len(pairs)`` tasks, each moving money within its own pair."""
    try:
        anyio.run(_child, url, pairs, transfers, barrier)
    except BaseException as exc:
        results.put(("error", f"{type(exc).__name__}: {exc}"))
        raise
    results.put(("done", transfers * len(pairs)))


async def _child(url: str, pairs: list[Pair], transfers: int, barrier: Barrier) -> None:
    settings = load_settings(
        database_url=url, job_modules=[], database_pool_size=max(1, len(pairs))
    )
    async with OpenChance(settings) as oc:

        async def run(pair: Pair, count: int, label: str) -> None:
            source, target = pair
            for n in range(count):
                async with oc.unit_of_work() as uow:
                    await ledger.post_transaction(
                        uow,
                        idempotency_key=f"{label}-{n}-{uuid.uuid4()}",
                        kind="transfer",
                        postings=transfer_postings(source, target),
                    )
                source, target = target, source

        async with anyio.create_task_group() as group:
            for pair in pairs:
                group.start_soon(run, pair, WARM_UP_TRANSFERS, "warm-up")
        await anyio.to_thread.run_sync(barrier.wait, READY_TIMEOUT_SECONDS)
        async with anyio.create_task_group() as group:
            for pair in pairs:
                group.start_soon(run, pair, transfers, "bench")


def run_openchance(
    url: str, pairs: list[Pair], transfers: int, processes: int, concurrency: int
) -> Rate:
    """The clock runs from the moment every process is started, connected and warmed up
    until the last one reports its transfers done."""
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(processes + 1)
    results = context.Queue()
    per_task = transfers // (processes * concurrency)
    children = [
        context.Process(
            target=child_main,
            args=(
                url,
                pairs[i * concurrency : (i + 1) * concurrency],
                per_task,
                barrier,
                results,
            ),
        )
        for i in range(processes)
    ]
    for child in children:
        child.start()
    try:
        barrier.wait(READY_TIMEOUT_SECONDS)
        started = time.perf_counter()
        done = 0
        for _ in children:
            try:
                outcome, value = results.get(timeout=max(MIN_RUN_TIMEOUT_SECONDS, transfers / 5))
            except queue.Empty:
                raise BenchmarkError("a benchmark process did not finish in time") from None
            if outcome != "done":
                raise BenchmarkError(f"a benchmark process failed: {value}")
            done += int(value)
        elapsed = time.perf_counter() - started
    finally:
        for child in children:
            child.join(timeout=30)
            if child.is_alive():
                child.kill()
    return Rate(jobs=done, seconds=elapsed)


async def count_violations(url: str) -> int:
    async with OpenChance(load_settings(database_url=url, job_modules=[])) as oc:
        report = await oc.ledger.check_invariants(Actor.system("bench"))
    return sum(check.violation_count for check in report.checks)


# -- reporting ---------------------------------------------------------------------------


def format_table(results: Results) -> str:
    raw, oc = results.raw, results.openchance
    rate_ok = oc.jobs_per_second >= TARGET_TRANSFERS_PER_SECOND
    ratio_ok = results.ratio >= TARGET_RATIO
    rows = [
        (
            "raw loop (1 connection)",
            f"{raw.jobs_per_second:,.0f} transfers/s",
            f"{raw.seconds:.2f} s",
            "",
        ),
        (
            f"openchance ({results.processes}x{results.concurrency})",
            f"{oc.jobs_per_second:,.0f} transfers/s",
            f"{oc.seconds:.2f} s",
            f"target >= {TARGET_TRANSFERS_PER_SECOND:,.0f}: {'ok' if rate_ok else 'BELOW TARGET'}",
        ),
        (
            "ratio openchance / raw",
            f"{results.ratio:.2f}x",
            "",
            f"target >= {TARGET_RATIO}x: {'ok' if ratio_ok else 'BELOW TARGET'}",
        ),
    ]
    widths = [max(len(row[i]) for row in rows) for i in range(4)]
    lines = [f"ledger throughput, {results.transfers:,} balanced two-posting transfers per side"]
    for row in rows:
        lines.append(
            "  ".join(
                cell.rjust(width) if i in (1, 2) else cell.ljust(width)
                for i, (cell, width) in enumerate(zip(row, widths, strict=True))
            ).rstrip()
        )
    lines.append(f"invariant violations after the run: {results.violations}")
    lines.append("result: " + ("below target" if results.below_target else "ok"))
    return "\n".join(lines)


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.ledger_throughput",
        description="Ledger transfers per second through OpenChance against a raw psycopg loop.",
    )
    parser.add_argument("--transfers", type=positive, default=5000, help="per side (5000)")
    parser.add_argument("--processes", type=positive, default=2, help="OpenChance processes (2)")
    parser.add_argument(
        "--concurrency", type=positive, default=8, help="concurrent transfers per process (8)"
    )
    parser.add_argument("--json", type=Path, metavar="PATH", help="also write results as JSON")
    parser.add_argument(
        "--strict", action="store_true", help="exit with status 1 when a target is missed"
    )
    return parser.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    tasks = args.processes * args.concurrency
    if args.transfers < tasks:
        print(f"--transfers must be at least {tasks} (one per task)", file=sys.stderr)
        return EXIT_FAILED
    signal.signal(signal.SIGTERM, _terminate)
    try:
        with scratch_database() as url:
            print(f"scratch database {make_url(url).database}: migrating", file=sys.stderr)
            anyio.run(migrate.upgrade, url)
            pairs = anyio.run(open_accounts, url, tasks + 1)
            print(f"raw loop: {args.transfers:,} transfers", file=sys.stderr)
            raw = run_raw_loop(url, pairs[-1], args.transfers)
            print(
                f"openchance: {args.transfers:,} transfers, "
                f"{args.processes} process(es) x {args.concurrency}",
                file=sys.stderr,
            )
            oc = run_openchance(url, pairs[:-1], args.transfers, args.processes, args.concurrency)
            with connect(url) as connection:
                written = scalar(
                    connection, "SELECT count(*) FROM ledger_transactions WHERE kind = 'transfer'"
                )
            expected = raw.jobs + oc.jobs + WARM_UP_TRANSFERS * tasks
            if written != expected:
                raise BenchmarkError(f"{written} transfers written, {expected} expected")
            violations = anyio.run(count_violations, url)
    except (BenchmarkError, ConfigurationError) as exc:
        print(f"benchmark failed: {exc}", file=sys.stderr)
        return EXIT_FAILED
    except KeyboardInterrupt:
        print("benchmark interrupted", file=sys.stderr)
        return EXIT_FAILED

    results = Results(
        transfers=args.transfers,
        processes=args.processes,
        concurrency=args.concurrency,
        raw=raw,
        openchance=oc,
        violations=violations,
        environment=environment(),
    )
    print(format_table(results))
    if args.json is not None:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(json.dumps(results.as_json(), indent=2) + "\n", encoding="utf-8")
    if violations:
        print(f"benchmark failed: {violations} invariant violation(s)", file=sys.stderr)
        return EXIT_FAILED
    if args.strict and results.below_target:
        return EXIT_BELOW_TARGET
    return EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
