"""Every check the project runs, locally and in CI: plain ``nox`` runs the default set.

- ``tests``: the suite on the embedded default (SQLite, in-process bus and cache).
- ``tests_postgres``: the same suite on PostgreSQL + Redis, from ``OPENCHANCE_TEST_POSTGRES_URL``
  and ``OPENCHANCE_TEST_REDIS_URL`` (default: the local servers), plus PostgreSQL-only tests.
- ``lint``, ``typecheck``, ``architecture``: ruff, mypy --strict, import-linter contracts.
- ``bench`` (not in the default set): speed goals, each as a ratio to a baseline in the same run.
"""

from __future__ import annotations

import os

import nox

nox.options.default_venv_backend = "uv|virtualenv"
nox.options.sessions = ["lint", "typecheck", "architecture", "tests", "tests_postgres"]
nox.options.error_on_missing_interpreters = True

POSTGRES_URL = os.environ.get(
    "OPENCHANCE_TEST_POSTGRES_URL", "postgresql://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("OPENCHANCE_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")
# Two cores in CI: one pytest worker per core. Override with e.g. `nox -- -n 0`.
PYTEST_ARGS = ["-n", os.environ.get("OPENCHANCE_TEST_PROCESSES", "auto"), "--maxprocesses=4"]
LINTED = ["src", "tests", "bench", "noxfile.py"]


@nox.session
def tests(session: nox.Session) -> None:
    """The whole suite on SQLite."""
    session.install("-e", ".[test]")
    session.run("pytest", *PYTEST_ARGS, *session.posargs, env={"OPENCHANCE_TEST_BACKEND": "sqlite"})


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
