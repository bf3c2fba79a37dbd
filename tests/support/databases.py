"""Test databases: a migrated template per test session, a clean copy per test.

SQLite: the template file is migrated once and copied for every test.
PostgreSQL: each pytest-xdist worker gets its own database, migrated once; after each
test every table is truncated. Nothing depends on leftovers of another run.

The seeded demo has a template of its own (seeding takes ~10 s): a copy of the SQLite
file, or on PostgreSQL a database created ``TEMPLATE`` the seeded one, dropped after the test.
"""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

import anyio
import psycopg
from psycopg import sql
from sqlalchemy.engine import make_url

import openchance.models  # noqa: F401 - registers every table
from openchance.challenges.seed import SEEDED_CATEGORIES
from openchance.db import migrate
from openchance.db.base import Base
from openchance.db.engine import libpq_conninfo

DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


def backend() -> str:
    name = os.environ.get("OPENCHANCE_TEST_BACKEND", "sqlite")
    if name not in {"sqlite", "postgres"}:
        raise RuntimeError(f"OPENCHANCE_TEST_BACKEND must be sqlite or postgres, not {name!r}")
    return name


def postgres_admin_url() -> str:
    return os.environ.get("OPENCHANCE_TEST_POSTGRES_URL", DEFAULT_POSTGRES_URL)


def redis_url() -> str:
    return os.environ.get("OPENCHANCE_TEST_REDIS_URL", DEFAULT_REDIS_URL)


def _admin_connect() -> psycopg.Connection[tuple[object, ...]]:
    try:
        return psycopg.connect(libpq_conninfo(postgres_admin_url()), autocommit=True)
    except psycopg.OperationalError as exc:
        raise RuntimeError(
            f"PostgreSQL at {postgres_admin_url()} does not answer ({exc}). Start it with "
            "`pg_ctlcluster --skip-systemctl-redirect $(ls /etc/postgresql) main start` or set "
            "OPENCHANCE_TEST_POSTGRES_URL."
        ) from exc


@contextmanager
def scratch_postgres_database(label: str) -> Iterator[str]:
    """A new, empty PostgreSQL database for the duration of the block; dropped afterwards."""
    name = f"oc_{label}_{uuid.uuid4().hex[:10]}".lower()
    with _admin_connect() as admin:
        admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    url = make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with _admin_connect() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


@contextmanager
def postgres_copy(template_url: str, label: str) -> Iterator[str]:
    """A new PostgreSQL database made from ``template_url``'s (which must have no open
    connections) for the duration of the block; dropped afterwards."""
    template = make_url(template_url).database
    assert template is not None
    name = f"oc_{label}_{uuid.uuid4().hex[:10]}".lower()
    with _admin_connect() as admin:
        admin.execute(
            sql.SQL("CREATE DATABASE {} TEMPLATE {}").format(
                sql.Identifier(name), sql.Identifier(template)
            )
        )
    url = make_url(postgres_admin_url()).set(database=name).render_as_string(hide_password=False)
    try:
        yield url
    finally:
        with _admin_connect() as admin:
            admin.execute(
                sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name))
            )


def copy_files_directory(source: Path, target: Path) -> None:
    """Whatever a seed left in its files directory, for a test using a copy of its database."""
    if source.is_dir():
        shutil.copytree(source, target, dirs_exist_ok=True)


def migrate_database(url: str) -> None:
    anyio.run(migrate.upgrade, url)


def sqlite_template(directory: Path) -> Path:
    path = directory / "template.db"
    migrate_database(f"sqlite:///{path}")
    return path


def sqlite_copy(template: Path, directory: Path) -> str:
    target = directory / f"openchance-{uuid.uuid4().hex[:8]}.db"
    shutil.copyfile(template, target)
    return f"sqlite:///{target}"


def truncate_all(url: str) -> None:
    """Empty every table, then put back the rows the migrations seed (the categories), so
    the next test starts from a freshly migrated database."""
    tables = [table.name for table in Base.metadata.sorted_tables]
    with psycopg.connect(libpq_conninfo(url), autocommit=True) as connection:
        connection.execute(
            sql.SQL("TRUNCATE {} RESTART IDENTITY CASCADE").format(
                sql.SQL(", ").join(sql.Identifier(name) for name in tables)
            )
        )
        now = datetime.now(UTC)
        with connection.cursor() as cursor:
            cursor.executemany(
                "INSERT INTO categories (id, slug, name, position, created_at, updated_at) "
                "VALUES (%s, %s, %s, %s, %s, %s)",
                [
                    (category.id, category.slug, category.name, position, now, now)
                    for position, category in enumerate(SEEDED_CATEGORIES)
                ],
            )
