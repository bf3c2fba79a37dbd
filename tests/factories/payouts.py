"""Payout accounts and released milestones, for the payout tests."""

from __future__ import annotations

from urllib.parse import parse_qs, urlparse

from openchance import Actor, OpenChance
from openchance.payments.milestone_schemas import MilestoneSubmit
from openchance.payments.payout_schemas import PayoutAccountRead, PayoutAccountRequest
from tests.factories.payments import Winners, accepted_winners, fund
from tests.support.jobs import drain

PAYS = "000123456789"
CLOSED_ACCOUNT = "000111111113"


async def onboard(oc: OpenChance, link_url: str, bank_account_number: str = PAYS) -> None:
    """Do what the holder does on the processor's onboarding page, and let the worker
    handle its ``account.updated`` event."""
    path = urlparse(link_url)
    account_id = path.path.split("/")[-2]
    [token] = parse_qs(path.query)["token"]
    await oc.local_processor.complete_onboarding(
        account_id, token=token, bank_account_number=bank_account_number
    )
    await drain(oc)


async def connect_payout_account(
    oc: OpenChance, solver: Actor, bank_account_number: str = PAYS, totp_code: str | None = None
) -> PayoutAccountRead:
    """Connect the solver's payout account and finish its onboarding."""
    link = await oc.payout_accounts.connect(solver, PayoutAccountRequest(totp_code=totp_code))
    await onboard(oc, link.onboarding_url, bank_account_number)
    account = await oc.payout_accounts.my_account(solver)
    assert account is not None
    return account


async def funded_winner(oc: OpenChance) -> Winners:
    """One winner accepted on a funded 1000.00 EUR prize."""
    winners = await accepted_winners(oc)
    await fund(oc, winners.owner, winners.challenge_id)
    return winners


async def approve_delivery(oc: OpenChance, winners: Winners) -> None:
    """The winner delivers; the challenger approves (the whole prize is released)."""
    [milestone] = await oc.milestones.list_milestones(winners.owner, winners.challenge_id)
    await oc.milestones.submit_milestone(
        winners.solvers[0], milestone.id, MilestoneSubmit(note="Done: the report is attached.")
    )
    await oc.milestones.approve_milestone(winners.owner, milestone.id)


async def released_winner(oc: OpenChance) -> Winners:
    """One winner of a funded 1000.00 EUR prize, whose delivery the challenger approved."""
    winners = await funded_winner(oc)
    await approve_delivery(oc, winners)
    return winners
