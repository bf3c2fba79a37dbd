"""The operator's invariant check finds nothing on a sound ledger and names what is broken."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import text

from openchance import Actor, OpenChance, PermissionDenied
from openchance.payments.schemas import InvariantReport
from tests.factories.ledger import deposit, escrow, funding, move, post, reverse

SYSTEM = Actor.system("tests")

INVARIANTS = [
    "transactions_balance",
    "posting_currencies_match_accounts",
    "cached_balances_match_postings",
    "balances_above_floors",
    "reversals_valid",
    "payouts_match_payable",
]


def _violations(report: InvariantReport) -> dict[str, int]:
    return {check.name: check.violation_count for check in report.checks if not check.ok}


async def _sound_ledger(oc: OpenChance) -> None:
    challenger = funding()
    await deposit(oc, challenger, 1_000)
    await post(oc, move(challenger, escrow(), 600))
    await reverse(oc, (await deposit(oc, funding("USD"), 50)).id)


class TestCheckInvariants:
    async def test_a_sound_ledger_has_no_violations(self, oc: OpenChance) -> None:
        await _sound_ledger(oc)

        report = await oc.ledger.check_invariants(SYSTEM)

        assert [check.name for check in report.checks] == INVARIANTS
        assert report.ok, report

    async def test_every_transaction_is_counted(self, oc: OpenChance) -> None:
        await _sound_ledger(oc)

        report = await oc.ledger.check_invariants(SYSTEM)

        assert report.checks[0].checked == 4

    async def test_progress_is_reported_per_page(self, oc: OpenChance) -> None:
        await _sound_ledger(oc)
        seen: list[tuple[int, int]] = []

        await oc.ledger.check_invariants(SYSTEM, lambda done, total: seen.append((done, total)))

        assert seen == [(4, 4)]

    async def test_an_altered_cached_balance_is_found(self, oc: OpenChance) -> None:
        await _sound_ledger(oc)
        async with oc.engine.begin() as connection:
            await connection.execute(
                text(
                    "UPDATE ledger_accounts SET balance_minor = balance_minor + 1 "
                    "WHERE purpose = 'escrow'"
                )
            )

        report = await oc.ledger.check_invariants(SYSTEM)

        assert _violations(report) == {"cached_balances_match_postings": 1}

    @pytest.mark.postgres_only
    async def test_a_posting_edited_behind_the_triggers_back_is_found(self, oc: OpenChance) -> None:
        await _sound_ledger(oc)
        async with oc.engine.begin() as connection:
            # Replica mode skips ordinary triggers: what someone with superuser rights can do.
            await connection.execute(text("SET LOCAL session_replication_role = replica"))
            await connection.execute(
                text(
                    "UPDATE ledger_postings SET amount_minor = amount_minor - 1 "
                    "WHERE amount_minor = 600"
                )
            )

        report = await oc.ledger.check_invariants(SYSTEM)

        assert _violations(report) == {
            "transactions_balance": 1,
            "cached_balances_match_postings": 1,
        }

    async def test_users_without_a_staff_role_may_not_run_it(self, oc: OpenChance) -> None:
        actor = Actor.user(uuid.uuid4())

        with pytest.raises(PermissionDenied):
            await oc.ledger.check_invariants(actor)
