"""A fake of Stripe Connect, for tests: the endpoints our adapter calls, following Stripe's
documented API (https://docs.stripe.com/api) in their parameters, objects and errors.
localstripe has no Connect, and no runnable peer here covers it; this fake runs inside
localstripe's aiohttp app (:mod:`.localstripe_peer`), in front of its routes.

- ``POST /v1/accounts`` (``type=express``), ``GET /v1/accounts/{id}``;
- ``POST /v1/account_links`` (``type=account_onboarding`` or ``account_update``);
- ``POST /v1/accounts/{id}/login_links``: a single-use link to an Express account's
  dashboard (https://docs.stripe.com/api/accounts/login_link/create: no parameters; the
  object has ``object``, ``created``, ``url`` and no expiry). Refused (400) for an account
  that is not Express, with Stripe's words; and for one whose holder has not finished
  onboarding, which the reference leaves unsaid (the fake's choice: there is no dashboard
  to log in to yet, the holder goes through an account link);
- ``POST /v1/transfers`` (``destination``; from the platform's balance), ``GET /v1/transfers``
  (newest first, ``created[gte]``, ``limit``, ``starting_after``);
- ``POST /v1/payouts`` and ``GET /v1/payouts/{id}`` on a connected account's own balance,
  named by the ``Stripe-Account`` header (without it, localstripe's own payouts answer);
- ``GET /v1/balance``: the platform's, or with ``Stripe-Account`` the account's.

Errors are Stripe's: 400 ``invalid_request_error`` with ``balance_insufficient``,
``payouts_not_allowed``, ``insufficient_capabilities_for_transfer``, ``parameter_missing``;
404 ``resource_missing`` (also for another account's payout); 403 for an unknown
``Stripe-Account``. ``Idempotency-Key`` on a POST follows Stripe: per account, the same key
and parameters replay the first response; the same key with other parameters (or on
another endpoint) is refused with 400 ``idempotency_error``.

Test-only routes (under ``/_config/``, like localstripe's own configuration routes):

- ``POST /_config/connect/platform_balance`` (``amount``, ``currency``): credit the platform;
- ``POST /_config/connect/accounts/{id}/onboard`` (``bank_last4``): the holder finished
  onboarding; payouts are enabled; emits ``account.updated``;
- ``POST /_config/connect/payouts/{id}/settle`` (``status=paid|failed``, ``failure_code``):
  the bank's answer; a failed payout's money goes back to the account; emits
  ``payout.paid`` / ``payout.failed``.

Events go, signed like Stripe's (``Stripe-Signature: t=…,v1=HMAC-SHA256(t.payload)``), to the
webhook endpoints registered in localstripe (``POST /_config/webhooks/{id}``), with the
connected account's id as the event's ``account``, as Stripe sends Connect events.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import time
from collections.abc import Awaitable, Callable
from typing import Any

import aiohttp
from aiohttp import web

Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]
EVENTS = ("account.updated", "payout.paid", "payout.failed")
"""The events the fake sends (localstripe itself sends none of them)."""
PLATFORM = "platform"
ARRIVAL_SECONDS = 2 * 24 * 3600
LINK_SECONDS = 300


class StripeError(Exception):
    def __init__(self, status: int, code: str | None, message: str, *, kind: str = "") -> None:
        super().__init__(message)
        self.status, self.code, self.message = status, code, message
        self.kind = kind or "invalid_request_error"

    def response(self) -> web.Response:
        error = {"type": self.kind, "message": self.message}
        if self.code:
            error["code"] = self.code
        return web.json_response({"error": error}, status=self.status)


class ConnectFake:
    def __init__(self) -> None:
        self.accounts: dict[str, dict[str, Any]] = {}
        self.transfers: list[dict[str, Any]] = []
        self.payouts: dict[str, dict[str, Any]] = {}
        self.balances: dict[str, dict[str, int]] = {PLATFORM: {}}
        self._replies: dict[tuple[str, str], tuple[str, int, str]] = {}
        self.routes: list[tuple[str, str, Callable[..., Awaitable[Any]]]] = [
            ("POST", "/v1/accounts", self.create_account),
            ("GET", "/v1/accounts/{id}", self.retrieve_account),
            ("POST", "/v1/account_links", self.create_account_link),
            ("POST", "/v1/accounts/{id}/login_links", self.create_login_link),
            ("POST", "/v1/transfers", self.create_transfer),
            ("GET", "/v1/transfers", self.list_transfers),
            ("POST", "/v1/payouts", self.create_payout),
            ("GET", "/v1/payouts/{id}", self.retrieve_payout),
            ("GET", "/v1/balance", self.retrieve_balance),
            ("POST", "/_config/connect/platform_balance", self.credit_platform),
            ("POST", "/_config/connect/accounts/{id}/onboard", self.onboard),
            ("POST", "/_config/connect/payouts/{id}/settle", self.settle_payout),
        ]

    # -- dispatch --------------------------------------------------------------------------

    async def handle(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        """The aiohttp middleware: answer our routes, pass everything else to localstripe."""
        route = self._match(request.method, request.path)
        account = request.headers.get("Stripe-Account")
        if route is None or (route[0] in (self.create_payout, self.retrieve_payout)
                             and account is None):  # fmt: skip
            return await handler(request)
        function, identifier = route
        params = await _params(request)
        if account is not None and account not in self.accounts:
            return StripeError(
                403, None, f"The provided key does not have access to account '{account}'",
                kind="invalid_request_error",
            ).response()  # fmt: skip
        key = request.headers.get("Idempotency-Key")
        if request.method == "POST" and key and not request.path.startswith("/_config/"):
            return await self._idempotent(request, account, key, params, function, identifier)
        return await self._answer(function, identifier, account, params, request)

    async def _idempotent(
        self,
        request: web.Request,
        account: str | None,
        key: str,
        params: dict[str, Any],
        function: Callable[..., Awaitable[Any]],
        identifier: str | None,
    ) -> web.Response:
        fingerprint = json.dumps([request.path, params], sort_keys=True)
        scope = (account or PLATFORM, key)
        if scope in self._replies:
            first, status, body = self._replies[scope]
            if first != fingerprint:
                return StripeError(
                    400, None,
                    "Keys for idempotent requests can only be used with the same parameters "
                    f"they were first used with. Try using a key other than '{key}' if you "
                    "meant to execute a different request.",
                    kind="idempotency_error",
                ).response()  # fmt: skip
            return web.Response(
                text=body, status=status, content_type="application/json",
                headers={"Idempotent-Replayed": "true"},
            )  # fmt: skip
        response = await self._answer(function, identifier, account, params, request)
        assert response.text is not None
        self._replies[scope] = (fingerprint, response.status, response.text)
        return response

    async def _answer(
        self,
        function: Callable[..., Awaitable[Any]],
        identifier: str | None,
        account: str | None,
        params: dict[str, Any],
        request: web.Request,
    ) -> web.Response:
        try:
            arguments: dict[str, Any] = {"params": params, "account": account}
            if identifier is not None:
                arguments["identifier"] = identifier
            if function in (self.create_account_link, self.create_login_link):
                arguments["base"] = f"http://{request.host}"
            body = await function(**arguments)
        except StripeError as error:
            return error.response()
        return web.json_response(body)

    def _match(
        self, method: str, path: str
    ) -> tuple[Callable[..., Awaitable[Any]], str | None] | None:
        parts = path.rstrip("/").split("/")
        for route_method, pattern, function in self.routes:
            expected = pattern.split("/")
            if route_method != method or len(expected) != len(parts):
                continue
            identifier = None
            for want, got in zip(expected, parts, strict=True):
                if want == "{id}":
                    identifier = got
                elif want != got:
                    break
            else:
                return function, identifier
        return None

    # -- accounts ----------------------------------------------------------------------

    async def create_account(self, *, params: dict[str, Any], account: str | None) -> Any:
        if params.get("type") not in ("express", "standard", "custom"):
            raise StripeError(400, "parameter_missing", "Missing required param: type.")
        account_id = f"acct_{secrets.token_hex(8)}"
        self.accounts[account_id] = {
            "id": account_id, "object": "account", "type": params["type"],
            "email": params.get("email"), "country": params.get("country", "US"),
            "created": int(time.time()), "details_submitted": False,
            "charges_enabled": False, "payouts_enabled": False,
            "capabilities": {"transfers": "inactive"},
            "requirements": {"disabled_reason": "requirements.past_due",
                             "currently_due": ["external_account", "tos_acceptance.date"]},
            "external_accounts": {"object": "list", "data": [], "has_more": False,
                                  "url": f"/v1/accounts/{account_id}/external_accounts"},
            "metadata": params.get("metadata") or {},
            "settings": {"payouts": {"schedule": {"interval": _payout_interval(params)}}},
        }  # fmt: skip
        self.balances[account_id] = {}
        return self.accounts[account_id]

    async def retrieve_account(
        self, *, identifier: str, params: dict[str, Any], account: str | None
    ) -> Any:
        return self._account(identifier)

    async def create_account_link(
        self, *, params: dict[str, Any], account: str | None, base: str
    ) -> Any:
        for name in ("account", "type"):
            if not params.get(name):
                raise StripeError(400, "parameter_missing", f"Missing required param: {name}.")
        if params["type"] not in ("account_onboarding", "account_update"):
            raise StripeError(400, "parameter_invalid_string", "Invalid type.")
        holder = self._account(str(params["account"]))
        now = int(time.time())
        return {
            "object": "account_link", "created": now, "expires_at": now + LINK_SECONDS,
            "url": f"{base}/_config/connect/onboarding/{holder['id']}/{secrets.token_hex(8)}",
        }  # fmt: skip

    async def create_login_link(
        self, *, identifier: str, params: dict[str, Any], account: str | None, base: str
    ) -> Any:
        holder = self._account(identifier)
        if holder["type"] != "express":
            raise StripeError(
                400, None,
                f"Cannot create an edit link for the account {identifier}, which is not an "
                "Express account.",
            )  # fmt: skip
        if not holder["details_submitted"]:
            raise StripeError(
                400, None,
                f"Cannot create a login link for the account {identifier}: it has not "
                "completed onboarding.",
            )  # fmt: skip
        return {
            "object": "login_link", "created": int(time.time()),
            "url": f"{base}/_config/connect/express/{holder['id']}/{secrets.token_hex(8)}",
        }  # fmt: skip

    def _account(self, account_id: str) -> dict[str, Any]:
        if account_id not in self.accounts:
            raise StripeError(404, "resource_missing", f"No such account: '{account_id}'")
        return self.accounts[account_id]

    # -- transfers -----------------------------------------------------------------------

    async def create_transfer(self, *, params: dict[str, Any], account: str | None) -> Any:
        amount, currency = _amount(params), _currency(params)
        destination = str(params.get("destination") or "")
        if destination not in self.accounts:
            raise StripeError(400, "resource_missing", f"No such destination: '{destination}'")
        if self.accounts[destination]["capabilities"]["transfers"] != "active":
            raise StripeError(
                400, "insufficient_capabilities_for_transfer",
                "Your destination account needs to have the transfers capability enabled.",
            )  # fmt: skip
        self._debit(account or PLATFORM, currency, amount)
        self._credit(destination, currency, amount)
        transfer = {
            "id": f"tr_{secrets.token_hex(8)}", "object": "transfer", "amount": amount,
            "currency": currency, "destination": destination, "created": int(time.time()),
            "reversed": False, "amount_reversed": 0, "metadata": params.get("metadata") or {},
        }  # fmt: skip
        self.transfers.append(transfer)
        return transfer

    async def list_transfers(self, *, params: dict[str, Any], account: str | None) -> Any:
        since = int((params.get("created") or {}).get("gte", 0))
        listed = sorted(
            (t for t in self.transfers if t["created"] >= since),
            key=lambda t: t["created"], reverse=True,
        )  # fmt: skip
        after = params.get("starting_after")
        if after:
            ids = [t["id"] for t in listed]
            listed = listed[ids.index(after) + 1 :] if after in ids else []
        limit = int(params.get("limit", 10))
        return {"object": "list", "url": "/v1/transfers", "has_more": len(listed) > limit,
                "data": listed[:limit]}  # fmt: skip

    # -- payouts and balances ------------------------------------------------------------

    async def create_payout(self, *, params: dict[str, Any], account: str | None) -> Any:
        assert account is not None
        amount, currency = _amount(params), _currency(params)
        holder = self._account(account)
        if not holder["payouts_enabled"]:
            raise StripeError(400, "payouts_not_allowed", "Payouts are not enabled.")
        self._debit(account, currency, amount)
        now = int(time.time())
        bank = holder["external_accounts"]["data"][0]
        payout = {
            "id": f"po_{secrets.token_hex(8)}", "object": "payout", "amount": amount,
            "currency": currency, "arrival_date": now + ARRIVAL_SECONDS, "created": now,
            "status": "pending", "method": "standard", "type": "bank_account",
            "destination": bank["id"], "failure_code": None, "failure_message": None,
            "metadata": params.get("metadata") or {}, "_account": account,
        }  # fmt: skip
        self.payouts[payout["id"]] = payout
        return _public(payout)

    async def retrieve_payout(
        self, *, identifier: str, params: dict[str, Any], account: str | None
    ) -> Any:
        payout = self.payouts.get(identifier)
        if payout is None or payout["_account"] != account:
            raise StripeError(404, "resource_missing", f"No such payout: '{identifier}'")
        return _public(payout)

    async def retrieve_balance(self, *, params: dict[str, Any], account: str | None) -> Any:
        balance = self.balances[account or PLATFORM]
        return {
            "object": "balance", "livemode": False,
            "available": [{"amount": amount, "currency": currency,
                           "source_types": {"card": amount}}
                          for currency, amount in sorted(balance.items())],
            "pending": [],
        }  # fmt: skip

    def _credit(self, account: str, currency: str, amount: int) -> None:
        balance = self.balances[account]
        balance[currency] = balance.get(currency, 0) + amount

    def _debit(self, account: str, currency: str, amount: int) -> None:
        if self.balances[account].get(currency, 0) < amount:
            raise StripeError(
                400, "balance_insufficient",
                "You have insufficient available funds in your Stripe account.",
            )  # fmt: skip
        self._credit(account, currency, -amount)

    # -- test-only controls ----------------------------------------------------------------

    async def credit_platform(self, *, params: dict[str, Any], account: str | None) -> Any:
        self._credit(PLATFORM, _currency(params), _amount(params))
        return await self.retrieve_balance(params={}, account=None)

    async def onboard(self, *, identifier: str, params: dict[str, Any], account: str | None) -> Any:
        holder = self._account(identifier)
        holder.update(
            details_submitted=True, charges_enabled=True, payouts_enabled=True,
            capabilities={"transfers": "active"},
            requirements={"disabled_reason": None, "currently_due": []},
        )  # fmt: skip
        holder["external_accounts"]["data"] = [{
            "id": f"ba_{secrets.token_hex(8)}", "object": "bank_account", "account": holder["id"],
            "last4": str(params.get("bank_last4", "6789")), "currency": "eur",
            "country": holder["country"], "default_for_currency": True,
        }]  # fmt: skip
        await self.emit("account.updated", holder, account=holder["id"])
        return holder

    async def settle_payout(
        self, *, identifier: str, params: dict[str, Any], account: str | None
    ) -> Any:
        payout = self.payouts.get(identifier)
        if payout is None:
            raise StripeError(404, "resource_missing", f"No such payout: '{identifier}'")
        if payout["status"] not in ("pending", "in_transit"):
            raise StripeError(400, "payout_not_pending", "The payout was settled already.")
        status = params.get("status")
        if status == "paid":
            payout["status"] = "paid"
        elif status == "failed":
            payout.update(
                status="failed", failure_code=params.get("failure_code", "account_closed"),
                failure_message="The bank account has been closed.",
            )  # fmt: skip
            self._credit(payout["_account"], payout["currency"], payout["amount"])
        else:
            raise StripeError(400, "parameter_invalid_string", "status: paid or failed.")
        await self.emit(f"payout.{status}", _public(payout), account=payout["_account"])
        return _public(payout)

    async def emit(self, event_type: str, obj: dict[str, Any], *, account: str) -> None:
        """Deliver a Connect event to every registered endpoint, as Stripe signs it."""
        import localstripe.webhooks  # type: ignore[import-untyped]

        now = int(time.time())
        event = {
            "id": f"evt_{secrets.token_hex(12)}", "object": "event", "type": event_type,
            "created": now, "account": account, "livemode": False, "pending_webhooks": 1,
            "data": {"object": obj},
        }  # fmt: skip
        payload = json.dumps(event).encode()
        async with aiohttp.ClientSession() as session:
            for endpoint in list(localstripe.webhooks._webhooks.values()):
                if endpoint.events is not None and event_type not in endpoint.events:
                    continue
                digest = hmac.new(
                    endpoint.secret.encode(), b"%d.%s" % (now, payload), hashlib.sha256
                ).hexdigest()
                headers = {"Content-Type": "application/json",
                           "Stripe-Signature": f"t={now},v1={digest}"}  # fmt: skip
                async with session.post(endpoint.url, data=payload, headers=headers) as reply:
                    await reply.read()


async def _params(request: web.Request) -> dict[str, Any]:
    from localstripe.server import unflatten_data  # type: ignore[import-untyped]

    if request.method == "GET":
        data = unflatten_data(request.query)
    else:
        data = unflatten_data(await request.post())
    return dict(data or {})


def _amount(params: dict[str, Any]) -> int:
    try:
        amount = int(params["amount"])
    except (KeyError, ValueError):
        raise StripeError(400, "parameter_missing", "Missing required param: amount.") from None
    if amount <= 0:
        raise StripeError(400, "amount_too_small", "Amount must be at least 1.")
    return amount


def _currency(params: dict[str, Any]) -> str:
    currency = str(params.get("currency") or "").lower()
    if len(currency) != 3:
        raise StripeError(400, "parameter_missing", "Missing required param: currency.")
    return currency


def _public(payout: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in payout.items() if not key.startswith("_")}


def _payout_interval(params: dict[str, Any]) -> str:
    """``settings.payouts.schedule.interval`` as given (Express accounts default to daily)."""
    settings = params.get("settings") or {}
    schedule = (settings.get("payouts") or {}).get("schedule") or {}
    return str(schedule.get("interval") or "daily")
