"""A use case cancelled in the middle of a query leaves nothing behind that blocks shutdown."""

from __future__ import annotations

import anyio
from sqlalchemy import text

from openchance import OpenChance, Settings

SLOW_QUERY = text(
    "WITH RECURSIVE counter(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM counter "
    "WHERE n < 400000) SELECT count(*) FROM counter"
)


async def _slow_read(oc: OpenChance) -> None:
    async with oc.unit_of_work(read_only=True) as uow:
        await uow.session.execute(SLOW_QUERY)


class TestCancelledQuery:
    async def test_a_cancelled_query_does_not_hang_the_next_use_or_the_close(
        self, settings: Settings
    ) -> None:
        async with OpenChance(settings) as oc:
            with anyio.move_on_after(0.01):
                await _slow_read(oc)
            async with oc.unit_of_work(read_only=True) as uow:
                assert (await uow.session.execute(text("SELECT 1"))).scalar() == 1
            # The driver's thread finishes the cancelled query on its own; let it, so it
            # does not answer into a closed loop after the test.
            await anyio.sleep(1.0)
        # Leaving the test lets the event loop close: a connection whose close never
        # returns would hang here (pytest-timeout would report it).
