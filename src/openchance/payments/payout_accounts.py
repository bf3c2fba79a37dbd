"""``oc.payout_accounts``: a solver connects the account their payouts go to.

The first connection creates a connected account at the processor (Stripe Connect
Express) and answers with its onboarding link; the processor's ``account.updated`` event
(or :meth:`PayoutAccountService.refresh`) says when it can be paid out to, and then the
payouts that waited for it are sent. Asking again gives a new link, where the holder can
also change the bank account: once the account has a destination, that takes a fresh
two-factor code when two-factor is on (step-up), and is audited.

Creating the processor's account happens outside our transactions, under the key
``payout-account:<user id>``: a retry after a lost answer finds the same account.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import select

from openchance.accounts.policy import require_user
from openchance.accounts.repository import load_user
from openchance.actor import Actor, ClientInfo
from openchance.models.payouts import PayoutAccount, PayoutAccountStatus
from openchance.moderation.audit import record_audit
from openchance.notifications.feed import notify
from openchance.payments.payout_schemas import (
    PayoutAccountLinkRead,
    PayoutAccountRead,
    PayoutAccountRequest,
)
from openchance.payments.payouts import current_account, send_waiting_payouts
from openchance.payments.processors.base import ACCOUNT_USER_METADATA, ProcessorAccount

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance


async def apply_processor_account(uow: UnitOfWork, answer: ProcessorAccount) -> bool | None:
    """The processor's account as it is now, applied to ours. None: not ours (yet)."""
    account = (
        await uow.session.scalars(
            select(PayoutAccount)
            .where(PayoutAccount.processor_account_id == answer.id)
            .with_for_update()
        )
    ).one_or_none()
    if account is None:
        return None
    status = account_status(answer)
    changed = (account.status, account.disabled_reason, account.bank_last4) != (
        status, answer.disabled_reason, answer.bank_last4
    )  # fmt: skip
    became_enabled = status is PayoutAccountStatus.ENABLED and (
        account.status is not PayoutAccountStatus.ENABLED or account.bank_last4 != answer.bank_last4
    )
    account.status = status
    account.disabled_reason = answer.disabled_reason
    account.bank_last4 = answer.bank_last4
    if became_enabled:
        await uow.flush()
        await send_waiting_payouts(uow, account)
        await notify(
            uow, user_id=account.user_id, kind="payout_account.enabled",
            title="Your payout account is ready: payouts go to the bank account ending "
            f"{answer.bank_last4 or '…'}",
            dedupe_key=f"payout_account.enabled:{account.id}:{answer.bank_last4}",
            data={"payout_account_id": str(account.id)},
        )  # fmt: skip
    return changed


def account_status(answer: ProcessorAccount) -> PayoutAccountStatus:
    if answer.payouts_enabled:
        return PayoutAccountStatus.ENABLED
    if answer.details_submitted:
        return PayoutAccountStatus.RESTRICTED
    return PayoutAccountStatus.ONBOARDING


class PayoutAccountService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def my_account(self, actor: Actor) -> PayoutAccountRead | None:
        """The signed-in user's payout account, if they connected one."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            account = await current_account(uow, user_id)
            return account_read(account) if account is not None else None

    async def connect(
        self, actor: Actor, data: PayoutAccountRequest, client: ClientInfo | None = None
    ) -> PayoutAccountLinkRead:
        """Connect a payout account, or get a new link to finish or change it. Changing an
        account that has a bank account already takes ``totp_code`` when two-factor is on
        (``totp_required``, ``invalid_totp``)."""
        user_id = require_user(actor)
        processor = self._platform.payout_processor
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            account = await current_account(uow, user_id)
            if account is not None and account.bank_last4 is not None:
                await self._platform.two_factor.verify_for_user(uow, user, data.totp_code)
                record_audit(
                    uow, actor, "payout_account.change", target_type="payout_account",
                    target_id=account.id, client=client,
                    details={"bank_last4": account.bank_last4},
                )  # fmt: skip
            email = user.email
            existing_id = account.processor_account_id if account is not None else None
        if existing_id is None:
            created = await processor.create_account(
                email=email, country=data.country or self._platform.settings.payout_country,
                idempotency_key=f"payout-account:{user_id}",
                metadata={ACCOUNT_USER_METADATA: str(user_id)},
            )  # fmt: skip
            existing_id = created.id
            async with self._platform.unit_of_work() as uow:
                await load_user(uow, user_id, for_update=True)
                if await current_account(uow, user_id) is None:
                    uow.session.add(
                        PayoutAccount(
                            user_id=user_id, processor=processor.name,
                            processor_account_id=created.id,
                            country=data.country or self._platform.settings.payout_country,
                            status=account_status(created),
                            disabled_reason=created.disabled_reason,
                            bank_last4=created.bank_last4,
                        )
                    )  # fmt: skip
                    record_audit(
                        uow, actor, "payout_account.connect", target_type="user",
                        target_id=user_id, client=client,
                        details={"processor_account_id": created.id},
                    )  # fmt: skip
        base = str(self._platform.settings.public_base_url).rstrip("/")
        link = await processor.create_account_link(
            account_id=existing_id,
            refresh_url=f"{base}/payouts/account?refresh=1",
            return_url=f"{base}/payouts/account",
        )
        async with self._platform.unit_of_work(read_only=True) as uow:
            account = await current_account(uow, user_id)
            assert account is not None
            return PayoutAccountLinkRead(
                account=account_read(account), onboarding_url=link.url, expires_at=link.expires_at
            )

    async def refresh(self, actor: Actor) -> PayoutAccountRead | None:
        """Ask the processor how the account stands now (after the holder came back from
        onboarding), without waiting for its event."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            account = await current_account(uow, user_id)
            if account is None:
                return None
            processor_account_id = account.processor_account_id
        answer = await self._platform.payout_processor.retrieve_account(processor_account_id)
        async with self._platform.unit_of_work() as uow:
            await apply_processor_account(uow, answer)
            account = await current_account(uow, user_id)
            assert account is not None
            await uow.flush()
            return account_read(account)


def account_read(account: PayoutAccount) -> PayoutAccountRead:
    return PayoutAccountRead(
        id=account.id, processor=account.processor, country=account.country,
        status=account.status, disabled_reason=account.disabled_reason,
        bank_last4=account.bank_last4, created_at=account.created_at,
        updated_at=account.updated_at,
    )  # fmt: skip
