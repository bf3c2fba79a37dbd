"""The local processor: the embedded default, so the demo and the library take payments
offline. Its payments live in the ``local_processor_payments`` table and behave like
Stripe PaymentIntents; its events (shaped like Stripe's, ``payment_intent.*``) go through
the same inbox as Stripe's webhooks.

The payer's side (what Stripe.js does in a browser) is :meth:`LocalProcessor.confirm_payment`
with one of Stripe's test cards (:mod:`.cards`) and, when the card asks for 3-D Secure,
:meth:`LocalProcessor.authenticate`. Each runs in a unit of work of its own: the processor
is an outside system, whatever our own transactions do.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotFound, PaymentFailed
from openchance.models.payments import (
    LocalDispute,
    LocalPayment,
    LocalPaymentStatus,
    LocalRefund,
    ProcessorName,
)
from openchance.payments.inbox import receive_event
from openchance.payments.ledger_rules import request_hash
from openchance.payments.processors.base import (
    PaymentState,
    ProcessorDispute,
    ProcessorPayment,
    ProcessorRefund,
    payment_intent_object,
)
from openchance.payments.processors.cards import (
    AUTHENTICATION_FAILED,
    TEST_CARDS,
    Decline,
    TestCard,
    normalise_card_number,
)
from openchance.payments.processors.local_connect import LocalConnect

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance


class LocalProcessor(LocalConnect):
    """Simulated cards and payments, connected accounts and payouts, kept in the
    application database."""

    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    @property
    def name(self) -> ProcessorName:
        return ProcessorName.LOCAL

    async def create_payment(
        self,
        *,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: Mapping[str, str],
    ) -> ProcessorPayment:
        """Stripe's idempotency rule: the same key and request return the first payment; the
        same key with another request is refused (``idempotency_key_reused``)."""
        request = {
            "amount": amount_minor,
            "currency": currency,
            "description": description,
            "metadata": dict(metadata),
        }
        digest = request_hash(request)
        async with self._platform.unit_of_work() as uow:
            dialect = uow.session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            payment_id = f"pi_local_{uuid.uuid4().hex[:24]}"
            now = utcnow()
            await uow.session.execute(
                insert(LocalPayment)
                .values(
                    id=payment_id,
                    idempotency_key=idempotency_key,
                    request_hash=digest,
                    amount_minor=amount_minor,
                    currency=currency,
                    description=description,
                    meta=dict(metadata),
                    client_secret=f"{payment_id}_secret_{secrets.token_urlsafe(18)}",
                    status=LocalPaymentStatus.REQUIRES_PAYMENT_METHOD,
                    created_at=now,
                    updated_at=now,
                )
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
            )
            payment = (
                await uow.session.scalars(
                    select(LocalPayment).where(LocalPayment.idempotency_key == idempotency_key)
                )
            ).one()
            if payment.request_hash != digest:
                raise Conflict(
                    "this idempotency key was used for another payment",
                    code="idempotency_key_reused",
                )
            return _port_payment(payment)

    async def cancel_payment(self, payment_id: str) -> ProcessorPayment:
        async with self._platform.unit_of_work() as uow:
            payment = await _load(uow, payment_id, for_update=True)
            if payment.status in (
                LocalPaymentStatus.REQUIRES_PAYMENT_METHOD,
                LocalPaymentStatus.REQUIRES_ACTION,
            ):
                payment.pending_card = None
                _set(payment, LocalPaymentStatus.CANCELED)
                await _emit(uow, payment, "payment_intent.canceled")
                await uow.flush()
            return _port_payment(payment)

    async def retrieve_dispute(self, dispute_id: str) -> ProcessorDispute:
        async with self._platform.unit_of_work(read_only=True) as uow:
            dispute = await uow.session.get(LocalDispute, dispute_id)
            if dispute is None:
                raise NotFound("dispute", dispute_id)
            return _port_dispute(dispute)

    async def close_dispute(self, dispute_id: str, *, won: bool) -> ProcessorDispute:
        """The card network's verdict on a dispute (what Stripe's test mode simulates with
        evidence ``winning_evidence`` / ``losing_evidence``); emits ``charge.dispute.closed``.
        ``dispute_closed`` when it was closed already."""
        async with self._platform.unit_of_work() as uow:
            dispute = (
                await uow.session.scalars(
                    select(LocalDispute).where(LocalDispute.id == dispute_id).with_for_update()
                )
            ).one_or_none()
            if dispute is None:
                raise NotFound("dispute", dispute_id)
            if dispute.status in ("won", "lost"):
                raise Conflict("the dispute was closed already", code="dispute_closed")
            dispute.status = "won" if won else "lost"
            await uow.flush()
            await _emit_dispute(uow, dispute, "charge.dispute.closed")
            return _port_dispute(dispute)

    async def list_payments(self, *, created_since: datetime | None) -> list[ProcessorPayment]:
        statement = select(LocalPayment).order_by(LocalPayment.created_at, LocalPayment.id)
        if created_since is not None:
            statement = statement.where(LocalPayment.created_at >= created_since)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return [_port_payment(row) for row in await uow.session.scalars(statement)]

    async def list_refunds(self, *, created_since: datetime | None) -> list[ProcessorRefund]:
        statement = select(LocalRefund).order_by(LocalRefund.created_at, LocalRefund.id)
        if created_since is not None:
            statement = statement.where(LocalRefund.created_at >= created_since)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return [_port_refund(row) for row in await uow.session.scalars(statement)]

    async def retrieve_payment(self, payment_id: str) -> ProcessorPayment:
        async with self._platform.unit_of_work(read_only=True) as uow:
            return _port_payment(await _load(uow, payment_id))

    async def create_refund(
        self,
        *,
        payment_id: str,
        amount_minor: int,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorRefund:
        """Refunds at once; refuses a payment that was not charged
        (``charge_not_refundable``) and more than remains of the charge
        (``refund_exceeds_charge``), as Stripe does; emits ``charge.refunded``."""
        digest = request_hash(
            {"payment": payment_id, "amount": amount_minor, "metadata": dict(metadata)}
        )
        async with self._platform.unit_of_work() as uow:
            existing = (
                await uow.session.scalars(
                    select(LocalRefund).where(LocalRefund.idempotency_key == idempotency_key)
                )
            ).one_or_none()
            if existing is not None:
                if existing.request_hash != digest:
                    raise Conflict(
                        "this idempotency key was used for another refund",
                        code="idempotency_key_reused",
                    )
                return _port_refund(existing)
            payment = await _load(uow, payment_id, for_update=True)
            if payment.status is not LocalPaymentStatus.SUCCEEDED:
                raise PaymentFailed(
                    "only a charged payment can be refunded", code="charge_not_refundable"
                )
            disputed = await uow.session.scalar(
                select(LocalDispute.id)
                .where(LocalDispute.payment_id == payment.id, LocalDispute.status != "won")
                .limit(1)
            )
            if disputed is not None:
                raise PaymentFailed(
                    "the cardholder disputes this charge: it cannot be refunded",
                    code="charge_disputed",
                )
            # int(): PostgreSQL sums bigints to numeric, and the event payload is JSON.
            refunded = int(
                await uow.session.scalar(
                    select(func.coalesce(func.sum(LocalRefund.amount_minor), 0)).where(
                        LocalRefund.payment_id == payment.id
                    )
                )
                or 0
            )
            if amount_minor <= 0 or refunded + amount_minor > payment.amount_minor:
                raise PaymentFailed(
                    f"{amount_minor} is more than remains of the charge "
                    f"({payment.amount_minor - refunded})",
                    code="refund_exceeds_charge",
                )
            refund = LocalRefund(
                id=f"re_local_{uuid.uuid4().hex[:24]}",
                payment_id=payment.id,
                idempotency_key=idempotency_key,
                request_hash=digest,
                amount_minor=amount_minor,
                currency=payment.currency,
                meta=dict(metadata),
                created_at=utcnow(),
            )
            uow.session.add(refund)
            await uow.flush()
            event_id = f"evt_local_{uuid.uuid4().hex[:24]}"
            charge = {
                "id": payment.id, "object": "charge", "payment_intent": payment.id,
                "amount": payment.amount_minor, "currency": payment.currency.lower(),
                "amount_refunded": refunded + amount_minor, "refunded": True,
            }  # fmt: skip
            await receive_event(
                uow,
                processor=ProcessorName.LOCAL,
                event_id=event_id,
                event_type="charge.refunded",
                object_id=payment.id,
                payload={"id": event_id, "object": "event", "type": "charge.refunded",
                         "created": int(utcnow().timestamp()), "data": {"object": charge}},
            )  # fmt: skip
            return _port_refund(refund)

    # -- the payer's side (Stripe.js in a browser) ---------------------------------------

    async def confirm_payment(
        self, payment_id: str, *, client_secret: str, card_number: str
    ) -> ProcessorPayment:
        """Charge the payment with a test card: it succeeds, is declined (the payment waits
        for another card) or asks for 3-D Secure. Refusals: ``unknown_test_card``,
        ``payment_not_confirmable`` (not waiting for a card), a wrong secret (not found)."""
        number = normalise_card_number(card_number)
        card = TEST_CARDS.get(number)
        if card is None:
            raise InvalidInput(
                "use one of the processor's test cards, e.g. 4242 4242 4242 4242",
                code="unknown_test_card",
                errors=[{"field": "card_number", "code": "unknown_test_card",
                         "message": "not a test card"}],
            )  # fmt: skip
        async with self._platform.unit_of_work() as uow:
            payment = await _load(uow, payment_id, for_update=True, client_secret=client_secret)
            if payment.status is not LocalPaymentStatus.REQUIRES_PAYMENT_METHOD:
                raise Conflict(
                    f"the payment is {payment.status.value}: it cannot be confirmed now",
                    code="payment_not_confirmable",
                    status=payment.status.value,
                )
            payment.card_last4 = number[-4:]
            if card.requires_authentication:
                payment.pending_card = number
                _set(payment, LocalPaymentStatus.REQUIRES_ACTION)
                await _emit(uow, payment, "payment_intent.requires_action")
            else:
                await _settle(uow, payment, card)
            await uow.flush()
            return _port_payment(payment)

    async def authenticate(
        self, payment_id: str, *, client_secret: str, approve: bool
    ) -> ProcessorPayment:
        """Complete (``approve``) or fail the 3-D Secure step; ``payment_not_authenticating``
        when the payment is not waiting for it."""
        async with self._platform.unit_of_work() as uow:
            payment = await _load(uow, payment_id, for_update=True, client_secret=client_secret)
            if payment.status is not LocalPaymentStatus.REQUIRES_ACTION:
                raise Conflict(
                    f"the payment is {payment.status.value}: nothing to authenticate",
                    code="payment_not_authenticating",
                    status=payment.status.value,
                )
            card = TEST_CARDS[payment.pending_card or ""]
            payment.pending_card = None
            if approve:
                await _settle(uow, payment, card)
            else:
                await _decline(uow, payment, AUTHENTICATION_FAILED)
            await uow.flush()
            return _port_payment(payment)


async def _settle(uow: UnitOfWork, payment: LocalPayment, card: TestCard) -> None:
    if card.decline is not None:
        await _decline(uow, payment, card.decline)
        return
    payment.last_error_code = payment.last_error_message = None
    _set(payment, LocalPaymentStatus.SUCCEEDED)
    await _emit(uow, payment, "payment_intent.succeeded")
    if card.disputed:
        dispute = LocalDispute(
            id=f"dp_local_{uuid.uuid4().hex[:24]}", payment_id=payment.id,
            amount_minor=payment.amount_minor, currency=payment.currency,
            reason="fraudulent", status="needs_response", created_at=utcnow(),
        )  # fmt: skip
        uow.session.add(dispute)
        await uow.flush()
        await _emit_dispute(uow, dispute, "charge.dispute.created")


async def _emit_dispute(uow: UnitOfWork, dispute: LocalDispute, event_type: str) -> None:
    event_id = f"evt_local_{uuid.uuid4().hex[:24]}"
    await receive_event(
        uow,
        processor=ProcessorName.LOCAL,
        event_id=event_id,
        event_type=event_type,
        object_id=dispute.id,
        payload={"id": event_id, "object": "event", "type": event_type,
                 "created": int(utcnow().timestamp()),
                 "data": {"object": _dispute_object(dispute)}},
    )  # fmt: skip


def _dispute_object(dispute: LocalDispute) -> dict[str, Any]:
    return {
        "id": dispute.id, "object": "dispute", "charge": dispute.payment_id,
        "payment_intent": dispute.payment_id, "amount": dispute.amount_minor,
        "currency": dispute.currency.lower(), "reason": dispute.reason, "status": dispute.status,
    }  # fmt: skip


def _port_dispute(dispute: LocalDispute) -> ProcessorDispute:
    return ProcessorDispute(
        id=dispute.id, payment_id=dispute.payment_id, amount_minor=dispute.amount_minor,
        currency=dispute.currency, reason=dispute.reason, status=dispute.status,
    )  # fmt: skip


async def _decline(uow: UnitOfWork, payment: LocalPayment, decline: Decline) -> None:
    payment.last_error_code = decline.code
    payment.last_error_message = decline.message
    _set(payment, LocalPaymentStatus.REQUIRES_PAYMENT_METHOD)
    await _emit(uow, payment, "payment_intent.payment_failed")


def _set(payment: LocalPayment, status: LocalPaymentStatus) -> None:
    payment.status = status
    payment.updated_at = utcnow()


async def _emit(uow: UnitOfWork, payment: LocalPayment, event_type: str) -> None:
    """The event Stripe would send for this change, into the shared inbox."""
    event_id = f"evt_local_{uuid.uuid4().hex[:24]}"
    event: dict[str, Any] = {
        "id": event_id,
        "object": "event",
        "type": event_type,
        "created": int(utcnow().timestamp()),
        "data": {"object": _intent_object(payment)},
    }
    await receive_event(
        uow,
        processor=ProcessorName.LOCAL,
        event_id=event_id,
        event_type=event_type,
        object_id=payment.id,
        payload=event,
    )


async def _load(
    uow: UnitOfWork,
    payment_id: str,
    *,
    for_update: bool = False,
    client_secret: str | None = None,
) -> LocalPayment:
    statement = select(LocalPayment).where(LocalPayment.id == payment_id)
    if for_update:
        statement = statement.with_for_update()
    payment = (await uow.session.scalars(statement)).one_or_none()
    if payment is None or (
        client_secret is not None and not hmac.compare_digest(payment.client_secret, client_secret)
    ):
        raise NotFound("payment", payment_id)
    return payment


def _intent_object(payment: LocalPayment) -> dict[str, Any]:
    return payment_intent_object(
        payment_id=payment.id,
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        status=payment.status.value,
        metadata=payment.meta,
        failure_code=payment.last_error_code,
        failure_message=payment.last_error_message,
    )


def _port_payment(payment: LocalPayment) -> ProcessorPayment:
    return ProcessorPayment(
        id=payment.id,
        state=PaymentState(payment.status.value),
        amount_minor=payment.amount_minor,
        currency=payment.currency,
        client_secret=payment.client_secret,
        metadata=dict(payment.meta),
        failure_code=payment.last_error_code,
        failure_message=payment.last_error_message,
    )


def _port_refund(refund: LocalRefund) -> ProcessorRefund:
    return ProcessorRefund(
        id=refund.id,
        payment_id=refund.payment_id,
        amount_minor=refund.amount_minor,
        currency=refund.currency,
        succeeded=True,
    )
