"""Every table, one module per aggregate. Importing this package registers them all on ``Base``."""

from openchance.models.events import EventRecord
from openchance.models.jobs import Job, JobState
from openchance.models.workers import WorkerRecord

__all__ = ["EventRecord", "Job", "JobState", "WorkerRecord"]
