"""The database itself refuses to change or delete ledger transactions and postings."""

from __future__ import annotations

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError

from openchance import OpenChance
from tests.factories.ledger import deposit, funding

STATEMENTS = {
    "update a posting": "UPDATE ledger_postings SET amount_minor = amount_minor * 2",
    "delete a posting": "DELETE FROM ledger_postings",
    "update a transaction": "UPDATE ledger_transactions SET description = 'edited'",
    "delete a transaction": "DELETE FROM ledger_transactions",
}


class TestImmutability:
    @pytest.mark.parametrize("statement", STATEMENTS.values(), ids=STATEMENTS.keys())
    async def test_raw_sql_is_refused_by_the_database(self, oc: OpenChance, statement: str) -> None:
        await deposit(oc, funding(), 100)

        with pytest.raises(DBAPIError, match="immutable"):
            async with oc.engine.begin() as connection:
                await connection.execute(text(statement))

    async def test_the_rows_are_unchanged_after_a_refused_update(self, oc: OpenChance) -> None:
        transaction = await deposit(oc, funding(), 100)

        with pytest.raises(DBAPIError):
            async with oc.engine.begin() as connection:
                await connection.execute(text(STATEMENTS["update a posting"]))

        async with oc.engine.connect() as connection:
            amounts = (
                await connection.execute(text("SELECT amount_minor FROM ledger_postings"))
            ).scalars()
            assert sorted(amounts) == sorted(p.amount_minor for p in transaction.postings)
