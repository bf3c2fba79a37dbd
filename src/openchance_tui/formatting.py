"""How the console writes values that several components show."""

from __future__ import annotations

import uuid
from datetime import datetime

SIZE_UNITS = ("KB", "MB", "GB")


def format_time(moment: datetime | None) -> str:
    """A UTC timestamp to the second, or nothing."""
    return moment.strftime("%Y-%m-%d %H:%M:%S") if moment is not None else ""


def format_minute(moment: datetime | None) -> str:
    """A UTC timestamp to the minute (for columns), or nothing."""
    return moment.strftime("%Y-%m-%d %H:%M") if moment is not None else ""


def format_date(moment: datetime | None) -> str:
    """A UTC timestamp's day, or nothing."""
    return moment.strftime("%Y-%m-%d") if moment is not None else ""


def format_age(moment: datetime, now: datetime) -> str:
    """How long ago ``moment`` was, in its two largest units: ``3d 4h ago``, ``25m ago``."""
    minutes = max(0, int((now - moment).total_seconds()) // 60)
    if minutes == 0:
        return "just now"
    days, minutes = divmod(minutes, 24 * 60)
    hours, minutes = divmod(minutes, 60)
    if days:
        return f"{days}d {hours}h ago"
    if hours:
        return f"{hours}h {minutes}m ago"
    return f"{minutes}m ago"


def format_size(size_bytes: int) -> str:
    """A file size for people: ``512 B``, ``12.5 KB``, ``3.0 MB`` (powers of 1024)."""
    if size_bytes < 1024:
        return f"{size_bytes} B"
    size = float(size_bytes)
    for unit in SIZE_UNITS:
        size /= 1024
        if size < 1024 or unit == SIZE_UNITS[-1]:
            break
    return f"{size:.1f} {unit}"


def shorten(text: str, width: int) -> str:
    """The first line of ``text``, cut to ``width`` characters with an ellipsis."""
    lines = text.strip().splitlines()
    line = lines[0] if lines else ""
    return line if len(line) <= width else line[: width - 1] + "…"


def short_id(value: uuid.UUID) -> str:
    """The first 8 hex digits of an id: enough to tell rows apart in a column."""
    return value.hex[:8]
