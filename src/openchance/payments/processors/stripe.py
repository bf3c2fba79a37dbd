"""The Stripe processor: both ports (:class:`~.base.PaymentProcessor` for PaymentIntents
and refunds, :class:`~.base.PayoutProcessor` for Connect Express accounts, transfers and
payouts) as a thin translation onto the official ``stripe`` client, asynchronously over
httpx.

Every mutating call sends the caller's idempotency key, so a retry after a lost answer is
the same request at Stripe. Stripe's refusals become :class:`~openchance.errors.PaymentFailed`
with Stripe's own code (a card's ``decline_code`` first), a key reused for another request
:class:`~openchance.errors.Conflict` ``idempotency_key_reused``, and anything that says
Stripe could not be reached or did not answer properly
:class:`~openchance.errors.ProviderUnavailable`.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

import stripe

from openchance.errors import (
    Conflict,
    NotFound,
    OpenChanceError,
    PaymentFailed,
    ProviderUnavailable,
)
from openchance.models.payments import ProcessorName
from openchance.payments.processors.base import (
    PaymentState,
    PayoutState,
    ProcessorAccount,
    ProcessorAccountLink,
    ProcessorDispute,
    ProcessorPayment,
    ProcessorPayout,
    ProcessorRefund,
    ProcessorTransfer,
    payment_from_intent,
)

PROVIDER = "stripe"
LIST_PAGE = 100
CANCELABLE = frozenset(
    {"requires_payment_method", "requires_confirmation", "requires_action", "requires_capture"}
)
LOGIN_LINK_SECONDS = 300
"""How long we offer an Express dashboard login link for (Stripe's login links are
single-use and carry no expiry; five minutes, like an account link's, is our choice)."""


class _HttpxClient(stripe.HTTPXClient):
    """stripe's httpx client, sending the form body as ``content``: httpx deprecates a
    string passed as ``data`` (a warning on every request)."""

    def _get_request_args_kwargs(
        self, method: str, url: str, headers: Mapping[str, str], post_data: Any
    ) -> list[Any]:
        options: dict[str, Any] = {"headers": headers, "content": post_data}
        if self._timeout:
            options["timeout"] = self._timeout
        return [(method, url), options]


class StripeProcessor:
    """Payments and payouts through Stripe's API (or a server that speaks it: ``api_base``)."""

    def __init__(
        self,
        *,
        api_key: str,
        api_base: str | None = None,
        timeout_seconds: float = 30.0,
        max_network_retries: int = 2,
    ) -> None:
        self._api_key = api_key
        self._api_base = api_base.rstrip("/") if api_base else None
        self._timeout = timeout_seconds
        self._retries = max_network_retries
        self._http: _HttpxClient | None = None
        self._stripe: stripe.StripeClient | None = None

    @property
    def name(self) -> ProcessorName:
        return ProcessorName.STRIPE

    def _client(self) -> stripe.StripeClient:
        """Built on first use, so its connections belong to the event loop that uses them."""
        if self._stripe is None:
            self._http = _HttpxClient(timeout=self._timeout)
            self._stripe = stripe.StripeClient(
                self._api_key,
                base_addresses={"api": self._api_base} if self._api_base else None,
                http_client=self._http,
                max_network_retries=self._retries,
            )
        return self._stripe

    async def aclose(self) -> None:
        """Close the connections; the next call opens new ones."""
        if self._http is not None:
            await self._http.close_async()  # type: ignore[no-untyped-call]
        self._http = self._stripe = None

    # -- payments ------------------------------------------------------------------------

    async def create_payment(
        self,
        *,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        description: str,
        metadata: Mapping[str, str],
    ) -> ProcessorPayment:
        with _translated():
            intent = await self._client().v1.payment_intents.create_async(
                {"amount": amount_minor, "currency": currency.lower(),
                 "description": description, "metadata": dict(metadata)},
                {"idempotency_key": idempotency_key},
            )  # fmt: skip
        return payment_from_intent(intent.to_dict())

    async def retrieve_payment(self, payment_id: str) -> ProcessorPayment:
        with _translated():
            intent = await self._client().v1.payment_intents.retrieve_async(payment_id)
        return payment_from_intent(intent.to_dict())

    async def cancel_payment(self, payment_id: str) -> ProcessorPayment:
        """Stripe refuses to cancel a charged (or canceled) payment: it is answered as it is."""
        payment = await self.retrieve_payment(payment_id)
        if payment.state.value not in CANCELABLE:
            return payment
        with _translated():
            intent = await self._client().v1.payment_intents.cancel_async(
                payment_id, options={"idempotency_key": f"cancel:{payment_id}"}
            )
        return payment_from_intent(intent.to_dict())

    async def confirm_payment(
        self, payment_id: str, *, payment_method: str, idempotency_key: str
    ) -> ProcessorPayment:
        """Confirm on the server with a payment method (a saved card; Stripe's test methods
        such as ``pm_card_visa``); in a browser Stripe.js does this. A decline raises
        ``PaymentFailed`` with its code and leaves the payment waiting for another card."""
        client = self._client()
        with _translated():
            await client.v1.payment_intents.update_async(
                payment_id, {"payment_method": payment_method},
                {"idempotency_key": f"{idempotency_key}:method"},
            )  # fmt: skip
            intent = await client.v1.payment_intents.confirm_async(
                payment_id, options={"idempotency_key": f"{idempotency_key}:confirm"}
            )
        return payment_from_intent(intent.to_dict())

    async def create_refund(
        self,
        *,
        payment_id: str,
        amount_minor: int,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorRefund:
        """``refund_exceeds_charge`` is checked here first, against the charge's refunded
        amount, so the code is the same whatever words Stripe refuses with."""
        client = self._client()
        with _translated():
            intent = await client.v1.payment_intents.retrieve_async(
                payment_id, {"expand": ["latest_charge"]}
            )
        if intent.status != PaymentState.SUCCEEDED.value:
            raise PaymentFailed(
                "only a charged payment can be refunded", code="charge_not_refundable"
            )
        charge = intent.to_dict().get("latest_charge") or {}
        remaining = int(charge.get("amount", intent.amount)) - int(charge.get("amount_refunded", 0))
        if amount_minor <= 0 or amount_minor > remaining:
            raise PaymentFailed(
                f"{amount_minor} is more than remains of the charge ({remaining})",
                code="refund_exceeds_charge",
            )
        with _translated():
            refund = await client.v1.refunds.create_async(
                {"payment_intent": payment_id, "amount": amount_minor,
                 "metadata": dict(metadata)},
                {"idempotency_key": idempotency_key},
            )  # fmt: skip
        return _refund(refund.to_dict(), payment_id=payment_id)

    async def retrieve_dispute(self, dispute_id: str) -> ProcessorDispute:
        with _translated():
            dispute = (await self._client().v1.disputes.retrieve_async(dispute_id)).to_dict()
        return ProcessorDispute(
            id=str(dispute["id"]),
            payment_id=str(dispute.get("payment_intent") or dispute["charge"]),
            amount_minor=int(dispute["amount"]),
            currency=str(dispute["currency"]).upper(),
            reason=str(dispute.get("reason") or ""),
            status=str(dispute["status"]),
        )

    async def list_payments(self, *, created_since: datetime | None) -> list[ProcessorPayment]:
        with _translated():
            page = await self._client().v1.payment_intents.list_async(_window(created_since))
            return [payment_from_intent(item.to_dict()) async for item in page.auto_paging_iter()]

    async def list_refunds(self, *, created_since: datetime | None) -> list[ProcessorRefund]:
        with _translated():
            page = await self._client().v1.refunds.list_async(_window(created_since))
            return [_refund(item.to_dict()) async for item in page.auto_paging_iter()]

    # -- payouts (Connect) ---------------------------------------------------------------

    async def create_account(
        self, *, email: str, country: str, idempotency_key: str, metadata: Mapping[str, str]
    ) -> ProcessorAccount:
        with _translated():
            account = await self._client().v1.accounts.create_async(
                # Manual payouts: we pay out each transfer ourselves (and can hold it);
                # Express accounts would otherwise pay their balance out daily on their own.
                {"type": "express", "email": email, "country": country,
                 "capabilities": {"transfers": {"requested": True}},
                 "settings": {"payouts": {"schedule": {"interval": "manual"}}},
                 "metadata": dict(metadata)},
                {"idempotency_key": idempotency_key},
            )  # fmt: skip
        return _account(account.to_dict())

    async def retrieve_account(self, account_id: str) -> ProcessorAccount:
        with _translated():
            account = await self._client().v1.accounts.retrieve_async(account_id)
        return _account(account.to_dict())

    async def create_account_link(
        self, *, account_id: str, refresh_url: str, return_url: str
    ) -> ProcessorAccountLink:
        """Until the holder finished onboarding, an ``account_onboarding`` account link;
        after that, a login link to their Express dashboard, where they change their bank
        account (an onboarding link serves only until onboarding is done, and
        ``account_update`` links are not for Express accounts). Stripe gives a login link
        no expiry: :data:`LOGIN_LINK_SECONDS` from now is ours."""
        # No idempotency key: a link is single-use, so a second call must get a new one.
        client = self._client()
        if (await self.retrieve_account(account_id)).details_submitted:
            with _translated():
                login = await client.v1.accounts.login_links.create_async(account_id)
            expires_at = datetime.now(UTC) + timedelta(seconds=LOGIN_LINK_SECONDS)
            return ProcessorAccountLink(url=login.url, expires_at=expires_at)
        with _translated():
            link = await client.v1.account_links.create_async(
                {"account": account_id, "refresh_url": refresh_url, "return_url": return_url,
                 "type": "account_onboarding"}
            )  # fmt: skip
        return ProcessorAccountLink(url=link.url, expires_at=_time(link.expires_at))

    async def create_transfer(
        self,
        *,
        account_id: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorTransfer:
        with _translated():
            transfer = await self._client().v1.transfers.create_async(
                {"amount": amount_minor, "currency": currency.lower(),
                 "destination": account_id, "metadata": dict(metadata)},
                {"idempotency_key": idempotency_key},
            )  # fmt: skip
        return _transfer(transfer.to_dict())

    async def create_payout(
        self,
        *,
        account_id: str,
        amount_minor: int,
        currency: str,
        idempotency_key: str,
        metadata: Mapping[str, str],
    ) -> ProcessorPayout:
        with _translated():
            payout = await self._client().v1.payouts.create_async(
                {"amount": amount_minor, "currency": currency.lower(),
                 "metadata": dict(metadata)},
                {"idempotency_key": idempotency_key, "stripe_account": account_id},
            )  # fmt: skip
        return _payout(payout.to_dict(), account_id=account_id)

    async def retrieve_payout(self, *, account_id: str, payout_id: str) -> ProcessorPayout:
        with _translated():
            payout = await self._client().v1.payouts.retrieve_async(
                payout_id, options={"stripe_account": account_id}
            )
        return _payout(payout.to_dict(), account_id=account_id)

    async def retrieve_balance(self, *, account_id: str | None = None) -> dict[str, int]:
        """The available balance per currency (upper case): the platform's, or with
        ``account_id`` a connected account's."""
        with _translated():
            balance = await self._client().v1.balance.retrieve_async(
                options={"stripe_account": account_id} if account_id else None
            )
        return {
            str(entry["currency"]).upper(): int(entry["amount"])
            for entry in balance.to_dict().get("available") or []
        }

    async def list_transfers(self, *, created_since: datetime | None) -> list[ProcessorTransfer]:
        with _translated():
            page = await self._client().v1.transfers.list_async(_window(created_since))
            return [_transfer(item.to_dict()) async for item in page.auto_paging_iter()]


# -- translation -----------------------------------------------------------------------


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except stripe.StripeError as error:
        raise translate_error(error) from error


def translate_error(error: stripe.StripeError) -> OpenChanceError:
    """Stripe's error as ours (see the module's docstring)."""
    message = error.user_message or str(error) or type(error).__name__
    if isinstance(error, stripe.IdempotencyError):
        return Conflict(
            "this idempotency key was used for another request", code="idempotency_key_reused"
        )
    if isinstance(error, stripe.CardError):
        details = error.error
        decline = details.decline_code if details is not None else None
        return PaymentFailed(message, code=decline or error.code or "card_declined")
    if isinstance(error, stripe.InvalidRequestError):
        if error.http_status == 404 or error.code == "resource_missing":
            return NotFound("stripe object", error.param or "", message)
        return PaymentFailed(message, code=error.code or "invalid_request")
    if isinstance(error, stripe.AuthenticationError | stripe.PermissionError):
        return ProviderUnavailable(PROVIDER, f"Stripe refused the API key: {message}")
    return ProviderUnavailable(PROVIDER, f"Stripe did not answer properly: {message}")


def _window(created_since: datetime | None) -> Any:
    params: dict[str, Any] = {"limit": LIST_PAGE}
    if created_since is not None:
        params["created"] = {"gte": int(created_since.timestamp())}
    return params


def _time(timestamp: int) -> datetime:
    return datetime.fromtimestamp(timestamp, tz=UTC)


def _metadata(obj: Mapping[str, Any]) -> dict[str, str]:
    return {str(key): str(value) for key, value in (obj.get("metadata") or {}).items()}


def _refund(refund: Mapping[str, Any], *, payment_id: str | None = None) -> ProcessorRefund:
    return ProcessorRefund(
        id=str(refund["id"]),
        payment_id=str(payment_id or refund.get("payment_intent") or refund.get("charge")),
        amount_minor=int(refund["amount"]),
        currency=str(refund["currency"]).upper(),
        succeeded=refund.get("status") == "succeeded",
    )


def _account(account: Mapping[str, Any]) -> ProcessorAccount:
    requirements = account.get("requirements") or {}
    external = (account.get("external_accounts") or {}).get("data") or []
    return ProcessorAccount(
        id=str(account["id"]),
        details_submitted=bool(account.get("details_submitted")),
        payouts_enabled=bool(account.get("payouts_enabled")),
        disabled_reason=requirements.get("disabled_reason"),
        bank_last4=external[0].get("last4") if external else None,
        metadata=_metadata(account),
    )


def _transfer(transfer: Mapping[str, Any]) -> ProcessorTransfer:
    return ProcessorTransfer(
        id=str(transfer["id"]),
        account_id=str(transfer["destination"]),
        amount_minor=int(transfer["amount"]),
        currency=str(transfer["currency"]).upper(),
        metadata=_metadata(transfer),
    )


def _payout(payout: Mapping[str, Any], *, account_id: str) -> ProcessorPayout:
    arrival = payout.get("arrival_date")
    return ProcessorPayout(
        id=str(payout["id"]),
        account_id=account_id,
        amount_minor=int(payout["amount"]),
        currency=str(payout["currency"]).upper(),
        state=PayoutState(payout["status"]),
        arrival_date=_time(int(arrival)) if arrival else None,
        failure_code=payout.get("failure_code"),
        metadata=_metadata(payout),
    )
