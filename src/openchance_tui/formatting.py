"""How the console writes values that several components show."""

from __future__ import annotations

from datetime import datetime


def format_time(moment: datetime | None) -> str:
    """A UTC timestamp to the second, or nothing."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else ""
