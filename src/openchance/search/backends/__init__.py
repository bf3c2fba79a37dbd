"""Search backends: the database (SQLite FTS5 or PostgreSQL full text + pg_trgm), and
Meilisearch at scale. Each implements :class:`openchance.search.backend.SearchBackend`."""

from openchance.search.backends.database import DatabaseSearchBackend

__all__ = ["DatabaseSearchBackend"]
