"""The local processor's connected accounts, transfers and payouts (what Stripe Connect
Express does), kept in the application database.

Onboarding is :meth:`LocalConnect.complete_onboarding`, what Stripe's hosted onboarding
page does: the holder gives one of Stripe's test bank account numbers
(:data:`TEST_BANK_ACCOUNTS`), which decides whether their payouts arrive or fail. A payout
is ``in_transit`` when it is made; the job ``local_processor.settle_payout`` then plays the
bank (paid, or failed by the test number) and emits ``payout.paid`` / ``payout.failed``.
Events (``account.updated``, ``transfer.created``, ``payout.*``) carry the connected
account's id in ``account``, as Stripe's Connect events do, and go through the same inbox.
"""

from __future__ import annotations

import hmac
import secrets
import uuid
from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel
from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotFound, PaymentFailed
from openchance.jobs import JobContext, JobRegistry, JobType
from openchance.models.payments import ProcessorName
from openchance.models.payouts import LocalAccount, LocalPayout, LocalTransfer
from openchance.payments.inbox import receive_event
from openchance.payments.ledger_rules import request_hash
from openchance.payments.processors.base import (
    PayoutState,
    ProcessorAccount,
    ProcessorAccountLink,
    ProcessorPayout,
    ProcessorTransfer,
)

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

TEST_BANK_ACCOUNTS: dict[str, str | None] = {
    "000123456789": None,
    "000111111116": "no_account",
    "000111111113": "account_closed",
    "000222222227": "insufficient_funds",
    "000333333335": "debit_not_authorized",
    "000444444440": "invalid_currency",
}
"""Stripe's test bank account numbers: the payout succeeds (None) or fails with the code."""

ACCOUNT_LINK_LIFETIME = timedelta(minutes=5)
UNSPENT_PAYOUT_STATUSES = ("pending", "in_transit", "paid")
_KeyedRow = TypeVar("_KeyedRow", LocalTransfer, LocalPayout)


class SettleLocalPayout(BaseModel):
    payout_id: str


SETTLE_LOCAL_PAYOUT = JobType("local_processor.settle_payout", SettleLocalPayout)


class LocalConnect:
    """The payout half of the local processor."""

    _platform: OpenChance

    async def create_account(
        self, *, email: str, country: str, idempotency_key: str, metadata: Mapping[str, str]
    ) -> ProcessorAccount:
        digest = request_hash({"email": email, "country": country, "metadata": dict(metadata)})
        async with self._platform.unit_of_work() as uow:
            dialect = uow.session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            await uow.session.execute(
                insert(LocalAccount)
                .values(
                    id=f"acct_local_{uuid.uuid4().hex[:16]}", idempotency_key=idempotency_key,
                    request_hash=digest, email=email, country=country, details_submitted=False,
                    payouts_enabled=False, meta=dict(metadata), created_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["idempotency_key"])
            )  # fmt: skip
            account = (
                await uow.session.scalars(
                    select(LocalAccount).where(LocalAccount.idempotency_key == idempotency_key)
                )
            ).one()
            _check_same_request(account.request_hash, digest, "account")
            return _port_account(account)

    async def retrieve_account(self, account_id: str) -> ProcessorAccount:
        async with self._platform.unit_of_work(read_only=True) as uow:
            return _port_account(await _load_account(uow, account_id))

    async def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str
    ) -> ProcessorAccountLink:
        """A link to the local onboarding step; a new link makes the older one unusable."""
        async with self._platform.unit_of_work() as uow:
            account = await _load_account(uow, account_id, for_update=True)
            account.onboarding_token = secrets.token_urlsafe(24)
            base = str(self._platform.settings.public_base_url).rstrip("/")
            return ProcessorAccountLink(
                url=f"{base}/api/v1/processors/local/accounts/{account.id}/onboarding"
                f"?token={account.onboarding_token}",
                expires_at=utcnow() + ACCOUNT_LINK_LIFETIME,
            )

    async def create_transfer(
        self,
        *,
        account_id: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorTransfer:
        """Refuses an account that has not finished onboarding
        (``insufficient_capabilities_for_transfer``), as Stripe does."""
        digest = _movement_hash(account_id, amount_minor, currency, metadata)
        async with self._platform.unit_of_work() as uow:
            # The account's lock first: a concurrent repeat then finds the first's row.
            account = await _load_account(uow, account_id, for_update=True)
            existing = await _by_key(uow, LocalTransfer, idempotency_key)
            if existing is not None:
                _check_same_request(existing.request_hash, digest, "transfer")
                return _port_transfer(existing)
            if not account.details_submitted:
                raise PaymentFailed(
                    "the account cannot receive transfers before its onboarding is done",
                    code="insufficient_capabilities_for_transfer",
                )
            _check_amount(amount_minor)
            transfer = LocalTransfer(
                id=f"tr_local_{uuid.uuid4().hex[:24]}", idempotency_key=idempotency_key,
                request_hash=digest, account_id=account.id, amount_minor=amount_minor,
                currency=currency, meta=dict(metadata), created_at=utcnow(),
            )  # fmt: skip
            uow.session.add(transfer)
            await uow.flush()
            await _emit(uow, "transfer.created", _transfer_object(transfer), account.id)
            return _port_transfer(transfer)

    async def create_payout(
        self,
        *,
        account_id: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorPayout:
        """Refuses an account whose payouts are not enabled (``payouts_not_allowed``) and
        more than its balance (``balance_insufficient``)."""
        digest = _movement_hash(account_id, amount_minor, currency, metadata)
        async with self._platform.unit_of_work() as uow:
            account = await _load_account(uow, account_id, for_update=True)
            existing = await _by_key(uow, LocalPayout, idempotency_key)
            if existing is not None:
                _check_same_request(existing.request_hash, digest, "payout")
                return _port_payout(existing)
            if not account.payouts_enabled:
                raise PaymentFailed(
                    "payouts are not enabled on this account", code="payouts_not_allowed"
                )
            _check_amount(amount_minor)
            available = await _balance(uow, account.id, currency)
            if amount_minor > available:
                raise PaymentFailed(
                    f"the account's balance is {available}, short of {amount_minor}",
                    code="balance_insufficient",
                )
            now = utcnow()
            payout = LocalPayout(
                id=f"po_local_{uuid.uuid4().hex[:24]}", idempotency_key=idempotency_key,
                request_hash=digest, account_id=account.id, amount_minor=amount_minor,
                currency=currency, status=PayoutState.IN_TRANSIT.value, arrival_date=now,
                meta=dict(metadata), created_at=now,
            )  # fmt: skip
            uow.session.add(payout)
            await uow.flush()
            await _emit(uow, "payout.created", _payout_object(payout), account.id)
            await uow.enqueue(
                SETTLE_LOCAL_PAYOUT, SettleLocalPayout(payout_id=payout.id),
                idempotency_key=f"local-payout:{payout.id}",
            )  # fmt: skip
            return _port_payout(payout)

    async def retrieve_payout(self, *, account_id: str, payout_id: str) -> ProcessorPayout:
        async with self._platform.unit_of_work(read_only=True) as uow:
            payout = await uow.session.get(LocalPayout, payout_id)
            if payout is None or payout.account_id != account_id:
                raise NotFound("payout", payout_id)
            return _port_payout(payout)

    async def list_transfers(self, *, created_since: datetime | None) -> list[ProcessorTransfer]:
        statement = select(LocalTransfer).order_by(LocalTransfer.created_at, LocalTransfer.id)
        if created_since is not None:
            statement = statement.where(LocalTransfer.created_at >= created_since)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return [_port_transfer(row) for row in await uow.session.scalars(statement)]

    # -- the holder's side (Stripe's hosted onboarding) ----------------------------------

    async def complete_onboarding(
        self, account_id: str, *, token: str, bank_account_number: str
    ) -> ProcessorAccount:
        """Finish onboarding with a test bank account number; emits ``account.updated``.
        A link used once, or replaced by a newer one, no longer works (not found)."""
        number = bank_account_number.replace(" ", "").replace("-", "")
        if number not in TEST_BANK_ACCOUNTS:
            raise InvalidInput(
                "use one of the processor's test bank accounts, e.g. 000123456789",
                code="unknown_test_bank_account",
                errors=[{"field": "bank_account_number", "code": "unknown_test_bank_account",
                         "message": "not a test bank account"}],
            )  # fmt: skip
        async with self._platform.unit_of_work() as uow:
            account = await _load_account(uow, account_id, for_update=True)
            if account.onboarding_token is None or not hmac.compare_digest(
                account.onboarding_token, token
            ):
                raise NotFound("onboarding link", account_id)
            account.onboarding_token = None
            account.bank_number = number
            account.details_submitted = account.payouts_enabled = True
            await uow.flush()
            await _emit(uow, "account.updated", _account_object(account), account.id)
            return _port_account(account)

    async def settle_payout(self, payout_id: str) -> ProcessorPayout:
        """The bank's answer to an in-transit payout, by the account's test number."""
        async with self._platform.unit_of_work() as uow:
            payout = (
                await uow.session.scalars(
                    select(LocalPayout).where(LocalPayout.id == payout_id).with_for_update()
                )
            ).one()
            if payout.status != PayoutState.IN_TRANSIT.value:
                return _port_payout(payout)
            account = await _load_account(uow, payout.account_id)
            failure = TEST_BANK_ACCOUNTS.get(account.bank_number or "")
            payout.status = (PayoutState.FAILED if failure else PayoutState.PAID).value
            payout.failure_code = failure
            await uow.flush()
            await _emit(uow, f"payout.{payout.status}", _payout_object(payout), account.id)
            return _port_payout(payout)


async def settle_local_payout(context: JobContext, payload: SettleLocalPayout) -> None:
    await context.platform.local_processor.settle_payout(payload.payout_id)


def register(registry: JobRegistry) -> None:
    registry.add_handler(SETTLE_LOCAL_PAYOUT, settle_local_payout)


def _movement_hash(
    account_id: str, amount_minor: int, currency: str, metadata: Mapping[str, str]
) -> str:
    return request_hash(
        {"account": account_id, "amount": amount_minor, "currency": currency,
         "metadata": dict(metadata)}
    )  # fmt: skip


def _check_same_request(stored: str, digest: str, what: str) -> None:
    if stored != digest:
        raise Conflict(
            f"this idempotency key was used for another {what}", code="idempotency_key_reused"
        )


def _check_amount(amount_minor: int) -> None:
    if amount_minor <= 0:
        raise PaymentFailed("the amount must be positive", code="amount_too_small")


async def _by_key(
    uow: UnitOfWork, model: type[_KeyedRow], idempotency_key: str
) -> _KeyedRow | None:
    return (
        await uow.session.scalars(select(model).where(model.idempotency_key == idempotency_key))
    ).one_or_none()


async def _load_account(
    uow: UnitOfWork, account_id: str, *, for_update: bool = False
) -> LocalAccount:
    statement = select(LocalAccount).where(LocalAccount.id == account_id)
    if for_update:
        statement = statement.with_for_update()
    account = (await uow.session.scalars(statement)).one_or_none()
    if account is None:
        raise NotFound("account", account_id)
    return account


async def _balance(uow: UnitOfWork, account_id: str, currency: str) -> int:
    # int(): PostgreSQL sums bigints to numeric.
    received = await uow.session.scalar(
        select(func.coalesce(func.sum(LocalTransfer.amount_minor), 0)).where(
            LocalTransfer.account_id == account_id, LocalTransfer.currency == currency
        )
    )
    paid_out = await uow.session.scalar(
        select(func.coalesce(func.sum(LocalPayout.amount_minor), 0)).where(
            LocalPayout.account_id == account_id,
            LocalPayout.currency == currency,
            LocalPayout.status.in_(UNSPENT_PAYOUT_STATUSES),
        )
    )
    return int(received or 0) - int(paid_out or 0)


async def _emit(uow: UnitOfWork, event_type: str, data: dict[str, Any], account_id: str) -> None:
    event_id = f"evt_local_{uuid.uuid4().hex[:24]}"
    await receive_event(
        uow,
        processor=ProcessorName.LOCAL,
        event_id=event_id,
        event_type=event_type,
        object_id=str(data["id"]),
        payload={"id": event_id, "object": "event", "type": event_type, "account": account_id,
                 "created": int(utcnow().timestamp()), "data": {"object": data}},
    )  # fmt: skip


def _account_object(account: LocalAccount) -> dict[str, Any]:
    return {
        "id": account.id, "object": "account", "type": "express", "email": account.email,
        "country": account.country, "details_submitted": account.details_submitted,
        "payouts_enabled": account.payouts_enabled, "metadata": dict(account.meta),
    }  # fmt: skip


def _transfer_object(transfer: LocalTransfer) -> dict[str, Any]:
    return {
        "id": transfer.id, "object": "transfer", "amount": transfer.amount_minor,
        "currency": transfer.currency.lower(), "destination": transfer.account_id,
        "metadata": dict(transfer.meta),
    }  # fmt: skip


def _payout_object(payout: LocalPayout) -> dict[str, Any]:
    return {
        "id": payout.id, "object": "payout", "amount": payout.amount_minor,
        "currency": payout.currency.lower(), "status": payout.status,
        "arrival_date": int(payout.arrival_date.timestamp()),
        "failure_code": payout.failure_code, "metadata": dict(payout.meta),
    }  # fmt: skip


def _port_account(account: LocalAccount) -> ProcessorAccount:
    disabled = None
    if not account.details_submitted:
        disabled = "requirements.past_due"
    return ProcessorAccount(
        id=account.id, details_submitted=account.details_submitted,
        payouts_enabled=account.payouts_enabled, disabled_reason=disabled,
        bank_last4=account.bank_number[-4:] if account.bank_number else None,
        metadata=dict(account.meta),
    )  # fmt: skip


def _port_transfer(transfer: LocalTransfer) -> ProcessorTransfer:
    return ProcessorTransfer(
        id=transfer.id, account_id=transfer.account_id, amount_minor=transfer.amount_minor,
        currency=transfer.currency, metadata=dict(transfer.meta),
    )  # fmt: skip


def _port_payout(payout: LocalPayout) -> ProcessorPayout:
    return ProcessorPayout(
        id=payout.id, account_id=payout.account_id, amount_minor=payout.amount_minor,
        currency=payout.currency, state=PayoutState(payout.status),
        arrival_date=payout.arrival_date, failure_code=payout.failure_code,
        metadata=dict(payout.meta),
    )  # fmt: skip
