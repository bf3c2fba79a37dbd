"""``oc.payouts``: released money on its way to the solver's bank.

Every release to a solver (a milestone's, or a dispute decision's share) owes one
:class:`~openchance.models.payouts.Payout` of what the solver was credited, made in the
release's own transaction (:func:`owe_payout`). It waits ``payout_delay_hours`` (staff can
hold it meanwhile) and for the solver's payout account, then the job
``payments.send_payout`` sends it in three steps, each safe to repeat:

1. the payout is marked as sending (locked; no hold from then on);
2. the processor transfers it to the solver's connected account under
   ``payout:<id>:transfer:<attempt>``; the transfer is recorded and the money leaves the
   solver's ``solver_payable`` ledger account for the world, in one transaction;
3. the processor pays it out from the connected account to the bank under
   ``payout:<id>:payout:<attempt>``: the payout is ``in_transit`` until the processor's
   ``payout.paid`` / ``payout.failed`` event, which the event job applies
   (:func:`apply_processor_payout`).

A refused transfer fails the payout with nothing moved; a refused or failed bank payout
leaves the money on the connected account and fails the payout, which the solver or staff
retry (a new attempt, under new keys) once the account is fixed. An outage at any step
raises, and the job tries again under the same keys, so nothing is transferred or paid out
twice.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import or_, select

from openchance.accounts.policy import check_support, is_support, require_user
from openchance.actor import Actor, ClientInfo
from openchance.db.types import utcnow
from openchance.errors import (
    Conflict,
    NotAuthenticated,
    NotFound,
    OpenChanceError,
    PaymentFailed,
    PermissionDenied,
)
from openchance.models.challenges import Challenge
from openchance.models.ledger import AccountPurpose
from openchance.models.payouts import (
    Payout,
    PayoutAccount,
    PayoutAccountStatus,
    PayoutStatus,
)
from openchance.moderation.audit import record_audit
from openchance.notifications.feed import notify
from openchance.payments import ledger
from openchance.payments.payout_jobs import (
    REFRESH_PAYOUT,
    SEND_PAYOUT,
    RefreshPayout,
    SendPayout,
)
from openchance.payments.payout_schemas import PayoutRead
from openchance.payments.payout_views import as_seen_by, payout_reads, visible_payout
from openchance.payments.processors.base import (
    PAYOUT_ID_METADATA,
    PayoutState,
    ProcessorPayout,
)
from openchance.payments.receipts import next_number
from openchance.payments.schemas import AccountRef, PostingSpec

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

STATEMENT_SEQUENCE_ROW = 2
"""The ``receipt_sequence`` row payout statements are numbered from (receipts use row 1)."""
LIST_LIMIT = 500
FINAL_REFUSALS = (PaymentFailed, NotFound, Conflict)
"""The processor's answers a repeat would not change (a refusal, an account gone, a key
used for another request): the attempt fails; outages raise and the job retries."""
STALLED_SENDING = timedelta(minutes=15)
"""A payout still marked as sending after this is sent again by the sweep (its job died)."""
LATE_ARRIVAL = timedelta(days=1)
"""An in-transit payout with no news this long after its arrival date is read back."""
SWEEP_BATCH = 500


async def owe_payout(
    uow: UnitOfWork,
    *,
    solver_id: uuid.UUID,
    challenge_id: uuid.UUID,
    milestone_id: uuid.UUID | None,
    currency: str,
    gross_minor: int,
    fee_minor: int,
    source_key: str,
    delay: timedelta,
) -> None:
    """The payout a release to a solver owes them, in the release's transaction; nothing
    when the solver was credited nothing (the fee took it all)."""
    amount = gross_minor - fee_minor
    if amount <= 0:
        return
    available_at = utcnow() + delay
    payout = Payout(
        id=uuid.uuid4(), user_id=solver_id, challenge_id=challenge_id, milestone_id=milestone_id,
        source_key=source_key, currency=currency, gross_minor=gross_minor, fee_minor=fee_minor,
        amount_minor=amount, status=PayoutStatus.PENDING, available_at=available_at,
    )  # fmt: skip
    uow.session.add(payout)
    await uow.flush()
    await schedule_send(uow, payout.id, available_at, reason="owed")


async def schedule_send(
    uow: UnitOfWork, payout_id: uuid.UUID, run_at: datetime, *, reason: str
) -> None:
    await uow.enqueue(
        SEND_PAYOUT, SendPayout(payout_id=payout_id), run_at=run_at,
        idempotency_key=f"send-payout:{payout_id}:{reason}",
    )  # fmt: skip


async def current_account(uow: UnitOfWork, user_id: uuid.UUID) -> PayoutAccount | None:
    """The user's payout account, if they connected one."""
    return (
        await uow.session.scalars(select(PayoutAccount).where(PayoutAccount.user_id == user_id))
    ).one_or_none()


async def send_waiting_payouts(uow: UnitOfWork, account: PayoutAccount) -> int:
    """Once an account can be paid out to, send its holder's payouts that waited for it."""
    ids = list(
        await uow.session.scalars(
            select(Payout.id).where(
                Payout.user_id == account.user_id,
                Payout.status == PayoutStatus.PENDING,
                Payout.sending_since.is_(None),
            )
        )
    )
    now = utcnow()
    for payout_id in ids:
        await schedule_send(uow, payout_id, now, reason=f"account:{uuid.uuid4()}")
    return len(ids)


async def apply_processor_payout(uow: UnitOfWork, answer: ProcessorPayout) -> bool | None:
    """The processor's payout as it is now, applied to ours. None: no payout of ours is
    (yet) tied to it; False: nothing changed."""
    statement = select(Payout).where(Payout.processor_payout_id == answer.id).with_for_update()
    payout = (await uow.session.scalars(statement)).one_or_none()
    if payout is None:
        return None
    if payout.status is PayoutStatus.PAID and answer.state is PayoutState.FAILED:
        pass  # banks can return a payout after it arrived (Stripe: payout.failed after paid)
    elif payout.status is not PayoutStatus.IN_TRANSIT:
        return False
    if answer.state is PayoutState.PAID:
        payout.status = PayoutStatus.PAID
        payout.paid_at = utcnow()
        payout.statement_number = await next_number(uow, STATEMENT_SEQUENCE_ROW)
        await notify(
            uow, user_id=payout.user_id, kind="payout.paid",
            title=f"{payout.amount_minor} minor units {payout.currency} arrived in your bank",
            dedupe_key=f"payout.paid:{payout.id}",
            data={"payout_id": str(payout.id), "challenge_id": str(payout.challenge_id)},
        )  # fmt: skip
        return True
    if answer.state in (PayoutState.FAILED, PayoutState.CANCELED):
        _fail(payout, answer.failure_code or "payout_failed",
              "the bank refused the payout: the money is on your payout account; update "
              "your bank details, then retry it")  # fmt: skip
        await notify(
            uow, user_id=payout.user_id, kind="payout.failed",
            title="A payout to your bank failed", body=payout.failure_message or "",
            dedupe_key=f"payout.failed:{payout.id}:{payout.payout_attempts}",
            data={"payout_id": str(payout.id), "failure_code": payout.failure_code},
        )  # fmt: skip
        return True
    if answer.arrival_date is not None and payout.arrival_date != answer.arrival_date:
        payout.arrival_date = answer.arrival_date
        return True
    return False


class PayoutService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    # -- reading -------------------------------------------------------------------------

    async def my_payouts(self, actor: Actor) -> list[PayoutRead]:
        """The signed-in solver's payouts, newest first."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = await uow.session.scalars(
                select(Payout).where(Payout.user_id == user_id)
                .order_by(Payout.created_at.desc(), Payout.id.desc()).limit(LIST_LIMIT)
            )  # fmt: skip
            return await payout_reads(uow, list(rows))

    async def get_payout(self, actor: Actor, payout_id: uuid.UUID) -> PayoutRead:
        """Its solver, the challenger who paid it and staff see a payout."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            payout = await visible_payout(uow, actor, payout_id)
            return as_seen_by(actor, (await payout_reads(uow, [payout]))[0])

    async def challenge_payouts(self, actor: Actor, challenge_id: uuid.UUID) -> list[PayoutRead]:
        """The payouts of a challenge: all for its challenger and staff, a solver's own for
        a solver."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await uow.session.get(Challenge, challenge_id)
            if challenge is None:
                raise NotFound("challenge", challenge_id)
            statement = select(Payout).where(Payout.challenge_id == challenge_id)
            if not (actor.is_staff or challenge.owner_id == user_id):
                statement = statement.where(Payout.user_id == user_id)
            rows = await uow.session.scalars(
                statement.order_by(Payout.created_at.desc(), Payout.id.desc()).limit(LIST_LIMIT)
            )
            return [as_seen_by(actor, read) for read in await payout_reads(uow, list(rows))]

    async def list_payouts(
        self, actor: Actor, *, status: PayoutStatus | None = None, user_id: uuid.UUID | None = None
    ) -> list[PayoutRead]:
        """Staff: payouts, newest first, by status or solver."""
        _check_staff(actor)
        statement = select(Payout)
        if status is not None:
            statement = statement.where(Payout.status == status)
        if user_id is not None:
            statement = statement.where(Payout.user_id == user_id)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = await uow.session.scalars(
                statement.order_by(Payout.created_at.desc(), Payout.id.desc()).limit(LIST_LIMIT)
            )
            return await payout_reads(uow, list(rows))

    # -- staff: holds --------------------------------------------------------------------

    async def hold(
        self, actor: Actor, payout_id: uuid.UUID, reason: str, client: ClientInfo | None = None
    ) -> PayoutRead:
        """Support and admins hold a payout not yet sent, or a failed one (so nobody retries
        it meanwhile), with a reason (audited). ``payout_not_holdable`` while it is being
        sent and after, ``payout_on_hold`` when it is held already."""
        check_support(actor, "hold payouts")
        async with self._platform.unit_of_work() as uow:
            payout = await _lock(uow, payout_id)
            if payout.status is PayoutStatus.ON_HOLD:
                raise Conflict("the payout is on hold already", code="payout_on_hold")
            holdable = payout.status is PayoutStatus.FAILED or (
                payout.status is PayoutStatus.PENDING and payout.sending_since is None
            )
            if not holdable:
                raise Conflict(
                    f"the payout is {payout.status.value}"
                    + (" and being sent" if payout.sending_since else "")
                    + ": only a payout not yet sent can be held",
                    code="payout_not_holdable",
                )
            payout.status = PayoutStatus.ON_HOLD
            payout.hold_reason, payout.held_by, payout.held_at = reason, actor.user_id, utcnow()
            record_audit(
                uow, actor, "payout.hold", target_type="payout", target_id=payout.id,
                reason=reason, client=client,
                details={"amount_minor": payout.amount_minor, "currency": payout.currency},
            )  # fmt: skip
            await notify(
                uow, user_id=payout.user_id, kind="payout.held",
                title="Support put one of your payouts on hold", body=reason[:500],
                dedupe_key=f"payout.held:{payout.id}:{payout.held_at.isoformat()}",
                data={"payout_id": str(payout.id)},
            )  # fmt: skip
            await uow.flush()
            return (await payout_reads(uow, [payout]))[0]

    async def release_hold(
        self, actor: Actor, payout_id: uuid.UUID, reason: str, client: ClientInfo | None = None
    ) -> PayoutRead:
        """Support and admins let a held payout go (audited); it is sent when its delay is
        over. ``payout_not_on_hold`` when it is not held."""
        check_support(actor, "hold payouts")
        async with self._platform.unit_of_work() as uow:
            payout = await _lock(uow, payout_id)
            if payout.status is not PayoutStatus.ON_HOLD:
                raise Conflict(
                    f"the payout is {payout.status.value}, not on hold", code="payout_not_on_hold"
                )
            payout.status = PayoutStatus.PENDING
            payout.hold_reason = payout.held_by = payout.held_at = None
            if payout.failure_code is not None:  # it had failed: a new attempt, new keys
                _new_attempt(payout)
            record_audit(
                uow, actor, "payout.release_hold", target_type="payout", target_id=payout.id,
                reason=reason, client=client,
            )  # fmt: skip
            await schedule_send(
                uow, payout.id, max(utcnow(), payout.available_at),
                reason=f"released:{uuid.uuid4()}",
            )  # fmt: skip
            await uow.flush()
            return (await payout_reads(uow, [payout]))[0]

    async def retry(self, actor: Actor, payout_id: uuid.UUID) -> PayoutRead:
        """The solver, support or an admin send a failed payout again (a new attempt).
        ``payout_not_failed``; ``payout_account_not_enabled`` until the account is fixed."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            payout = await _lock(uow, payout_id)
            if payout.user_id != user_id and not is_support(actor):
                raise NotFound("payout", payout_id)
            if payout.status is not PayoutStatus.FAILED:
                raise Conflict(
                    f"the payout is {payout.status.value}: only a failed one is retried",
                    code="payout_not_failed",
                )
            account = await current_account(uow, payout.user_id)
            if account is None or account.status is not PayoutAccountStatus.ENABLED:
                raise Conflict(
                    "the payout account cannot be paid out to yet: finish or update it first",
                    code="payout_account_not_enabled",
                )
            _new_attempt(payout)
            payout.status = PayoutStatus.PENDING
            await schedule_send(uow, payout.id, utcnow(), reason=f"retry:{uuid.uuid4()}")
            await uow.flush()
            return (await payout_reads(uow, [payout]))[0]

    # -- sending (the job) ---------------------------------------------------------------

    async def send(self, payout_id: uuid.UUID, *, now: datetime | None = None) -> PayoutStatus:
        """Send a pending payout whose time has come (see the module's steps); returns its
        status after. A payout held, early, or without an enabled account stays as it is."""
        processor = self._platform.payout_processor
        now = now or utcnow()
        async with self._platform.unit_of_work() as uow:
            payout = await _lock(uow, payout_id)
            if payout.status is not PayoutStatus.PENDING or payout.available_at > now:
                return payout.status
            if payout.payout_account_id is None or payout.sending_since is None:
                account = await current_account(uow, payout.user_id)
                if account is None or account.status is not PayoutAccountStatus.ENABLED:
                    return payout.status
                payout.payout_account_id = account.id
            account = await uow.session.get(PayoutAccount, payout.payout_account_id)
            assert account is not None
            payout.sending_since = payout.sending_since or utcnow()
            account_id = account.processor_account_id
            amount, currency, attempt = payout.amount_minor, payout.currency, payout.payout_attempts
            transferred = payout.transfer_id is not None
        metadata = {PAYOUT_ID_METADATA: str(payout_id)}
        if not transferred:
            try:
                transfer = await processor.create_transfer(
                    account_id=account_id, amount_minor=amount, currency=currency,
                    idempotency_key=f"payout:{payout_id}:transfer:{attempt}", metadata=metadata,
                )  # fmt: skip
            except FINAL_REFUSALS as refused:
                return await self._refused(payout_id, refused)
            async with self._platform.unit_of_work() as uow:
                payout = await _lock(uow, payout_id)
                if payout.transfer_id is None:
                    await _record_transfer(uow, payout, transfer.id)
        try:
            answer = await processor.create_payout(
                account_id=account_id, amount_minor=amount, currency=currency,
                idempotency_key=f"payout:{payout_id}:payout:{attempt}", metadata=metadata,
            )  # fmt: skip
        except FINAL_REFUSALS as refused:
            return await self._refused(payout_id, refused)
        async with self._platform.unit_of_work() as uow:
            payout = await _lock(uow, payout_id)
            if payout.status is PayoutStatus.PENDING:
                payout.status = PayoutStatus.IN_TRANSIT
                payout.processor_payout_id = answer.id
                payout.arrival_date = answer.arrival_date
                payout.sending_since = None
                await uow.flush()
                await apply_processor_payout(uow, answer)  # a payout paid at once
            return payout.status

    async def refresh(self, payout_id: uuid.UUID) -> PayoutStatus:
        """Ask the processor how an in-transit payout stands and apply it, without
        waiting for its event (the same answer applied twice has one effect)."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            payout = await uow.session.get(Payout, payout_id)
            if payout is None:
                raise NotFound("payout", payout_id)
            if payout.processor_payout_id is None or payout.payout_account_id is None:
                return payout.status
            account = await uow.session.get(PayoutAccount, payout.payout_account_id)
            assert account is not None
            ids = (account.processor_account_id, payout.processor_payout_id)
        answer = await self._platform.payout_processor.retrieve_payout(
            account_id=ids[0], payout_id=ids[1]
        )
        async with self._platform.unit_of_work() as uow:
            await apply_processor_payout(uow, answer)
            payout = await _lock(uow, payout_id)
            return payout.status

    async def _refused(self, payout_id: uuid.UUID, refused: OpenChanceError) -> PayoutStatus:
        async with self._platform.unit_of_work() as uow:
            payout = await _lock(uow, payout_id)
            if payout.status is PayoutStatus.PENDING:
                _fail(payout, refused.code, str(refused))
                await notify(
                    uow, user_id=payout.user_id, kind="payout.failed",
                    title="A payout could not be sent", body=str(refused)[:500],
                    dedupe_key=f"payout.failed:{payout.id}:{payout.payout_attempts}:send",
                    data={"payout_id": str(payout.id), "failure_code": refused.code},
                )  # fmt: skip
            return payout.status

    async def sweep(self, *, now: datetime | None = None) -> int:
        """What no job will do any more: send pending payouts whose time has come (their
        account was enabled while no job was waiting, or their send job died while
        sending), and read back in-transit payouts with no news a day after their arrival
        date. Returns how many jobs it enqueued."""
        now = now or utcnow()
        bucket = now.strftime("%Y%m%d%H%M")
        async with self._platform.unit_of_work() as uow:
            due = list(
                await uow.session.scalars(
                    select(Payout.id)
                    .join(PayoutAccount, PayoutAccount.user_id == Payout.user_id)
                    .where(
                        Payout.status == PayoutStatus.PENDING,
                        Payout.available_at <= now,
                        PayoutAccount.status == PayoutAccountStatus.ENABLED,
                        or_(Payout.sending_since.is_(None),
                            Payout.sending_since < now - STALLED_SENDING),
                    )
                    .order_by(Payout.available_at).limit(SWEEP_BATCH)
                )
            )  # fmt: skip
            late = list(
                await uow.session.scalars(
                    select(Payout.id)
                    .where(Payout.status == PayoutStatus.IN_TRANSIT,
                           Payout.arrival_date < now - LATE_ARRIVAL)
                    .order_by(Payout.arrival_date).limit(SWEEP_BATCH)
                )
            )  # fmt: skip
            for payout_id in due:
                await schedule_send(uow, payout_id, now, reason=f"sweep:{bucket}")
            for payout_id in late:
                await uow.enqueue(
                    REFRESH_PAYOUT, RefreshPayout(payout_id=payout_id),
                    idempotency_key=f"refresh-payout:{payout_id}:{now.date().isoformat()}",
                )  # fmt: skip
            return len(due) + len(late)

    # -- statements ----------------------------------------------------------------------

    async def statement_pdf(self, actor: Actor, payout_id: uuid.UUID) -> tuple[str, bytes]:
        """The numbered statement of a paid payout (its solver, support, admins).
        ``not_paid_yet``."""
        from openchance.payments.statements import render_statement

        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            payout = await uow.session.get(Payout, payout_id)
            if payout is None or (payout.user_id != user_id and not is_support(actor)):
                raise NotFound("payout", payout_id)
            if payout.statement_number is None:
                raise Conflict("the payout has not arrived yet", code="not_paid_yet")
            challenge = await uow.session.get(Challenge, payout.challenge_id)
            assert challenge is not None
            account = (
                await uow.session.get(PayoutAccount, payout.payout_account_id)
                if payout.payout_account_id
                else None
            )
            return (
                f"payout-statement-{payout.statement_number:06d}.pdf",
                render_statement(payout, challenge.title, account.bank_last4 if account else None),
            )


async def _record_transfer(uow: UnitOfWork, payout: Payout, transfer_id: str) -> None:
    """The transfer was made: the money leaves the solver's payable balance for the world."""
    payout.transfer_id = transfer_id
    payout.transferred_at = utcnow()
    await ledger.post_transaction(
        uow,
        idempotency_key=f"payout:{payout.id}:transfer",
        kind="payout_transfer",
        description=f"Payout to the solver's payout account ({transfer_id})",
        postings=[
            PostingSpec(account=AccountRef.payable(payout.user_id, payout.currency),
                        amount_minor=-payout.amount_minor, currency=payout.currency),
            PostingSpec(account=AccountRef.system(AccountPurpose.WORLD, payout.currency),
                        amount_minor=payout.amount_minor, currency=payout.currency),
        ],
        metadata={"payout_id": str(payout.id), "transfer_id": transfer_id},
    )  # fmt: skip
    await uow.flush()


def _new_attempt(payout: Payout) -> None:
    """A failed payout is sent again under new processor keys: the processor answers a key
    it refused with the same refusal (Stripe, for 24 hours)."""
    payout.payout_attempts += 1
    payout.processor_payout_id = payout.arrival_date = None
    payout.failure_code = payout.failure_message = None


def _fail(payout: Payout, code: str, message: str) -> None:
    payout.status = PayoutStatus.FAILED
    payout.failure_code, payout.failure_message = code, message
    payout.sending_since = None


async def _lock(uow: UnitOfWork, payout_id: uuid.UUID) -> Payout:
    payout = (
        await uow.session.scalars(select(Payout).where(Payout.id == payout_id).with_for_update())
    ).one_or_none()
    if payout is None:
        raise NotFound("payout", payout_id)
    return payout


def _check_staff(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("sign in first")
    if not actor.is_staff:
        raise PermissionDenied("only staff see all payouts", code="staff_only")
