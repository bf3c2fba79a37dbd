"""Moderation and staff tooling: the audit log (reports, queues and tickets come later)."""
