"""The console's screens, each with its own ``.tcss`` beside it."""

from openchance_tui.screens.dashboard import DashboardScreen

__all__ = ["DashboardScreen"]
