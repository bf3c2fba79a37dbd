"""Durable jobs: typed handlers, the outbox queue table, workers and schedules."""

from openchance.jobs.registry import JobContext, JobRegistry, Schedule
from openchance.jobs.types import JobType

__all__ = ["JobContext", "JobRegistry", "JobType", "Schedule"]
