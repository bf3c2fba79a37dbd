"""Alembic environment. Always given a live connection by :mod:`openchance.db.migrate`."""

from __future__ import annotations

from alembic import context
from sqlalchemy.engine import Connection

import openchance.models  # noqa: F401 - registers every table on Base.metadata
from openchance.db.base import Base
from openchance.db.migrate import include_name

target_metadata = Base.metadata


def run_migrations(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=target_metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
        compare_server_default=True,
        include_name=include_name,
    )
    with context.begin_transaction():
        context.run_migrations()


connection = context.config.attributes.get("connection")
if connection is None:
    raise RuntimeError(
        "run migrations through `openchance db …` or openchance.db.migrate, "
        "which hand Alembic a connection"
    )
run_migrations(connection)
