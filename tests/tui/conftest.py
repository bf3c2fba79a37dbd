"""The console on the test's OpenChance, with refreshes driven by the tests."""

from __future__ import annotations

import pytest

from openchance import OpenChance
from openchance_tui import OpenChanceConsole
from tests.tui.pilots import MessageLog

# The timer would race the assertions; tests that need it pass their own period.
MANUAL_REFRESH_SECONDS = 3600.0


@pytest.fixture
def console(oc: OpenChance) -> OpenChanceConsole:
    return OpenChanceConsole(oc, refresh_seconds=MANUAL_REFRESH_SECONDS)


@pytest.fixture
def messages() -> MessageLog:
    return MessageLog()
