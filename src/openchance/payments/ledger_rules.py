"""The ledger's rules, as pure functions over immutable values (no database, no I/O).

:func:`check_balanced` is the one function that decides whether a set of postings may be
written; :func:`balances` is the one function that derives balances from postings. The
ledger (``ledger.py``) and the invariant check (``invariants.py``) both call them, so the
rule that is enforced and the rule that is checked can never drift apart.

Sign convention: a posting's amount is added to its account's balance. Money entering the
platform is a negative posting on ``world`` and a positive one on, say, a challenger's
funding account; every transaction sums to zero per currency.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from openchance.db.types import normalise_currency
from openchance.errors import Conflict, InvalidInput
from openchance.models.ledger import SYSTEM_OWNER_KEY, AccountFloor, AccountPurpose, OwnerKind

MAX_POSTING_MINOR = 10**15
"""The largest amount of one posting, in minor units: sums of many still fit 64 bits."""

PURPOSE_OWNERS: Mapping[AccountPurpose, OwnerKind] = {
    AccountPurpose.WORLD: OwnerKind.SYSTEM,
    AccountPurpose.CHALLENGER_FUNDING: OwnerKind.USER,
    AccountPurpose.ESCROW: OwnerKind.CHALLENGE,
    AccountPurpose.SOLVER_PAYABLE: OwnerKind.USER,
    AccountPurpose.PLATFORM_FEES: OwnerKind.SYSTEM,
    AccountPurpose.PROCESSOR_FEES: OwnerKind.SYSTEM,
    AccountPurpose.PROCESSOR_CLEARING: OwnerKind.SYSTEM,
}
"""Who owns an account of each purpose."""

UNBOUNDED_PURPOSES = frozenset({AccountPurpose.WORLD, AccountPurpose.PROCESSOR_CLEARING})
"""Accounts that mirror an outside balance and may go negative; all others never do."""


@dataclass(frozen=True, slots=True)
class Posting:
    """One line of a transaction: ``amount_minor`` (signed) added to an account's balance."""

    account_id: uuid.UUID
    amount_minor: int
    currency: str


def floor_for(purpose: AccountPurpose) -> AccountFloor:
    return AccountFloor.NONE if purpose in UNBOUNDED_PURPOSES else AccountFloor.ZERO


def owner_key(kind: OwnerKind, owner_id: uuid.UUID | None) -> str:
    """The non-null key that makes (purpose, owner, currency) unique for system accounts too."""
    if kind is OwnerKind.SYSTEM:
        return SYSTEM_OWNER_KEY
    return f"{kind.value}:{owner_id}"


def check_owner(purpose: AccountPurpose, kind: OwnerKind, owner_id: uuid.UUID | None) -> None:
    """A purpose has one kind of owner; system accounts have no owner id, others need one."""
    expected = PURPOSE_OWNERS[purpose]
    if kind is not expected or (owner_id is None) != (kind is OwnerKind.SYSTEM):
        raise _invalid(
            "owner_mismatch",
            f"a {purpose.value} account is owned by "
            + ("nobody" if expected is OwnerKind.SYSTEM else f"a {expected.value}"),
            purpose=purpose.value,
        )


def check_currency(currency: str) -> str:
    """The ISO 4217 code, or ``unknown_currency``; the code must already be upper-case."""
    try:
        known = normalise_currency(currency)
    except InvalidInput:
        known = None
    if known is None or known != currency:
        raise _invalid(
            "unknown_currency", f"{currency!r} is not an ISO 4217 currency code", currency=currency
        )
    return known


def check_amount(amount_minor: int) -> None:
    if isinstance(amount_minor, bool) or not isinstance(amount_minor, int):
        raise _invalid("invalid_amount", "amounts are integers of minor units")
    if amount_minor == 0:
        raise _invalid("zero_amount", "a posting of zero moves nothing")
    if abs(amount_minor) > MAX_POSTING_MINOR:
        raise _invalid("amount_too_large", "the amount is too large", amount_minor=amount_minor)


def check_balanced(
    postings: Sequence[Posting], account_currencies: Mapping[uuid.UUID, str]
) -> None:
    """Raise :class:`InvalidInput` unless the postings form a valid transaction: at least two
    postings, each a non-zero integer in a known currency that is its account's currency,
    summing to zero per currency. Codes: ``too_few_postings``, ``invalid_amount``,
    ``zero_amount``, ``amount_too_large``, ``unknown_currency``, ``currency_mismatch``,
    ``unbalanced_transaction``."""
    if len(postings) < 2:
        raise _invalid("too_few_postings", "a transaction has at least two postings")
    sums: dict[str, int] = defaultdict(int)
    for position, posting in enumerate(postings):
        check_amount(posting.amount_minor)
        check_currency(posting.currency)
        account_currency = account_currencies.get(posting.account_id)
        if account_currency != posting.currency:
            raise _invalid(
                "currency_mismatch",
                f"posting {position} is in {posting.currency}, its account in {account_currency}",
                position=position,
                account=str(posting.account_id),
            )
        sums[posting.currency] += posting.amount_minor
    unbalanced = {currency: total for currency, total in sorted(sums.items()) if total != 0}
    if unbalanced:
        listed = ", ".join(f"{currency} {total:+d}" for currency, total in unbalanced.items())
        raise _invalid(
            "unbalanced_transaction",
            f"the postings do not sum to zero per currency: {listed}",
            sums=unbalanced,
        )


def balances(postings: Iterable[Posting]) -> dict[uuid.UUID, int]:
    """Each account's balance: the sum of its postings."""
    totals: dict[uuid.UUID, int] = defaultdict(int)
    for posting in postings:
        totals[posting.account_id] += posting.amount_minor
    return dict(totals)


def apply(before: Mapping[uuid.UUID, int], postings: Iterable[Posting]) -> dict[uuid.UUID, int]:
    """The balances of the accounts the postings touch, after them."""
    after = dict(before)
    for account_id, delta in balances(postings).items():
        after[account_id] = after.get(account_id, 0) + delta
    return after


def check_floors(
    before: Mapping[uuid.UUID, int],
    after: Mapping[uuid.UUID, int],
    floors: Mapping[uuid.UUID, AccountFloor],
) -> None:
    """``insufficient_funds`` (a :class:`Conflict`) for the first account, in id order, that
    would end below its floor; its context names the account, its balance and what was needed."""
    for account_id in sorted(after):
        if floors[account_id] is AccountFloor.ZERO and after[account_id] < 0:
            balance = before.get(account_id, 0)
            raise Conflict(
                f"account {account_id} holds {balance}, {balance - after[account_id]} needed",
                code="insufficient_funds",
                account=str(account_id),
                balance=balance,
                needed=balance - after[account_id],
            )


def negated(postings: Iterable[Posting]) -> list[Posting]:
    """The postings that undo these (a reversing transaction's)."""
    return [Posting(p.account_id, -p.amount_minor, p.currency) for p in postings]


def request_hash(request: Mapping[str, Any]) -> str:
    """SHA-256 of the request's canonical JSON (sorted keys, no spaces): equal requests,
    however their dictionaries were built, hash alike; any other difference shows."""
    canonical = json.dumps(
        request, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _invalid(code: str, message: str, **detail: Any) -> InvalidInput:
    return InvalidInput(
        message,
        code=code,
        errors=[{"field": "postings", "code": code, "message": message, **detail}],
    )
