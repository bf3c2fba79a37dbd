"""Async engines for SQLite (embedded default) and PostgreSQL (at scale)."""

from __future__ import annotations

import asyncio
import contextlib
import sqlite3
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import aiosqlite
from sqlalchemy import create_engine as create_sync_engine
from sqlalchemy import event
from sqlalchemy.engine import URL, Connection, Engine, make_url
from sqlalchemy.ext.asyncio import AsyncEngine, create_async_engine

SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MMAP_BYTES = 256 * 1024 * 1024
"""Read the file through memory mapping: pages are used in place instead of copied through
a 2 MB page cache, which makes reads spread over a large file (the search index joining
thousands of matches) several times faster."""
READ_ONLY_OPTION = "openchance_read_only"


def async_database_url(url: str | URL) -> URL:
    """Pick our async driver for a plain URL: aiosqlite for SQLite, psycopg 3 for PostgreSQL."""
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend == "sqlite":
        return parsed.set(drivername="sqlite+aiosqlite")
    if backend == "postgresql":
        return parsed.set(drivername="postgresql+psycopg")
    raise ValueError(f"unsupported database backend {backend!r}")


def sync_database_url(url: str | URL) -> URL:
    """The same database through a synchronous driver (for tools such as the benchmark)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return parsed.set(drivername="sqlite")
    return parsed.set(drivername="postgresql+psycopg")


def libpq_conninfo(url: str | URL) -> str:
    """A ``postgresql://`` URL that psycopg itself accepts (no SQLAlchemy driver suffix)."""
    parsed = make_url(url).set(drivername="postgresql")
    return parsed.render_as_string(hide_password=False)


def create_engine(database_url: str, *, pool_size: int = 10, echo: bool = False) -> AsyncEngine:
    url = async_database_url(database_url)
    if url.get_backend_name() == "sqlite":
        return _create_sqlite_engine(url, echo=echo)
    return create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,  # values (tokens, addresses) must not reach logs or job errors
        pool_size=pool_size,
        max_overflow=pool_size,
        pool_pre_ping=True,
        pool_recycle=1800,
    )


class _StopOnceConnection(aiosqlite.Connection):
    """aiosqlite's connection, with ``stop()`` made idempotent.

    When a query is cancelled, SQLAlchemy invalidates the connection: it starts a shielded
    graceful ``close()`` and, when that is cancelled too (anyio cancel scopes cancel every
    await), force-closes with ``stop()``. The graceful close then calls ``stop()`` a second
    time after the worker thread has already exited, and waits forever for an answer, so
    the event loop can never shut down. A second ``stop()`` here is a no-op instead.
    """

    _stopped = False

    def stop(self) -> asyncio.Future[Any] | None:
        if self._stopped:
            return None
        self._stopped = True
        return super().stop()


def _sqlite_creator(path: str) -> Callable[[], Awaitable[aiosqlite.Connection]]:
    async def connect() -> aiosqlite.Connection:
        def open_file() -> sqlite3.Connection:
            return sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)

        return await _StopOnceConnection(open_file, iter_chunk_size=64)

    return connect


def _create_sqlite_engine(url: URL, *, echo: bool) -> AsyncEngine:
    if url.database and url.database != ":memory:":
        # Best effort: if the folder cannot be made, connecting fails with a clear error
        # later (and /readyz reports the database down) instead of start-up crashing here.
        with contextlib.suppress(OSError):
            Path(url.database).expanduser().parent.mkdir(parents=True, exist_ok=True)
    engine = create_async_engine(
        url,
        echo=echo,
        hide_parameters=True,
        async_creator=_sqlite_creator(url.database or ":memory:"),
    )
    sync_engine = engine.sync_engine

    @event.listens_for(sync_engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _configure_sqlite(dbapi_connection)

    @event.listens_for(sync_engine, "begin")
    def _on_begin(connection: Connection) -> None:
        # A DEFERRED transaction that reads and then writes cannot wait for the
        # write lock: SQLite answers SQLITE_BUSY at once, and concurrent requests
        # fail. Write transactions therefore take the lock up front (IMMEDIATE)
        # and wait up to busy_timeout; read-only units of work stay DEFERRED so
        # readers never queue behind writers (WAL lets them read meanwhile).
        if connection.get_execution_options().get(READ_ONLY_OPTION):
            connection.exec_driver_sql("BEGIN")
        else:
            connection.exec_driver_sql("BEGIN IMMEDIATE")

    return engine


def create_sqlite_reader(database_url: str, *, pool_size: int = 10) -> Engine | None:
    """A synchronous engine on the same SQLite file, for reads that run whole on a worker
    thread (``anyio.to_thread``); None for PostgreSQL and for in-memory databases.

    Through aiosqlite every cursor call is a round trip to the connection's own thread
    (cursor, execute, fetch, close: four per statement, and BEGIN and ROLLBACK besides);
    a read of several statements made on one thread, start to end, makes one. Readers
    never block the writer nor each other (WAL).
    """
    url = sync_database_url(database_url)
    path = url.database
    if url.get_backend_name() != "sqlite" or not path or path == ":memory:":
        return None

    def connect() -> sqlite3.Connection:
        return sqlite3.connect(path, timeout=SQLITE_BUSY_TIMEOUT_MS / 1000, check_same_thread=False)

    engine = create_sync_engine(
        url, hide_parameters=True, creator=connect, pool_size=pool_size, max_overflow=pool_size
    )

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        _configure_sqlite(dbapi_connection)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Connection) -> None:
        connection.exec_driver_sql("BEGIN")  # DEFERRED: a reader takes no write lock

    return engine


def _configure_sqlite(dbapi_connection: Any) -> None:
    # Let us issue BEGIN ourselves (see _on_begin); the driver's implicit BEGIN would be
    # DEFERRED.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA mmap_size={SQLITE_MMAP_BYTES}")
    cursor.close()
