"""Invitations to private challenges: who may invite whom, and who then sees the challenge."""

from __future__ import annotations

import uuid

import anyio
import pytest
from sqlalchemy import select

from openchance import Actor, OpenChance, Role
from openchance.accounts.oauth_identities import create_account
from openchance.accounts.oauth_providers import ExternalProfile
from openchance.accounts.schemas import (
    EmailVerification,
    PasswordResetConfirmation,
    PasswordResetRequest,
    Registration,
)
from openchance.challenges import invites
from openchance.challenges.invite_schemas import InviteCreate
from openchance.challenges.policy import load_visible_challenge
from openchance.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from openchance.models.challenges import ChallengeInvite, ChallengeStatus, InviteStatus, Visibility
from openchance.models.jobs import Job
from openchance.models.oauth import OAuthProvider
from openchance.search.query import SearchQuery
from openchance.search.sync import INDEX_CHALLENGE
from tests.factories.challenges import insert_challenge
from tests.factories.users import (
    CLIENT,
    STRONG_PASSWORD,
    actor_for,
    create_user,
    mail_to,
    sign_in,
    token_in,
)
from tests.support.jobs import drain


async def _user(oc: OpenChance, name: str, role: Role = Role.USER) -> Actor:
    email = f"{name}-{uuid.uuid4().hex[:6]}@example.org"
    await create_user(oc, email=email, display_name=name.title(), role=role)
    return await actor_for(oc, email)


async def _private(
    oc: OpenChance, owner: Actor, status: ChallengeStatus = ChallengeStatus.OPEN
) -> uuid.UUID:
    assert owner.user_id is not None
    return await insert_challenge(
        oc, owner.user_id, visibility=Visibility.PRIVATE, status=status, title="Secret recipe"
    )


NEW_PASSWORD = "amber-falcon-lantern-2024"


async def actor_for_password(oc: OpenChance, email: str, password: str) -> Actor:
    result = await sign_in(oc, email, password)
    assert result.token is not None
    return await oc.accounts.authenticate(result.token)


async def _sees(oc: OpenChance, actor: Actor, challenge_id: uuid.UUID) -> bool:
    async with oc.unit_of_work(read_only=True) as uow:
        try:
            await load_visible_challenge(uow, actor, challenge_id)
        except NotFound:
            return False
    return True


async def _found(oc: OpenChance, actor: Actor, challenge_id: uuid.UUID) -> bool:
    """Whether searching finds the challenge, once the index jobs have run."""
    await drain(oc)
    results = await oc.search.search(actor, SearchQuery(q="secret recipe"))
    return challenge_id in {hit.id for hit in results.items}


async def _invite_rows(oc: OpenChance, challenge_id: uuid.UUID) -> list[ChallengeInvite]:
    async with oc.unit_of_work(read_only=True) as uow:
        rows = await uow.session.scalars(
            select(ChallengeInvite).where(ChallengeInvite.challenge_id == challenge_id)
        )
        return list(rows)


async def _index_jobs(oc: OpenChance, challenge_id: uuid.UUID) -> int:
    async with oc.unit_of_work(read_only=True) as uow:
        payloads = await uow.session.scalars(
            select(Job.payload).where(Job.name == INDEX_CHALLENGE.name)
        )
        return sum(payload["challenge_id"] == str(challenge_id) for payload in payloads)


async def _invited_kinds(oc: OpenChance, actor: Actor) -> list[str]:
    page = await oc.notifications.list_notifications(actor)
    return [item.kind for item in page.items]


@pytest.fixture
async def owner(oc: OpenChance) -> Actor:
    return await _user(oc, "owner")


@pytest.fixture
async def solver(oc: OpenChance) -> Actor:
    return await _user(oc, "solver")


class TestInviteAUser:
    async def test_the_invitee_sees_the_private_challenge(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        assert not await _sees(oc, solver, challenge_id)

        invite = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(user_id=solver.user_id)
        )

        assert invite.status is InviteStatus.PENDING
        assert invite.user_id == solver.user_id
        assert invite.display_name == "Solver"
        assert invite.email is None
        assert await _sees(oc, solver, challenge_id)

    async def test_the_invitee_finds_it_by_search_and_a_stranger_does_not(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        stranger = await _user(oc, "stranger")
        challenge_id = await _private(oc, owner)

        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        assert await _found(oc, solver, challenge_id)
        assert not await _found(oc, stranger, challenge_id)
        assert await _found(oc, owner, challenge_id)

    async def test_a_stranger_still_does_not(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        stranger = await _user(oc, "stranger")
        challenge_id = await _private(oc, owner)

        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        assert not await _sees(oc, stranger, challenge_id)

    async def test_the_invitee_is_notified_once(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)

        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        page = await oc.notifications.list_notifications(solver)
        assert [item.kind for item in page.items] == ["challenge.invited"]
        assert "Secret recipe" in page.items[0].title
        assert page.items[0].data["challenge_id"] == str(challenge_id)

    async def test_the_challenge_is_reindexed(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)

        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        assert await _index_jobs(oc, challenge_id) == 1

    async def test_inviting_again_answers_the_same_invitation(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)

        first = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(user_id=solver.user_id)
        )
        again = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(user_id=solver.user_id)
        )

        assert again.id == first.id
        assert len(await _invite_rows(oc, challenge_id)) == 1

    async def test_an_invitation_to_a_draft_is_announced_only_when_it_opens(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner, ChallengeStatus.DRAFT)

        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        assert await _invited_kinds(oc, solver) == []
        assert not await _sees(oc, solver, challenge_id)

    async def test_a_public_challenge_takes_no_invitations(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        assert owner.user_id is not None
        challenge_id = await insert_challenge(oc, owner.user_id)

        with pytest.raises(Conflict) as raised:
            await oc.challenge_invites.invite(
                owner, challenge_id, InviteCreate(user_id=solver.user_id)
            )

        assert raised.value.code == "challenge_not_private"

    @pytest.mark.parametrize(
        "status", [ChallengeStatus.COMPLETED, ChallengeStatus.CANCELLED, ChallengeStatus.EXPIRED]
    )
    async def test_a_finished_challenge_takes_no_invitations(
        self, oc: OpenChance, owner: Actor, solver: Actor, status: ChallengeStatus
    ) -> None:
        challenge_id = await _private(oc, owner, status)

        with pytest.raises(Conflict) as raised:
            await oc.challenge_invites.invite(
                owner, challenge_id, InviteCreate(user_id=solver.user_id)
            )

        assert raised.value.code == "challenge_closed"

    async def test_you_cannot_invite_yourself(self, oc: OpenChance, owner: Actor) -> None:
        challenge_id = await _private(oc, owner)

        with pytest.raises(InvalidInput) as raised:
            await oc.challenge_invites.invite(
                owner, challenge_id, InviteCreate(user_id=owner.user_id)
            )

        assert raised.value.code == "cannot_invite_yourself"

    async def test_an_unknown_user_is_not_found(self, oc: OpenChance, owner: Actor) -> None:
        challenge_id = await _private(oc, owner)

        with pytest.raises(NotFound):
            await oc.challenge_invites.invite(
                owner, challenge_id, InviteCreate(user_id=uuid.uuid4())
            )

    async def test_someone_who_cannot_see_the_challenge_gets_not_found(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)

        with pytest.raises(NotFound):
            await oc.challenge_invites.invite(
                solver, challenge_id, InviteCreate(user_id=solver.user_id)
            )

    async def test_an_invitee_cannot_invite_others(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        friend = await _user(oc, "friend")
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        with pytest.raises(PermissionDenied) as raised:
            await oc.challenge_invites.invite(
                solver, challenge_id, InviteCreate(user_id=friend.user_id)
            )

        assert raised.value.code == "not_challenge_owner"

    async def test_staff_cannot_invite_on_the_challengers_behalf(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        moderator = await _user(oc, "moderator", Role.MODERATOR)
        challenge_id = await _private(oc, owner)

        with pytest.raises(PermissionDenied):
            await oc.challenge_invites.invite(
                moderator, challenge_id, InviteCreate(user_id=solver.user_id)
            )

    async def test_the_number_of_invitations_is_bounded(
        self, oc: OpenChance, owner: Actor, solver: Actor, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(invites, "MAX_INVITES_PER_CHALLENGE", 1)
        friend = await _user(oc, "friend")
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        with pytest.raises(Conflict) as raised:
            await oc.challenge_invites.invite(
                owner, challenge_id, InviteCreate(user_id=friend.user_id)
            )

        assert raised.value.code == "too_many_invites"

    def test_the_invitee_is_named_exactly_once(self) -> None:
        with pytest.raises(ValueError, match="exactly one"):
            InviteCreate(user_id=uuid.uuid4(), email="grace@example.org")
        with pytest.raises(ValueError, match="exactly one"):
            InviteCreate()

    @pytest.mark.postgres_only
    async def test_concurrent_invitations_of_the_same_user_make_one(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        ids: list[uuid.UUID] = []

        async def invite() -> None:
            read = await oc.challenge_invites.invite(
                owner, challenge_id, InviteCreate(user_id=solver.user_id)
            )
            ids.append(read.id)

        async with anyio.create_task_group() as group:
            for _ in range(4):
                group.start_soon(invite)

        assert len(set(ids)) == 1
        assert len(await _invite_rows(oc, challenge_id)) == 1
        assert await _invited_kinds(oc, solver) == ["challenge.invited"]


class TestInviteByEmail:
    async def test_the_address_of_a_verified_account_invites_that_account(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        await create_user(oc, email="grace@example.org")
        grace = await actor_for(oc, "grace@example.org")
        challenge_id = await _private(oc, owner)

        invite = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="Grace@Example.org")
        )

        assert invite.user_id == grace.user_id
        assert await _sees(oc, grace, challenge_id)
        assert await mail_to(oc, "grace@example.org") == []

    async def test_another_address_is_mailed_a_sign_up_invitation(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)

        invite = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="Grace@Example.org")
        )

        assert invite.user_id is None
        assert invite.email == "grace@example.org"
        mails = await mail_to(oc, "grace@example.org")
        assert [mail.template for mail in mails] == ["challenge_invite"]
        assert "Secret recipe" in mails[0].text_body
        assert "Owner" in mails[0].text_body
        assert any(link.endswith("/sign-up") for link in mails[0].links)

    async def test_inviting_the_address_again_sends_no_second_mail(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)

        first = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="grace@example.org")
        )
        again = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="GRACE@example.org")
        )

        assert again.id == first.id
        assert len(await mail_to(oc, "grace@example.org")) == 1

    async def test_the_invitation_is_bound_when_the_address_is_verified_and_not_before(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="grace@example.org")
        )
        registration = Registration(
            email="grace@example.org", password=STRONG_PASSWORD, display_name="Grace Hopper"
        )

        await oc.accounts.register(registration, CLIENT)

        [row] = await _invite_rows(oc, challenge_id)
        assert row.user_id is None
        verification = next(
            mail
            for mail in await mail_to(oc, "grace@example.org")
            if mail.template == "verify_email"
        )
        await oc.accounts.verify_email(EmailVerification(token=token_in(verification)))
        grace = await actor_for(oc, "grace@example.org")
        [row] = await _invite_rows(oc, challenge_id)
        assert row.user_id == grace.user_id
        assert await _sees(oc, grace, challenge_id)
        assert await _invited_kinds(oc, grace) == ["challenge.invited"]

    async def test_a_password_reset_link_verifies_the_address_and_binds_it(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        await create_user(oc, email="grace@example.org", verified=False)
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="grace@example.org")
        )
        await oc.accounts.request_password_reset(
            PasswordResetRequest(email="grace@example.org"), CLIENT
        )
        reset = next(
            mail
            for mail in await mail_to(oc, "grace@example.org")
            if mail.template == "password_reset"
        )

        await oc.accounts.confirm_password_reset(
            PasswordResetConfirmation(token=token_in(reset), new_password=NEW_PASSWORD)
        )

        grace = await actor_for_password(oc, "grace@example.org", NEW_PASSWORD)
        assert await _sees(oc, grace, challenge_id)

    async def test_an_oauth_sign_up_with_a_vouched_address_binds_it(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="grace@example.org")
        )
        profile = ExternalProfile(
            subject="g-1", email="grace@example.org", email_verified=True, display_name="Grace"
        )

        async with oc.unit_of_work() as uow:
            user = await create_account(uow, OAuthProvider.GITHUB, profile)

        [row] = await _invite_rows(oc, challenge_id)
        assert row.user_id == user.id

    async def test_an_account_created_verified_by_staff_is_bound_at_once(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="grace@example.org")
        )

        await create_user(oc, email="grace@example.org")

        grace = await actor_for(oc, "grace@example.org")
        assert await _sees(oc, grace, challenge_id)

    async def test_an_unverified_account_is_not_bound(self, oc: OpenChance, owner: Actor) -> None:
        await create_user(oc, email="grace@example.org", verified=False)
        challenge_id = await _private(oc, owner)

        invite = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="grace@example.org")
        )

        assert invite.user_id is None

    async def test_an_invitation_by_id_and_by_address_become_one(
        self, oc: OpenChance, owner: Actor
    ) -> None:
        grace_id = await create_user(oc, email="grace@example.org", verified=False)
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=grace_id))
        await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="grace@example.org")
        )
        async with oc.unit_of_work() as uow:
            claimed = await invites.claim_email_invites(uow, grace_id, "grace@example.org")

        assert claimed == 0
        [row] = await _invite_rows(oc, challenge_id)
        assert row.user_id == grace_id

    async def test_your_own_address_is_refused(self, oc: OpenChance) -> None:
        await create_user(oc, email="owner@example.org")
        owner = await actor_for(oc, "owner@example.org")
        challenge_id = await _private(oc, owner)

        with pytest.raises(InvalidInput) as raised:
            await oc.challenge_invites.invite(
                owner, challenge_id, InviteCreate(email="OWNER@example.org")
            )

        assert raised.value.code == "cannot_invite_yourself"

    async def test_a_malformed_address_is_refused(self, oc: OpenChance, owner: Actor) -> None:
        challenge_id = await _private(oc, owner)

        with pytest.raises(InvalidInput) as raised:
            await oc.challenge_invites.invite(
                owner, challenge_id, InviteCreate(email="not-an-address")
            )

        assert raised.value.code == "invalid_email"


class TestDeclineInvite:
    async def test_declining_hides_the_challenge_again(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        await oc.challenge_invites.decline_invite(solver, challenge_id)

        assert not await _sees(oc, solver, challenge_id)
        [row] = await _invite_rows(oc, challenge_id)
        assert row.status is InviteStatus.DECLINED
        assert row.responded_at is not None
        assert await _index_jobs(oc, challenge_id) == 2

    async def test_declining_removes_it_from_the_invitees_search(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))
        assert await _found(oc, solver, challenge_id)

        await oc.challenge_invites.decline_invite(solver, challenge_id)

        assert not await _found(oc, solver, challenge_id)

    async def test_declining_twice_is_no_error(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))
        await oc.challenge_invites.decline_invite(solver, challenge_id)

        await oc.challenge_invites.decline_invite(solver, challenge_id)

        assert not await _sees(oc, solver, challenge_id)

    async def test_without_an_invitation_it_is_not_found(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)

        with pytest.raises(NotFound):
            await oc.challenge_invites.decline_invite(solver, challenge_id)

    async def test_a_declined_invitee_may_be_invited_again(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        first = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(user_id=solver.user_id)
        )
        await oc.challenge_invites.decline_invite(solver, challenge_id)

        again = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(user_id=solver.user_id)
        )

        assert again.id == first.id
        assert again.status is InviteStatus.PENDING
        assert again.responded_at is None
        assert await _sees(oc, solver, challenge_id)

    async def test_anonymous_visitors_are_refused(self, oc: OpenChance, owner: Actor) -> None:
        challenge_id = await _private(oc, owner)

        with pytest.raises(NotAuthenticated):
            await oc.challenge_invites.decline_invite(Actor.anonymous(), challenge_id)


class TestRevokeInvite:
    async def test_revoking_hides_the_challenge_from_the_invitee(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        invite = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(user_id=solver.user_id)
        )

        await oc.challenge_invites.revoke_invite(owner, challenge_id, invite.id)

        assert not await _sees(oc, solver, challenge_id)
        assert await _invite_rows(oc, challenge_id) == []
        assert await _index_jobs(oc, challenge_id) == 2

    async def test_only_the_challenger_revokes(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        invite = await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(user_id=solver.user_id)
        )

        with pytest.raises(PermissionDenied):
            await oc.challenge_invites.revoke_invite(solver, challenge_id, invite.id)

    async def test_an_invitation_of_another_challenge_is_not_found(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        other_id = await _private(oc, owner)
        invite = await oc.challenge_invites.invite(
            owner, other_id, InviteCreate(user_id=solver.user_id)
        )

        with pytest.raises(NotFound):
            await oc.challenge_invites.revoke_invite(owner, challenge_id, invite.id)


class TestListInvites:
    async def test_the_challenger_sees_every_invitation_oldest_first(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))
        await oc.challenge_invites.invite(
            owner, challenge_id, InviteCreate(email="new@example.org")
        )
        await oc.challenge_invites.decline_invite(solver, challenge_id)

        listed = await oc.challenge_invites.list_invites(owner, challenge_id)

        assert [(item.display_name, item.email, item.status) for item in listed] == [
            ("Solver", None, InviteStatus.DECLINED),
            (None, "new@example.org", InviteStatus.PENDING),
        ]

    async def test_staff_see_them(self, oc: OpenChance, owner: Actor, solver: Actor) -> None:
        support = await _user(oc, "support", Role.SUPPORT)
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        listed = await oc.challenge_invites.list_invites(support, challenge_id)

        assert [item.user_id for item in listed] == [solver.user_id]

    async def test_an_invitee_may_not(self, oc: OpenChance, owner: Actor, solver: Actor) -> None:
        challenge_id = await _private(oc, owner)
        await oc.challenge_invites.invite(owner, challenge_id, InviteCreate(user_id=solver.user_id))

        with pytest.raises(PermissionDenied):
            await oc.challenge_invites.list_invites(solver, challenge_id)

    async def test_a_stranger_gets_not_found(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        challenge_id = await _private(oc, owner)

        with pytest.raises(NotFound):
            await oc.challenge_invites.list_invites(solver, challenge_id)


class TestListMyInvites:
    async def test_pending_invitations_to_published_challenges_newest_first(
        self, oc: OpenChance, owner: Actor, solver: Actor
    ) -> None:
        older = await _private(oc, owner)
        newer = await _private(oc, owner)
        declined = await _private(oc, owner)
        draft = await _private(oc, owner, ChallengeStatus.DRAFT)
        for challenge_id in (older, newer, declined, draft):
            await oc.challenge_invites.invite(
                owner, challenge_id, InviteCreate(user_id=solver.user_id)
            )
        await oc.challenge_invites.decline_invite(solver, declined)

        mine = await oc.challenge_invites.list_my_invites(solver)

        assert [item.challenge_id for item in mine] == [newer, older]
        assert mine[0].challenge_title == "Secret recipe"
        assert mine[0].challenge_status is ChallengeStatus.OPEN
