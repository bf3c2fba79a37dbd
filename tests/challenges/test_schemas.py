"""What a challenger may write: rewards in minor units or decimals, the prize split, the
deadline, lengths. Each refused input names its rule as the error ``type``."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from pydantic import TypeAdapter, ValidationError

from openchance.challenges.rewards import (
    MAX_MILESTONES,
    FixedRewardInput,
    MilestonesRewardInput,
    RangeRewardInput,
    RewardInput,
    equal_split,
)
from openchance.challenges.schemas import (
    ChallengeCancellation,
    ChallengeCreate,
    ChallengeEdit,
    ChallengeFilter,
    ChallengeOrder,
)
from openchance.db.types import utcnow
from openchance.models.challenges import ChallengeStatus
from tests.challenges.drafting import challenge_create, challenge_data

REWARD = TypeAdapter[Any](RewardInput)


def reward(**fields: Any) -> Any:
    return REWARD.validate_python(fields)


def error_of(caught: pytest.ExceptionInfo[ValidationError]) -> tuple[tuple[Any, ...], str]:
    (error,) = caught.value.errors()
    return error["loc"], error["type"]


class TestFixedReward:
    def test_a_decimal_string_becomes_minor_units(self) -> None:
        fixed = reward(kind="fixed", currency="eur", amount="1500.00")

        assert isinstance(fixed, FixedRewardInput)
        assert (fixed.currency, fixed.bounds()) == ("EUR", (150000, 150000))

    def test_minor_units_are_taken_as_they_are(self) -> None:
        assert reward(kind="fixed", currency="EUR", amount_minor=999).bounds() == (999, 999)

    def test_a_currency_without_minor_units_takes_whole_amounts(self) -> None:
        assert reward(kind="fixed", currency="JPY", amount="5000").bounds() == (5000, 5000)

    def test_three_decimal_currencies_take_three_decimals(self) -> None:
        assert reward(kind="fixed", currency="BHD", amount="1.250").bounds() == (1250, 1250)

    def test_trailing_zeros_beyond_the_exponent_are_harmless(self) -> None:
        assert reward(kind="fixed", currency="EUR", amount="12.500").bounds() == (1250, 1250)

    @pytest.mark.parametrize(
        ("currency", "amount"), [("EUR", "12.345"), ("JPY", "1500.5"), ("USD", "0.001")]
    )
    def test_too_many_decimals_for_the_currency_are_refused(
        self, currency: str, amount: str
    ) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="fixed", currency=currency, amount=amount)

        assert error_of(caught) == (("fixed", "amount"), "too_many_decimals")

    @pytest.mark.parametrize("amount", ["0", "0.00", "-5", "-0.01"])
    def test_zero_and_negative_decimals_are_refused(self, amount: str) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="fixed", currency="EUR", amount=amount)

        assert error_of(caught) == (("fixed", "amount"), "amount_not_positive")

    @pytest.mark.parametrize("amount_minor", [0, -100])
    def test_zero_and_negative_minor_units_are_refused(self, amount_minor: int) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="fixed", currency="EUR", amount_minor=amount_minor)

        assert error_of(caught) == (("fixed", "amount_minor"), "amount_not_positive")

    def test_an_absurd_amount_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="fixed", currency="EUR", amount_minor=10**15)

        assert error_of(caught)[1] == "amount_too_large"

    @pytest.mark.parametrize("amount", ["1,500.00", "1e3", "NaN", "Infinity", "12.", ""])
    def test_anything_but_a_plain_decimal_is_refused(self, amount: str) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="fixed", currency="EUR", amount=amount)

        assert error_of(caught)[1] == "invalid_amount"

    def test_a_float_is_not_an_amount(self) -> None:
        with pytest.raises(ValidationError):
            reward(kind="fixed", currency="EUR", amount_minor=1500.5)

    @pytest.mark.parametrize("currency", ["XYZ", "EURO", "", "€"])
    def test_an_unknown_currency_is_refused(self, currency: str) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="fixed", currency=currency, amount="10")

        assert error_of(caught) == (("fixed", "currency"), "unknown_currency")

    def test_both_spellings_at_once_are_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="fixed", currency="EUR", amount="10.00", amount_minor=1000)

        assert error_of(caught)[1] == "ambiguous_amount"

    def test_an_amount_is_required(self) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="fixed", currency="EUR")

        assert error_of(caught)[1] == "amount_required"


class TestRangeReward:
    def test_min_and_max_may_be_spelled_differently(self) -> None:
        range_ = reward(kind="range", currency="EUR", min="1000", max_minor=200000)

        assert isinstance(range_, RangeRewardInput)
        assert range_.bounds() == (100000, 200000)

    def test_an_inverted_range_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="range", currency="EUR", min="2000", max="1000")

        assert error_of(caught) == (("range",), "range_inverted")

    def test_a_negative_bound_is_refused_at_its_field(self) -> None:
        with pytest.raises(ValidationError) as caught:
            reward(kind="range", currency="EUR", min="-1", max="1000")

        assert error_of(caught) == (("range", "min"), "amount_not_positive")


class TestMilestonesReward:
    def milestones(self, *amounts: Any, **fields: Any) -> Any:
        items = [
            {"title": f"Step {n}", "amount" if isinstance(a, str) else "amount_minor": a}
            for n, a in enumerate(amounts, start=1)
        ]
        return reward(kind="milestones", currency="EUR", milestones=items, **fields)

    def test_the_reward_is_the_sum_of_the_milestones(self) -> None:
        steps = self.milestones("100.00", 5000)

        assert isinstance(steps, MilestonesRewardInput)
        assert steps.bounds() == (15000, 15000)
        assert [m.amount_minor for m in steps.milestones] == [10000, 5000]

    def test_a_stated_total_must_match_the_sum(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.milestones("100.00", "50.00", total="200.00")

        assert error_of(caught) == (("milestones",), "milestones_total_mismatch")

    def test_a_matching_total_is_accepted(self) -> None:
        assert self.milestones("100.00", "50.00", total_minor=15000).bounds() == (15000, 15000)

    def test_a_milestone_amount_with_too_many_decimals_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.milestones("100.00", "0.005")

        assert error_of(caught) == (("milestones", "milestones"), "too_many_decimals")
        assert "milestone 2" in caught.value.errors()[0]["msg"]

    def test_a_zero_milestone_is_refused_at_its_field(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.milestones("100.00", 0)

        assert error_of(caught) == (
            ("milestones", "milestones", 1, "amount_minor"),
            "amount_not_positive",
        )

    def test_at_least_one_milestone(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.milestones()

        assert error_of(caught)[1] == "too_short"

    def test_at_most_twenty_milestones(self) -> None:
        with pytest.raises(ValidationError) as caught:
            self.milestones(*([100] * (MAX_MILESTONES + 1)))

        assert error_of(caught)[1] == "too_long"


class TestPrizeSplit:
    @pytest.mark.parametrize(
        ("winners", "split"), [(1, [100]), (2, [50, 50]), (3, [34, 33, 33]), (7, [16] + [14] * 6)]
    )
    def test_equal_shares_give_the_remainder_to_first_place(
        self, winners: int, split: list[int]
    ) -> None:
        assert equal_split(winners) == split
        assert sum(split) == 100

    def test_without_a_split_the_shares_are_equal(self) -> None:
        assert challenge_create(winners=3).prize_split == [34, 33, 33]

    def test_a_split_that_does_not_add_up_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            challenge_create(winners=2, prize_split=[60, 30])

        assert error_of(caught)[1] == "prize_split_sum"

    def test_one_share_per_winner(self) -> None:
        with pytest.raises(ValidationError) as caught:
            challenge_create(winners=3, prize_split=[50, 50])

        assert error_of(caught)[1] == "prize_split_mismatch"

    def test_a_zero_share_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            challenge_create(winners=2, prize_split=[100, 0])

    @pytest.mark.parametrize("winners", [0, 51])
    def test_between_one_and_fifty_winners(self, winners: int) -> None:
        with pytest.raises(ValidationError):
            challenge_create(winners=winners)

    def test_a_milestone_reward_has_one_winner(self) -> None:
        steps = {
            "kind": "milestones",
            "currency": "EUR",
            "milestones": [{"title": "a", "amount": "1"}],
        }

        with pytest.raises(ValidationError) as caught:
            challenge_create(reward=steps, winners=2)

        assert error_of(caught)[1] == "milestones_single_winner"


class TestDeadline:
    def test_a_deadline_in_the_past_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            challenge_create(deadline=(utcnow() - timedelta(minutes=1)).isoformat())

        assert error_of(caught) == (("deadline",), "deadline_in_past")

    def test_a_naive_deadline_is_refused(self) -> None:
        naive = (datetime.now() + timedelta(days=3)).replace(tzinfo=None).isoformat()

        with pytest.raises(ValidationError) as caught:
            challenge_create(deadline=naive)

        assert error_of(caught) == (("deadline",), "timezone_aware")

    def test_a_deadline_in_another_zone_is_kept_in_utc(self) -> None:
        soon = (utcnow() + timedelta(days=3)).astimezone(timezone(timedelta(hours=2)))
        created = challenge_create(deadline=soon.isoformat())

        assert created.deadline.tzinfo == UTC
        assert created.deadline == soon

    def test_a_deadline_years_away_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            challenge_create(deadline=(utcnow() + timedelta(days=10 * 365)).isoformat())

        assert error_of(caught)[1] == "deadline_too_far"

    def test_a_milestone_due_after_the_deadline_is_refused(self) -> None:
        deadline = utcnow() + timedelta(days=10)
        steps = {
            "kind": "milestones",
            "currency": "EUR",
            "milestones": [
                {"title": "a", "amount": "1", "due_at": (deadline + timedelta(days=1)).isoformat()}
            ],
        }

        with pytest.raises(ValidationError) as caught:
            challenge_create(reward=steps, deadline=deadline.isoformat())

        assert error_of(caught)[1] == "milestone_after_deadline"


class TestTexts:
    def test_a_ten_kilobyte_title_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            challenge_create(title="x" * 10_240)

        assert error_of(caught) == (("title",), "string_too_long")

    def test_a_blank_title_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            challenge_create(title="   ")

    def test_skills_are_normalised(self) -> None:
        assert challenge_create(skills=["Machine Learning", " python ", "python"]).skills == [
            "machine-learning",
            "python",
        ]

    def test_the_category_slug_is_lower_cased(self) -> None:
        assert challenge_create(category=" Design ").category == "design"

    @pytest.mark.parametrize("field", ["owner_id", "status", "application_count", "published_at"])
    def test_fields_a_challenger_may_not_set_are_refused(self, field: str) -> None:
        with pytest.raises(ValidationError) as caught:
            ChallengeCreate.model_validate(challenge_data(**{field: "x"}))

        assert error_of(caught)[1] == "extra_forbidden"


class TestEdit:
    def test_only_the_fields_sent_are_set(self) -> None:
        assert ChallengeEdit.model_validate({"title": "New"}).model_fields_set == {"title"}

    @pytest.mark.parametrize("field", ["title", "deadline", "reward", "winners", "skills"])
    def test_null_cannot_clear_a_required_field(self, field: str) -> None:
        with pytest.raises(ValidationError) as caught:
            ChallengeEdit.model_validate({field: None})

        assert error_of(caught) == ((field,), "not_nullable")

    def test_null_resets_the_prize_split(self) -> None:
        edit = ChallengeEdit.model_validate({"prize_split": None})

        assert edit.model_fields_set == {"prize_split"}

    def test_a_past_deadline_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            ChallengeEdit.model_validate({"deadline": "2001-01-01T00:00:00Z"})

        assert error_of(caught)[1] == "deadline_in_past"


class TestCancellation:
    def test_other_needs_a_note(self) -> None:
        with pytest.raises(ValidationError) as caught:
            ChallengeCancellation.model_validate({"reason": "other", "note": "  "})

        assert error_of(caught)[1] == "note_required"

    def test_a_blank_note_is_no_note(self) -> None:
        cancel = ChallengeCancellation.model_validate({"reason": "duplicate", "note": " "})

        assert cancel.note is None


class TestListOrder:
    def test_the_moderation_queue_is_longest_waiting_first(self) -> None:
        queue = ChallengeFilter(status=ChallengeStatus.PENDING_REVIEW)

        assert queue.effective_order() is ChallengeOrder.SUBMITTED

    def test_other_lists_are_newest_first(self) -> None:
        assert ChallengeFilter().effective_order() is ChallengeOrder.NEWEST
