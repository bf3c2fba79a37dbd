"""The processor event inbox: each event is stored once and handled by a job, in any
order and any number of times, with one effect."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select

from openchance import Actor, OpenChance
from openchance.models.ledger import LedgerTransaction
from openchance.models.payments import EventOutcome, FundingStatus, ProcessorEvent, ProcessorName
from openchance.payments.inbox import receive_event
from tests.factories.challenges import insert_challenge
from tests.factories.payments import DECLINED_INSUFFICIENT_FUNDS, pay
from tests.factories.users import actor_for, create_user
from tests.support.jobs import drain

SYSTEM = Actor.system("tests")


async def events(oc: OpenChance) -> list[ProcessorEvent]:
    async with oc.unit_of_work(read_only=True) as uow:
        return list(
            await uow.session.scalars(select(ProcessorEvent).order_by(ProcessorEvent.received_at))
        )


async def deliver(oc: OpenChance, payload: dict[str, Any], *, event_id: str | None = None) -> bool:
    """Deliver a copy of ``payload`` as the webhook path does (under its own id unless
    ``event_id`` is given)."""
    async with oc.unit_of_work() as uow:
        return await receive_event(
            uow,
            processor=ProcessorName.LOCAL,
            event_id=event_id or str(payload["id"]),
            event_type=str(payload["type"]),
            object_id=str(payload["data"]["object"]["id"]),
            payload=payload,
        )


async def deposits(oc: OpenChance) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.scalars(
            select(LedgerTransaction.id).where(LedgerTransaction.kind == "funding_deposit")
        )
        return len(list(rows))


async def paid_challenge(oc: OpenChance, *, card: str = "4242424242424242") -> uuid.UUID:
    owner = await create_user(oc, email="owner@example.org")
    actor = await actor_for(oc, "owner@example.org")
    challenge = await insert_challenge(oc, owner)
    funding = await oc.escrow.start_funding(actor, challenge)
    await pay(oc, funding, card)
    return funding.id


class TestProcessorEvents:
    async def test_a_redelivered_event_is_stored_once(self, oc: OpenChance) -> None:
        await paid_challenge(oc)
        [event] = await events(oc)

        assert await deliver(oc, event.payload) is False
        assert await deliver(oc, event.payload) is False
        await drain(oc)

        assert len(await events(oc)) == 1
        assert await deposits(oc) == 1

    async def test_a_copy_under_a_new_id_changes_nothing(self, oc: OpenChance) -> None:
        await paid_challenge(oc)
        [event] = await events(oc)

        assert await deliver(oc, event.payload, event_id="evt_copy_1") is True
        await drain(oc)

        copy = next(e for e in await events(oc) if e.event_id == "evt_copy_1")
        assert copy.outcome is EventOutcome.IGNORED
        assert await deposits(oc) == 1

    async def test_a_stale_decline_after_success_leaves_the_funding_succeeded(
        self, oc: OpenChance
    ) -> None:
        funding_id = await paid_challenge(oc, card=DECLINED_INSUFFICIENT_FUNDS)
        [decline] = await events(oc)
        actor = await actor_for(oc, "owner@example.org")
        await pay(oc, await oc.escrow.get_funding(actor, funding_id))

        await deliver(oc, decline.payload, event_id="evt_late_decline")
        await drain(oc)

        funding = await oc.escrow.get_funding(actor, funding_id)
        assert funding.status is FundingStatus.SUCCEEDED
        assert funding.failure_code is None

    async def test_an_event_type_we_do_not_act_on_is_ignored(self, oc: OpenChance) -> None:
        payload = {"id": "evt_other", "type": "customer.created",
                   "data": {"object": {"id": "cus_1"}}}  # fmt: skip

        await deliver(oc, payload)
        await drain(oc)

        [event] = await events(oc)
        assert event.outcome is EventOutcome.IGNORED
        assert event.handled_at is not None
        assert await deposits(oc) == 0

    async def test_each_handled_event_records_what_it_did(self, oc: OpenChance) -> None:
        await paid_challenge(oc)

        [event] = await events(oc)

        assert event.type == "payment_intent.succeeded"
        assert event.outcome is EventOutcome.APPLIED
