"""The console's lifecycle: who starts and closes OpenChance, quitting, help."""

from __future__ import annotations

import pytest
from textual.widgets import HelpPanel

from openchance import Actor, OpenChance, Settings
from openchance.jobs import JobRegistry
from openchance_tui import OpenChanceConsole
from tests.tui.pilots import label_text, settle


class TestLifecycle:
    async def test_an_unstarted_platform_is_started_and_closed_by_the_console(
        self, settings: Settings, registry: JobRegistry
    ) -> None:
        platform = OpenChance(settings, registry=registry)
        console = OpenChanceConsole(platform, refresh_seconds=3600)

        async with console.run_test() as pilot:
            await settle(pilot)
            assert platform.started
            assert label_text(console, "#health-overall").startswith("DEGRADED")

        assert not platform.started

    async def test_a_started_platform_is_left_started(
        self, oc: OpenChance, console: OpenChanceConsole
    ) -> None:
        async with console.run_test() as pilot:
            await settle(pilot)

        assert oc.started

    def test_it_acts_as_the_console_operator_by_default(self, settings: Settings) -> None:
        assert OpenChanceConsole(OpenChance(settings)).actor == Actor.system("console")

    def test_the_refresh_period_must_be_positive(self, settings: Settings) -> None:
        with pytest.raises(ValueError, match="refresh_seconds"):
            OpenChanceConsole(OpenChance(settings), refresh_seconds=0)


class TestKeys:
    async def test_q_quits(self, console: OpenChanceConsole) -> None:
        async with console.run_test() as pilot:
            await settle(pilot)
            await pilot.press("q")

            assert console.return_code == 0

    async def test_question_mark_toggles_the_help_panel(self, console: OpenChanceConsole) -> None:
        async with console.run_test() as pilot:
            screen = await settle(pilot)
            await pilot.press("question_mark")
            assert len(screen.query(HelpPanel)) == 1

            await pilot.press("question_mark")
            assert len(screen.query(HelpPanel)) == 0
