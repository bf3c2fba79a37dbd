"""The staff console: a Textual app on an ``OpenChance`` instance.

The CLI runs it with ``run_console(OpenChance(settings))``; tests drive
``OpenChanceConsole(oc)`` with ``run_test()``.
"""

from openchance_tui.app import OpenChanceConsole, run_console

__all__ = ["OpenChanceConsole", "run_console"]
