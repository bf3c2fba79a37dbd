"""Database plumbing: engines, sessions, the unit of work, shared column types and migrations."""
