"""What the console's workers report back to the screens: past-tense facts.

A screen's workers post these to that screen only, so they do not bubble to the app.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from textual.message import Message

from openchance import OpenChanceError
from openchance.health.schemas import HealthReport
from openchance.jobs.schemas import JobCounts, JobDetail, JobRead


class JobAction(StrEnum):
    """What an operator can do to a job from the console."""

    RETRY = "retry"
    """Give a dead or cancelled job a fresh set of attempts."""
    CANCEL = "cancel"
    """Call off a pending or dead job."""


@dataclass
class HealthChecked(Message, bubble=False):
    report: HealthReport


@dataclass
class JobCountsLoaded(Message, bubble=False):
    counts: JobCounts


@dataclass
class DeadJobsLoaded(Message, bubble=False):
    jobs: Sequence[JobRead]


@dataclass
class JobRetried(Message, bubble=False):
    job: JobDetail


@dataclass
class JobCancelled(Message, bubble=False):
    job: JobDetail


@dataclass
class JobActionRefused(Message, bubble=False):
    """The core refused a job action (the job changed meanwhile, is gone, …)."""

    action: JobAction
    job_id: uuid.UUID
    error: OpenChanceError
