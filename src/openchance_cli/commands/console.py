"""``openchance console``: the staff console (Textual) on the same settings."""

from __future__ import annotations

from openchance import OpenChance
from openchance_cli.runtime import settings_or_exit


def console() -> None:
    """Open the terminal console: health and jobs, users, the challenge review queue."""
    from openchance_tui import run_console

    run_console(OpenChance(settings_or_exit()))
