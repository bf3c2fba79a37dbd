"""Applying to a challenge: who may, to what, with which bid, and how often."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from openchance import OpenChance
from openchance.accounts.schemas import StatusChange
from openchance.applications.schemas import MAX_PROPOSAL_LENGTH
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotFound, PermissionDenied, RateLimited
from openchance.models.challenges import ChallengeStatus, Visibility
from tests.challenges.drafting import (
    draft,
    events_named,
    notifications_of,
    person,
    set_columns,
)
from tests.factories.applications import (
    application_create,
    apply,
    bid_data,
    challenge_row,
    open_challenge,
    set_application_columns,
)
from tests.factories.challenges import insert_challenge
from tests.factories.users import SYSTEM


def first_error_type(caught: pytest.ExceptionInfo[ValidationError]) -> str:
    return str(caught.value.errors()[0]["type"])


def range_reward(low: str = "1000.00", high: str = "2000.00") -> dict[str, Any]:
    return {"kind": "range", "currency": "EUR", "min": low, "max": high}


def milestone_reward() -> dict[str, Any]:
    return {
        "kind": "milestones",
        "currency": "EUR",
        "milestones": [
            {"title": "Prototype", "amount": "400.00"},
            {"title": "Final model", "amount": "600.00"},
        ],
    }


class TestSubmitApplication:
    async def test_a_solver_applies_to_an_open_challenge(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        sofia = await person(oc, "sofia")

        application = await apply(oc, sofia, challenge.id)

        assert application.status == "submitted"
        assert application.solver.id == sofia.user_id
        assert application.challenge.id == challenge.id
        assert application.challenge.status == "open"
        assert application.bid.amount_minor == 120_000
        assert application.bid.formatted == "1200.00 EUR"
        assert application.estimated_days == 14
        assert application.portfolio_links == ["https://example.org/portfolio"]
        assert application.can_edit is True

    async def test_the_terms_acceptance_is_stamped(self, oc: OpenChance) -> None:
        before = utcnow()
        application = await apply(oc, await person(oc, "sofia"), (await open_challenge(oc)).id)

        assert before <= application.terms_accepted_at <= utcnow()

    async def test_the_challenge_counts_it_and_its_substance_freezes(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)

        await apply(oc, await person(oc, "sofia"), challenge.id)

        seen = await oc.challenges.get_challenge(owner, challenge.id)
        assert seen.application_count == 1
        assert seen.can_edit is False

    async def test_the_submission_is_the_first_history_entry(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        application = await apply(oc, sofia, (await open_challenge(oc)).id)

        (entry,) = await oc.applications.application_history(sofia, application.id)

        assert (entry.action, entry.from_status, entry.to_status) == ("submit", None, "submitted")
        assert entry.actor is not None
        assert entry.actor.id == sofia.user_id

    async def test_the_challenger_is_notified_and_an_event_recorded(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)

        application = await apply(oc, await person(oc, "sofia"), challenge.id)

        (notice,) = [
            n for n in await notifications_of(oc, owner.user_id) if n.kind.startswith("application")
        ]
        assert notice.kind == "application.submitted"
        assert notice.data["application_id"] == str(application.id)
        (event,) = await events_named(oc, "application.submitted")
        assert event["application_id"] == str(application.id)

    async def test_html_and_scripts_in_the_proposal_are_sanitised(self, oc: OpenChance) -> None:
        proposal = 'Hi <script>alert(1)</script> [me](javascript:alert(2)) <b onclick="x()">b</b>'

        application = await apply(
            oc, await person(oc, "sofia"), (await open_challenge(oc)).id, proposal=proposal
        )

        assert application.proposal == proposal
        assert "<script" not in application.proposal_html
        assert "href" not in application.proposal_html
        assert "onclick" not in application.proposal_html

    async def test_the_challenger_cannot_apply_to_their_own_challenge(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        challenge = await open_challenge(oc, owner)

        with pytest.raises(PermissionDenied) as caught:
            await apply(oc, owner, challenge.id)

        assert caught.value.code == "own_challenge"

    async def test_a_draft_is_not_found(self, oc: OpenChance) -> None:
        challenge = await draft(oc, await person(oc, "chidi"))

        with pytest.raises(NotFound):
            await apply(oc, await person(oc, "sofia"), challenge.id)

    @pytest.mark.parametrize(
        "status", [ChallengeStatus.IN_PROGRESS, ChallengeStatus.CANCELLED, ChallengeStatus.EXPIRED]
    )
    async def test_a_closed_challenge_is_refused(
        self, oc: OpenChance, status: ChallengeStatus
    ) -> None:
        owner = await person(oc, "chidi")
        assert owner.user_id is not None
        challenge_id = await insert_challenge(oc, owner.user_id, status=status)

        with pytest.raises(Conflict) as caught:
            await apply(oc, await person(oc, "sofia"), challenge_id)

        assert caught.value.code == "challenge_not_open"

    async def test_a_challenge_past_its_deadline_is_refused(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        await set_columns(oc, challenge.id, deadline=utcnow() - timedelta(minutes=1))

        with pytest.raises(Conflict) as caught:
            await apply(oc, await person(oc, "sofia"), challenge.id)

        assert caught.value.code == "challenge_not_open"

    async def test_a_private_challenge_without_an_invitation_is_not_found(
        self, oc: OpenChance
    ) -> None:
        challenge = await open_challenge(oc, visibility="private")

        with pytest.raises(NotFound):
            await apply(oc, await person(oc, "sofia"), challenge.id)

    async def test_an_invited_solver_applies_to_a_private_challenge(self, oc: OpenChance) -> None:
        owner = await person(oc, "chidi")
        sofia = await person(oc, "sofia")
        assert owner.user_id is not None
        assert sofia.user_id is not None
        challenge_id = await insert_challenge(
            oc, owner.user_id, visibility=Visibility.PRIVATE, invitees=[sofia.user_id]
        )

        application = await apply(oc, sofia, challenge_id, bid=bid_data("900.00"))

        assert application.status == "submitted"

    async def test_a_second_application_is_refused(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        sofia = await person(oc, "sofia")
        first = await apply(oc, sofia, challenge.id)

        with pytest.raises(Conflict) as caught:
            await apply(oc, sofia, challenge.id)

        assert caught.value.code == "already_applied"
        assert caught.value.context["application_id"] == str(first.id)

    async def test_after_withdrawing_the_solver_may_apply_again(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        sofia = await person(oc, "sofia")
        first = await apply(oc, sofia, challenge.id)
        await oc.applications.withdraw_application(sofia, first.id)

        second = await apply(oc, sofia, challenge.id)

        assert second.id != first.id
        assert (await challenge_row(oc, challenge.id)).application_count == 2

    async def test_a_suspended_solver_is_refused(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        sofia = await person(oc, "sofia")
        assert sofia.user_id is not None
        await oc.users.suspend(SYSTEM, sofia.user_id, StatusChange(reason="spam"))

        with pytest.raises(PermissionDenied) as caught:
            await apply(oc, sofia, challenge.id)

        assert caught.value.code == "account_not_active"


class TestApplicationCap:
    async def test_the_challengers_cap_stops_further_applications(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc, max_applications=1)
        await apply(oc, await person(oc, "sofia"), challenge.id)

        with pytest.raises(Conflict) as caught:
            await apply(oc, await person(oc, "satoshi"), challenge.id)

        assert caught.value.code == "application_limit_reached"
        assert caught.value.context == {"max_applications": 1}

    async def test_the_cap_is_part_of_the_challenge(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc, max_applications=5)

        assert challenge.max_applications == 5

    async def test_no_cap_by_default(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        for name in ("sofia", "satoshi", "grace"):
            await apply(oc, await person(oc, name), challenge.id)

        assert (await challenge_row(oc, challenge.id)).application_count == 3


class TestDailyLimit:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"applications_per_solver_per_day": 2}

    async def test_past_the_daily_limit_the_solver_must_wait(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        for _ in range(2):
            await apply(oc, sofia, (await open_challenge(oc)).id)
        third = await open_challenge(oc)

        with pytest.raises(RateLimited) as caught:
            await apply(oc, sofia, third.id)

        assert caught.value.code == "daily_application_limit"
        assert 0 < caught.value.retry_after <= 24 * 3600

    async def test_applications_older_than_a_day_do_not_count(self, oc: OpenChance) -> None:
        sofia = await person(oc, "sofia")
        for _ in range(2):
            sent = await apply(oc, sofia, (await open_challenge(oc)).id)
            await set_application_columns(oc, sent.id, created_at=utcnow() - timedelta(days=2))

        application = await apply(oc, sofia, (await open_challenge(oc)).id)

        assert application.status == "submitted"

    async def test_the_limit_is_per_solver(self, oc: OpenChance) -> None:
        challenges = [await open_challenge(oc) for _ in range(3)]
        sofia = await person(oc, "sofia")
        for challenge in challenges[:2]:
            await apply(oc, sofia, challenge.id)

        application = await apply(oc, await person(oc, "satoshi"), challenges[2].id)

        assert application.status == "submitted"


class TestBid:
    async def test_a_bid_above_a_fixed_reward_is_refused(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)

        with pytest.raises(InvalidInput) as caught:
            await apply(oc, await person(oc, "sofia"), challenge.id, bid=bid_data("1500.01"))

        assert caught.value.code == "bid_out_of_range"

    async def test_a_bid_equal_to_a_fixed_reward_is_accepted(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)

        application = await apply(
            oc, await person(oc, "sofia"), challenge.id, bid=bid_data(150_000)
        )

        assert application.bid.amount_minor == 150_000

    @pytest.mark.parametrize("amount", ["999.99", "2000.01"])
    async def test_a_bid_outside_a_range_reward_is_refused(
        self, oc: OpenChance, amount: str
    ) -> None:
        challenge = await open_challenge(oc, reward=range_reward())

        with pytest.raises(InvalidInput) as caught:
            await apply(oc, await person(oc, "sofia"), challenge.id, bid=bid_data(amount))

        assert caught.value.code == "bid_out_of_range"
        assert caught.value.errors[0]["min_minor"] == 100_000

    @pytest.mark.parametrize("amount", ["1000.00", "2000.00"])
    async def test_the_bounds_of_a_range_are_inside(self, oc: OpenChance, amount: str) -> None:
        challenge = await open_challenge(oc, reward=range_reward())

        application = await apply(oc, await person(oc, "sofia"), challenge.id, bid=bid_data(amount))

        assert application.bid.amount == amount

    async def test_a_bid_in_another_currency_is_refused(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)

        with pytest.raises(InvalidInput) as caught:
            await apply(oc, await person(oc, "sofia"), challenge.id, bid=bid_data("100", "JPY"))

        assert caught.value.code == "currency_mismatch"

    async def test_milestone_bids_are_kept_in_milestone_order(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc, reward=milestone_reward())
        first, second = challenge.reward.milestones
        milestones = [
            {"milestone_id": str(second.id), "amount": "500.00"},
            {"milestone_id": str(first.id), "amount_minor": 30_000},
        ]

        application = await apply(
            oc, await person(oc, "sofia"), challenge.id,
            bid=bid_data("800.00", milestones=milestones),
        )  # fmt: skip

        assert [
            (b.position, b.title, b.amount.amount_minor) for b in application.milestone_bids
        ] == [
            (1, "Prototype", 30_000),
            (2, "Final model", 50_000),
        ]

    async def test_a_milestone_bid_must_name_a_milestone_of_the_challenge(
        self, oc: OpenChance
    ) -> None:
        other = await open_challenge(oc, reward=milestone_reward())
        challenge = await open_challenge(oc, reward=milestone_reward())
        milestones = [
            {"milestone_id": str(challenge.reward.milestones[0].id), "amount": "400.00"},
            {"milestone_id": str(other.reward.milestones[1].id), "amount": "600.00"},
        ]

        with pytest.raises(InvalidInput) as caught:
            await apply(
                oc, await person(oc, "sofia"), challenge.id,
                bid=bid_data("1000.00", milestones=milestones),
            )  # fmt: skip

        assert caught.value.code == "unknown_milestone"

    async def test_milestone_bids_must_cover_every_milestone(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc, reward=milestone_reward())
        milestones = [{"milestone_id": str(challenge.reward.milestones[0].id), "amount": "400.00"}]

        with pytest.raises(InvalidInput) as caught:
            await apply(
                oc, await person(oc, "sofia"), challenge.id,
                bid=bid_data("400.00", milestones=milestones),
            )  # fmt: skip

        assert caught.value.code == "milestone_bids_incomplete"

    async def test_milestone_bids_on_a_fixed_reward_are_refused(self, oc: OpenChance) -> None:
        challenge = await open_challenge(oc)
        milestones = [{"milestone_id": str(challenge.id), "amount": "400.00"}]

        with pytest.raises(InvalidInput) as caught:
            await apply(
                oc, await person(oc, "sofia"), challenge.id,
                bid=bid_data("400.00", milestones=milestones),
            )  # fmt: skip

        assert caught.value.code == "milestone_bids_not_allowed"


class TestApplicationInput:
    def test_the_terms_must_be_accepted(self) -> None:
        with pytest.raises(ValidationError) as caught:
            application_create(accept_terms=False)

        assert first_error_type(caught) == "terms_not_accepted"

    def test_the_terms_acceptance_is_required(self) -> None:
        with pytest.raises(ValidationError) as caught:
            application_create(accept_terms=None)

        assert caught.value.errors()[0]["loc"] == ("accept_terms",)

    def test_too_many_decimals_are_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            application_create(bid=bid_data("12.345"))

        assert first_error_type(caught) == "too_many_decimals"

    def test_a_zero_bid_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            application_create(bid=bid_data(0))

        assert first_error_type(caught) == "amount_not_positive"

    def test_a_float_bid_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            application_create(bid={"currency": "EUR", "amount_minor": 12.5})

    def test_both_spellings_of_an_amount_are_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            application_create(bid={"currency": "EUR", "amount": "1.00", "amount_minor": 100})

        assert first_error_type(caught) == "ambiguous_amount"

    def test_milestone_bids_must_add_up_to_the_bid(self) -> None:
        milestones = [{"milestone_id": "00000000-0000-4000-8000-000000000001", "amount": "1.00"}]

        with pytest.raises(ValidationError) as caught:
            application_create(bid=bid_data("2.00", milestones=milestones))

        assert first_error_type(caught) == "milestone_bids_mismatch"

    def test_a_milestone_may_be_bid_on_once(self) -> None:
        same = "00000000-0000-4000-8000-000000000001"
        milestones = [
            {"milestone_id": same, "amount": "1.00"},
            {"milestone_id": same, "amount": "1.00"},
        ]

        with pytest.raises(ValidationError) as caught:
            application_create(bid=bid_data("2.00", milestones=milestones))

        assert first_error_type(caught) == "duplicate_milestone_bid"

    def test_a_proposal_too_long_is_refused(self) -> None:
        with pytest.raises(ValidationError) as caught:
            application_create(proposal="x" * (MAX_PROPOSAL_LENGTH + 1))

        assert first_error_type(caught) == "string_too_long"

    def test_an_empty_proposal_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            application_create(proposal="   ")

    @pytest.mark.parametrize(
        "link",
        ["javascript:alert(1)", "ftp://example.org/x", "example.org", "https://", "http://a b.org"],
    )
    def test_a_portfolio_link_must_be_an_http_address(self, link: str) -> None:
        with pytest.raises(ValidationError) as caught:
            application_create(portfolio_links=[link])

        assert first_error_type(caught) == "invalid_url"

    def test_too_many_portfolio_links_are_refused(self) -> None:
        links = [f"https://example.org/{n}" for n in range(11)]

        with pytest.raises(ValidationError) as caught:
            application_create(portfolio_links=links)

        assert first_error_type(caught) == "too_long"

    def test_repeated_links_are_kept_once(self) -> None:
        data = application_create(portfolio_links=["https://a.example", "https://a.example"])

        assert data.portfolio_links == ["https://a.example"]

    @pytest.mark.parametrize("days", [0, 3651])
    def test_the_duration_must_be_sensible(self, days: int) -> None:
        with pytest.raises(ValidationError):
            application_create(estimated_days=days)
