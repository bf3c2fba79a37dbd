"""The console app: bindings, the screens (one mode each), and the OpenChance it was given."""

from __future__ import annotations

import asyncio

from textual.app import App
from textual.binding import Binding
from textual.widgets import HelpPanel

from openchance import Actor, OpenChance
from openchance.actor import ClientInfo
from openchance_tui.screens import (
    ChallengesReviewScreen,
    ConversationsScreen,
    DashboardScreen,
    PaymentsScreen,
    UsersScreen,
)

EXIT_GRACE_SECONDS = 5.0


class OpenChanceConsole(App[None]):
    """Staff console on ``oc``, acting as ``actor`` (the system operator by default).

    An ``oc`` that is not started yet is started on the console's event loop and closed
    when the console exits; a started one is left as it was given.
    """

    TITLE = "OpenChance console"
    CSS_PATH = "app.tcss"
    BINDINGS = [
        Binding("d", "switch_mode('dashboard')", "Dashboard"),
        Binding("u", "switch_mode('users')", "Users"),
        Binding("m", "switch_mode('moderation')", "Moderation"),
        Binding("v", "switch_mode('conversations')", "Conversations"),
        Binding("p", "switch_mode('payments')", "Payments"),
        Binding("q", "quit", "Quit"),
        Binding("r", "screen.reload", "Refresh"),
        Binding("question_mark", "toggle_help", "Help"),
    ]

    def __init__(
        self, oc: OpenChance, *, actor: Actor | None = None, refresh_seconds: float = 5.0
    ) -> None:
        if refresh_seconds <= 0:
            raise ValueError("refresh_seconds must be positive")
        super().__init__()
        self.oc = oc
        self.actor = actor if actor is not None else Actor.system("console")
        self.refresh_seconds = refresh_seconds
        self.client = ClientInfo.local("console")
        self._owns_platform = False
        self._add_modes()

    def _add_modes(self) -> None:
        # Each screen is a mode: switching keeps its state (search, cursor) for the way back.
        self.add_mode(
            "dashboard",
            lambda: DashboardScreen(self.oc, self.actor, refresh_seconds=self.refresh_seconds),
        )
        self.add_mode("users", lambda: UsersScreen(self.oc, self.actor, client=self.client))
        self.add_mode(
            "moderation", lambda: ChallengesReviewScreen(self.oc, self.actor, client=self.client)
        )
        self.add_mode(
            "conversations",
            lambda: ConversationsScreen(self.oc, self.actor, client=self.client),
        )
        self.add_mode("payments", lambda: PaymentsScreen(self.oc, self.actor, client=self.client))

    async def on_mount(self) -> None:
        self.sub_title = f"as {self.actor.label}"
        if not self.oc.started:
            await self.oc.start()
            self._owns_platform = True
        await self.switch_mode("dashboard")

    async def on_unmount(self) -> None:
        # Let loads under way finish (a call cancelled mid-query can leave an SQLite
        # connection holding its lock), then cancel what is left, before the engine closes.
        pending = [worker.wait() for worker in self.workers]
        try:
            await asyncio.wait_for(
                asyncio.gather(*pending, return_exceptions=True), timeout=EXIT_GRACE_SECONDS
            )
        except TimeoutError:
            self.workers.cancel_all()
            await asyncio.gather(
                *(worker.wait() for worker in self.workers), return_exceptions=True
            )
        if self._owns_platform:
            await self.oc.close()
        self._owns_platform = False
        self._add_modes()  # the app object can be run again

    def action_toggle_help(self) -> None:
        if self.screen.query(HelpPanel):
            self.action_hide_help_panel()
        else:
            self.action_show_help_panel()


def run_console(
    oc: OpenChance, *, actor: Actor | None = None, refresh_seconds: float = 5.0
) -> None:
    """Run the console in the terminal until the operator quits (blocking).

    Pass an ``OpenChance`` that is not started: the console starts it on its own event
    loop and closes it at exit (a started one belongs to another loop).
    """
    OpenChanceConsole(oc, actor=actor, refresh_seconds=refresh_seconds).run()
