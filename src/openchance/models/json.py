"""The JSON column type: JSONB on PostgreSQL, JSON text on SQLite."""

from sqlalchemy import JSON
from sqlalchemy.dialects.postgresql import JSONB

JSONDocument = JSON().with_variant(JSONB(), "postgresql")
