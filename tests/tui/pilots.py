"""Helpers for driving the console with Pilot: wait for it to settle, read what it shows."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

import anyio
from textual.message import Message
from textual.notifications import Notification, Notify, SeverityLevel
from textual.pilot import Pilot
from textual.screen import Screen
from textual.widgets import Label

from openchance_tui import OpenChanceConsole
from openchance_tui.screens import DashboardScreen

M = TypeVar("M", bound=Message)
S = TypeVar("S", bound=Screen[Any])

SETTLE_TIMEOUT_SECONDS = 5.0


class MessageLog:
    """A ``run_test(message_hook=…)`` that keeps every message the app dispatched."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    def __call__(self, message: Message) -> None:
        self.messages.append(message)

    def of_type(self, kind: type[M]) -> list[M]:
        return [message for message in self.messages if isinstance(message, kind)]

    def notifications(self, severity: SeverityLevel | None = None) -> list[Notification]:
        return [
            message.notification
            for message in self.of_type(Notify)
            if severity is None or message.notification.severity == severity
        ]


async def settle(pilot: Pilot[None]) -> DashboardScreen:
    """Wait until the dashboard is up, every worker is done and what they posted is shown."""
    return await settle_on(pilot, DashboardScreen)


async def settle_on(pilot: Pilot[None], kind: type[S]) -> S:
    """Wait until a ``kind`` screen is on top, every worker is done and what they posted is
    shown."""
    app = pilot.app
    with anyio.fail_after(SETTLE_TIMEOUT_SECONDS):
        while not isinstance(app.screen, kind):
            await pilot.pause()
        await pilot.pause()
        # A handled message may start more workers (a retry reloads the jobs): loop.
        while running := [worker for worker in app.workers if not worker.is_finished]:
            await asyncio.gather(*(worker.wait() for worker in running), return_exceptions=True)
            await pilot.pause()
        await pilot.pause()
    screen = app.screen
    assert isinstance(screen, kind)
    return screen


def label_text(app: OpenChanceConsole, selector: str) -> str:
    return str(app.screen.query_one(selector, Label).content)
