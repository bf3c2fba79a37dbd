"""The fee breakdown: lines add up, half-up per line, splits and milestones."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from openchance.config import EscrowFundingDeadline, Settings
from openchance.errors import InvalidInput
from openchance.payments.fees import FeePolicy, fee_breakdown, fee_policy_from_settings

POLICY = fee_policy_from_settings(Settings())


def _adds_up(prize: int, currency: str, split: list[int]) -> None:
    result = fee_breakdown(prize, currency, POLICY, prize_split=split)
    assert result.total_charged_minor == (
        result.prize_minor + result.challenger_fee_minor + result.fixed_fee_minor
        + result.processor_fee_minor
    )  # fmt: skip
    assert result.solver_receives_minor == prize - result.solver_fee_minor
    assert sum(w.share_minor for w in result.winners) == prize
    assert all(w.net_minor == w.share_minor - w.solver_fee_minor for w in result.winners)
    assert sum(w.net_minor for w in result.winners) == result.solver_receives_minor


class TestFeeBreakdown:
    def test_defaults_on_a_thousand_euros(self) -> None:
        result = fee_breakdown(100_000, "EUR", POLICY)
        assert result.challenger_fee_minor == 5_000
        assert result.fixed_fee_minor == 0
        assert result.processor_fee_minor == 1_575 + 25  # 1.5% of 1050.00, plus 0.25
        assert result.total_charged_minor == 106_600
        assert result.solver_fee_minor == 10_000
        assert result.solver_receives_minor == 90_000

    def test_each_line_rounds_half_up(self) -> None:
        policy = POLICY.model_copy(
            update={"processor_fee_bps": 0, "processor_fee_fixed": Decimal(0)}
        )
        assert fee_breakdown(10, "EUR", policy).challenger_fee_minor == 1  # 0.5 → 1
        assert fee_breakdown(9, "EUR", policy).challenger_fee_minor == 0  # 0.45 → 0
        assert fee_breakdown(5, "EUR", policy).solver_fee_minor == 1  # 0.5 → 1

    def test_fixed_fees_follow_the_currency_exponent(self) -> None:
        policy = POLICY.model_copy(update={"fixed_fee": Decimal("1.5")})
        assert fee_breakdown(1000, "JPY", policy).fixed_fee_minor == 2
        assert fee_breakdown(1000, "BHD", policy).fixed_fee_minor == 1500
        assert fee_breakdown(1000, "EUR", policy).fixed_fee_minor == 150

    @given(
        prize=st.integers(min_value=1, max_value=10**13),
        currency=st.sampled_from(["EUR", "USD", "JPY", "BHD", "KWD", "GBP"]),
        split=st.sampled_from([[100], [50, 50], [34, 33, 33], [60, 25, 15], [1, 99]]),
    )
    def test_lines_add_up_for_any_amount(self, prize: int, currency: str, split: list[int]) -> None:
        _adds_up(prize, currency, split)

    def test_split_between_winners_sums_to_the_prize(self) -> None:
        result = fee_breakdown(100, "JPY", POLICY, prize_split=[34, 33, 33])
        assert [w.share_minor for w in result.winners] == [34, 33, 33]
        result = fee_breakdown(1, "EUR", POLICY, prize_split=[50, 50])
        assert sum(w.share_minor for w in result.winners) == 1

    def test_milestones_have_a_line_each(self) -> None:
        result = fee_breakdown(30_005, "EUR", POLICY, milestones=[("a", 10_005), ("b", 20_000)])
        assert [(m.solver_fee_minor, m.net_minor) for m in result.milestones] == [
            (1_001, 9_004),
            (2_000, 18_000),
        ]
        assert result.solver_fee_minor == 3_001
        assert result.solver_receives_minor == 27_004

    def test_milestones_that_do_not_add_up_are_refused(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            fee_breakdown(100, "EUR", POLICY, milestones=[("a", 99)])
        assert caught.value.code == "milestones_total_mismatch"

    def test_unknown_currency_is_refused(self) -> None:
        with pytest.raises(InvalidInput) as caught:
            fee_breakdown(100, "XYZ", POLICY)
        assert caught.value.code == "unknown_currency"


class TestFeeSettings:
    def test_policy_snapshots_the_settings(self) -> None:
        settings = Settings(fee_challenger_bps=300, escrow_release_reminder_days="5,1")
        policy = fee_policy_from_settings(settings)
        assert isinstance(policy, FeePolicy)
        assert policy.challenger_fee_bps == 300
        assert policy.release_reminder_days == (5, 1)

    def test_reminder_after_the_release_is_refused(self) -> None:
        with pytest.raises(ValueError, match="escrow_release_reminder_days"):
            Settings(escrow_release_reminder_days="20")


def test_winners_of_a_milestone_reward_each_pay_the_fee_of_their_share() -> None:
    policy = FeePolicy(
        challenger_fee_bps=500, solver_fee_bps=1000, fixed_fee=Decimal(0),
        processor_fee_bps=0, processor_fee_fixed=Decimal(0),
        refund_returns_processor_fee=False, auto_release_days=14, release_reminder_days=(7,),
        funding_deadline=EscrowFundingDeadline.BEFORE_PUBLISH,
    )  # fmt: skip

    breakdown = fee_breakdown(
        100_000, "EUR", policy, prize_split=[60, 40], milestones=[("A", 40_000), ("B", 60_000)]
    )

    assert [w.solver_fee_minor for w in breakdown.winners] == [6_000, 4_000]
    assert breakdown.solver_fee_minor == 10_000
