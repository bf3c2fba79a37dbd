"""The fee policy and the one pure function that previews what a funding costs.

Rounding rule: every fee line is computed exactly as a :class:`~decimal.Decimal` and
rounded **half-up to the minor unit** of the currency, line by line; totals are then sums
of the rounded lines, so the breakdown always adds up exactly:
``total_charged = prize + challenger fee + fixed fee + processor fee`` and, per winner,
``net = share - solver fee``.

Funding and escrow are not built yet: this is a preview only.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import ROUND_HALF_UP, Decimal

from pydantic import BaseModel, ConfigDict, Field

from openchance.config import EscrowFundingDeadline, Settings
from openchance.db.types import currency_exponent
from openchance.errors import InvalidInput
from openchance.payments.ledger_rules import check_currency

BPS = Decimal(10_000)


class FeePolicy(BaseModel):
    """The fee terms a challenge carries once funded (a snapshot of the settings)."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    challenger_fee_bps: int = Field(ge=0, le=5000)
    solver_fee_bps: int = Field(ge=0, le=5000)
    fixed_fee: Decimal = Field(ge=0, description="Major units of the challenge's currency.")
    processor_fee_bps: int = Field(ge=0, le=2000)
    processor_fee_fixed: Decimal = Field(ge=0, description="Major units.")
    refund_returns_processor_fee: bool
    auto_release_days: int = Field(ge=1)
    release_reminder_days: tuple[int, ...]
    funding_deadline: EscrowFundingDeadline


def fee_policy_from_settings(settings: Settings) -> FeePolicy:
    return FeePolicy(
        challenger_fee_bps=settings.fee_challenger_bps,
        solver_fee_bps=settings.fee_solver_bps,
        fixed_fee=settings.fee_fixed_per_funding,
        processor_fee_bps=settings.processor_fee_bps,
        processor_fee_fixed=settings.processor_fee_fixed,
        refund_returns_processor_fee=settings.refund_returns_processor_fee,
        auto_release_days=settings.escrow_auto_release_days,
        release_reminder_days=tuple(settings.escrow_release_reminder_days),
        funding_deadline=settings.escrow_funding_deadline,
    )


class WinnerLine(BaseModel):
    rank: int
    percent: int
    share_minor: int
    solver_fee_minor: int
    net_minor: int


class MilestoneLine(BaseModel):
    position: int
    title: str
    amount_minor: int
    solver_fee_minor: int
    net_minor: int


class FeeBreakdown(BaseModel):
    """Integer minor units in ``currency``; every total is the sum of its lines."""

    currency: str
    exponent: int
    prize_minor: int
    challenger_fee_minor: int
    fixed_fee_minor: int
    processor_fee_minor: int
    total_charged_minor: int
    solver_fee_minor: int
    solver_receives_minor: int
    winners: list[WinnerLine]
    milestones: list[MilestoneLine]
    policy: FeePolicy


def round_half_up(value: Decimal) -> int:
    """Half-up to a whole minor unit (amounts are never negative here)."""
    return int(value.quantize(Decimal(1), rounding=ROUND_HALF_UP))


def rate(amount_minor: int, bps: int) -> int:
    """``bps`` basis points of the amount, rounded half-up to the minor unit."""
    return round_half_up(Decimal(amount_minor) * bps / BPS)


def _major_to_minor(amount: Decimal, exponent: int) -> int:
    return round_half_up(amount.scaleb(exponent))


def split_prize(prize_minor: int, prize_split: Sequence[int]) -> list[int]:
    """Each winner's share, half-up per share; the rounding difference goes to first place
    so the shares sum to the prize exactly."""
    shares = [round_half_up(Decimal(prize_minor) * percent / 100) for percent in prize_split]
    shares[0] += prize_minor - sum(shares)
    return shares


def fee_breakdown(
    prize_minor: int,
    currency: str,
    policy: FeePolicy,
    *,
    prize_split: Sequence[int] = (100,),
    milestones: Sequence[tuple[str, int]] = (),
) -> FeeBreakdown:
    """The line-by-line breakdown of funding ``prize_minor``. With ``milestones`` (title,
    amount), the prize is their sum and the solver fee is taken per milestone."""
    check_currency(currency)
    if isinstance(prize_minor, bool) or not isinstance(prize_minor, int) or prize_minor <= 0:
        raise InvalidInput("the prize must be a positive integer of minor units",
                           code="amount_not_positive")  # fmt: skip
    if not prize_split or sum(prize_split) != 100 or min(prize_split) < 0:
        raise InvalidInput("the prize split must add up to 100%", code="prize_split_sum")
    if milestones and sum(amount for _, amount in milestones) != prize_minor:
        raise InvalidInput(
            "the milestones must add up to the prize", code="milestones_total_mismatch"
        )
    exponent = currency_exponent(currency)
    challenger_fee = rate(prize_minor, policy.challenger_fee_bps)
    fixed_fee = _major_to_minor(policy.fixed_fee, exponent)
    charged_before_processor = prize_minor + challenger_fee + fixed_fee
    processor_fee = rate(charged_before_processor, policy.processor_fee_bps) + _major_to_minor(
        policy.processor_fee_fixed, exponent
    )
    milestone_lines = [
        MilestoneLine(
            position=position,
            title=title,
            amount_minor=amount,
            solver_fee_minor=rate(amount, policy.solver_fee_bps),
            net_minor=amount - rate(amount, policy.solver_fee_bps),
        )
        for position, (title, amount) in enumerate(milestones, start=1)
    ]
    winner_lines = []
    for rank, (percent, share) in enumerate(
        zip(prize_split, split_prize(prize_minor, prize_split), strict=True), start=1
    ):
        # One winner of a milestone reward pays each milestone's fee; several share each
        # milestone by the split, so each pays the fee of their share.
        fee = (
            sum(line.solver_fee_minor for line in milestone_lines)
            if milestone_lines and len(prize_split) == 1
            else rate(share, policy.solver_fee_bps)
        )
        winner_lines.append(
            WinnerLine(rank=rank, percent=percent, share_minor=share,
                       solver_fee_minor=fee, net_minor=share - fee)
        )  # fmt: skip
    solver_fee = sum(line.solver_fee_minor for line in winner_lines)
    return FeeBreakdown(
        currency=currency,
        exponent=exponent,
        prize_minor=prize_minor,
        challenger_fee_minor=challenger_fee,
        fixed_fee_minor=fixed_fee,
        processor_fee_minor=processor_fee,
        total_charged_minor=charged_before_processor + processor_fee,
        solver_fee_minor=solver_fee,
        solver_receives_minor=prize_minor - solver_fee,
        winners=winner_lines,
        milestones=milestone_lines,
        policy=policy,
    )
