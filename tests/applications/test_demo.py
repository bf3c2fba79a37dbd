"""The demo marketplace's applications: every state, made through the use cases."""

from __future__ import annotations

from collections import Counter

import pytest
from sqlalchemy import select

from openchance import OpenChance
from openchance.applications.demo import AFTER_ACCEPTANCE, DEMO_APPLICATIONS, plans_for
from openchance.challenges.demo_data import DEMO_CHALLENGES
from openchance.models.applications import (
    Application,
    ApplicationHistoryEntry,
    ApplicationStatus,
)
from openchance.models.challenges import Challenge, ChallengeStatus

TITLES = {entry.title: entry for entry in DEMO_CHALLENGES}


class TestDemoPlans:
    def test_every_listed_challenge_exists_and_takes_applications(self) -> None:
        for title in DEMO_APPLICATIONS:
            entry = TITLES[title]
            assert entry.status is ChallengeStatus.OPEN or entry.status in AFTER_ACCEPTANCE

    def test_solvers_apply_only_to_private_challenges_they_are_invited_to(self) -> None:
        for index, entry in enumerate(DEMO_CHALLENGES):
            for plan in plans_for(entry, index):
                assert not entry.invitees or plan.solver in entry.invitees, entry.title

    def test_every_challenge_past_acceptance_gets_exactly_one_accepted_application(
        self,
    ) -> None:
        for index, entry in enumerate(DEMO_CHALLENGES):
            accepted = [
                p for p in plans_for(entry, index) if p.status is ApplicationStatus.ACCEPTED
            ]
            assert len(accepted) == (1 if entry.status in AFTER_ACCEPTANCE else 0), entry.title


class TestSeedDemoApplications:
    @pytest.mark.seeded_demo
    async def test_the_demo_has_applications_in_every_state(self, oc: OpenChance) -> None:
        async with oc.unit_of_work(read_only=True) as uow:
            rows = (
                await uow.session.execute(
                    select(Application.status, Challenge.status).join(
                        Challenge, Challenge.id == Application.challenge_id
                    )
                )
            ).all()
            auto_rejected = await uow.session.scalar(
                select(ApplicationHistoryEntry.id).where(
                    ApplicationHistoryEntry.action == "auto_reject"
                )
            )

        assert set(Counter(status for status, _ in rows)) == set(ApplicationStatus)
        accepted_on = {challenge for status, challenge in rows if status == "accepted"}
        assert accepted_on == AFTER_ACCEPTANCE
        assert auto_rejected is not None
