"""Invitations to private challenges.

A private challenge is seen only by its challenger, staff and the solvers it invites
(``challenges.policy.can_view``). The challenger invites a signed-up user by id, or anyone
by e-mail address: an address that belongs to a verified account invites that account at
once; any other address gets an e-mail asking to sign up, and the invitation waits until
the address is verified (:func:`claim_email_invites`, called by the account use cases).

An invitee may decline: the challenge disappears from what they can see and search. The
challenger may invite them again (the same invitation becomes pending again) or revoke
an invitation. Each change that alters who sees the challenge re-indexes it, since the
search document lists its viewers.
"""

from __future__ import annotations

import uuid
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from openchance.accounts.emails import normalise_email
from openchance.accounts.policy import require_user
from openchance.accounts.repository import load_user
from openchance.actor import Actor
from openchance.challenges.invite_schemas import InviteCreate, InviteRead, MyInviteRead
from openchance.challenges.policy import UNPUBLISHED, check_owner, load_visible_challenge
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotFound
from openchance.mail.service import queue_mail
from openchance.models.accounts import User, UserStatus
from openchance.models.challenges import (
    Challenge,
    ChallengeInvite,
    ChallengeStatus,
    InviteStatus,
    Visibility,
)
from openchance.notifications.feed import notify
from openchance.search.sync import schedule_index

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

FINISHED = frozenset(
    {ChallengeStatus.COMPLETED, ChallengeStatus.CANCELLED, ChallengeStatus.EXPIRED}
)
"""Terminal states: nobody new can join these, so nobody is invited to them."""
MAX_INVITES_PER_CHALLENGE = 200
"""Invitations by e-mail send mail to strangers: a bound keeps this from becoming a spam tool."""
INVITE_MAIL_TEMPLATE = "challenge_invite"
INVITED_KIND = "challenge.invited"


class ChallengeInviteService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def invite(self, actor: Actor, challenge_id: uuid.UUID, data: InviteCreate) -> InviteRead:
        """Invite someone to your private challenge (idempotent).

        Inviting the same person again returns the existing invitation; one they declined
        becomes pending again (without a second notification). Refused: a public challenge
        (409 ``challenge_not_private``), a finished one (409 ``challenge_closed``),
        yourself (422 ``cannot_invite_yourself``), more than 200 invitations (409
        ``too_many_invites``).
        """
        async with self._platform.unit_of_work() as uow:
            # The row lock serialises two invitations of the same person (PostgreSQL).
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            check_owner(actor, challenge)
            _check_open_to_invites(challenge)
            owner = await load_user(uow, challenge.owner_id)
            invitee, email = await _resolve_invitee(uow, data)
            if (invitee is not None and invitee.id == owner.id) or email == owner.email:
                raise InvalidInput(
                    "you see your own challenge already", code="cannot_invite_yourself"
                )
            invite = await _existing_invite(uow, challenge.id, invitee, email)
            if invite is not None:
                if invite.status is InviteStatus.DECLINED:
                    invite.status = InviteStatus.PENDING
                    invite.responded_at = None
                    invite.invited_by = actor.user_id
                    await schedule_index(uow, challenge.id)
                await uow.flush()
                return await _read(uow, invite)
            await _check_room(uow, challenge.id)
            invite = ChallengeInvite(
                id=uuid.uuid4(),
                challenge_id=challenge.id,
                user_id=invitee.id if invitee is not None else None,
                email=email if invitee is None else None,
                status=InviteStatus.PENDING,
                invited_by=actor.user_id,
                created_at=utcnow(),
            )
            uow.session.add(invite)
            await uow.flush()
            if invitee is not None:
                await notify_invitee(uow, invite, challenge)
                await schedule_index(uow, challenge.id)
            else:
                await self._mail_invitation(uow, invite, challenge, owner)
            return await _read(uow, invite)

    async def list_invites(self, actor: Actor, challenge_id: uuid.UUID) -> list[InviteRead]:
        """The challenge's invitations, oldest first: for its challenger and staff."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id)
            if not actor.is_staff:
                check_owner(actor, challenge)
            rows = await uow.session.execute(
                select(ChallengeInvite, User.display_name)
                .outerjoin(User, User.id == ChallengeInvite.user_id)
                .where(ChallengeInvite.challenge_id == challenge.id)
                .order_by(ChallengeInvite.created_at, ChallengeInvite.id)
            )
            return [_to_read(invite, name) for invite, name in rows]

    async def revoke_invite(
        self, actor: Actor, challenge_id: uuid.UUID, invite_id: uuid.UUID
    ) -> None:
        """Withdraw an invitation to your challenge (pending or declined)."""
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            check_owner(actor, challenge)
            invite = await uow.session.scalar(
                select(ChallengeInvite).where(
                    ChallengeInvite.id == invite_id, ChallengeInvite.challenge_id == challenge.id
                )
            )
            if invite is None:
                raise NotFound("invite", invite_id)
            await uow.session.delete(invite)
            await uow.flush()
            if invite.user_id is not None:
                await schedule_index(uow, challenge.id)

    async def decline_invite(self, actor: Actor, challenge_id: uuid.UUID) -> None:
        """Say no to your invitation: the private challenge is hidden from you again.

        Declining twice is no error; without an invitation the answer is 404.
        """
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            invite = await uow.session.scalar(
                select(ChallengeInvite)
                .where(
                    ChallengeInvite.challenge_id == challenge_id,
                    ChallengeInvite.user_id == user_id,
                )
                .with_for_update()
            )
            if invite is None:
                raise NotFound("invite", challenge_id, "you have no invitation to this challenge")
            if invite.status is InviteStatus.DECLINED:
                return
            invite.status = InviteStatus.DECLINED
            invite.responded_at = utcnow()
            await uow.flush()
            await schedule_index(uow, challenge_id)

    async def list_my_invites(self, actor: Actor) -> list[MyInviteRead]:
        """Your pending invitations to published challenges, newest first."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = await uow.session.execute(
                select(ChallengeInvite, Challenge)
                .join(Challenge, Challenge.id == ChallengeInvite.challenge_id)
                .where(
                    ChallengeInvite.user_id == user_id,
                    ChallengeInvite.status == InviteStatus.PENDING,
                    Challenge.status.not_in(UNPUBLISHED),
                    Challenge.published_at.is_not(None),
                )
                .order_by(ChallengeInvite.created_at.desc(), ChallengeInvite.id.desc())
            )
            return [
                MyInviteRead(
                    id=invite.id,
                    challenge_id=challenge.id,
                    challenge_title=challenge.title,
                    challenge_status=challenge.status,
                    deadline=challenge.deadline,
                    created_at=invite.created_at,
                )
                for invite, challenge in rows
            ]

    async def _mail_invitation(
        self, uow: UnitOfWork, invite: ChallengeInvite, challenge: Challenge, owner: User
    ) -> None:
        assert invite.email is not None
        base = str(self._platform.settings.public_base_url).rstrip("/")
        await queue_mail(
            uow,
            to=invite.email,
            template=INVITE_MAIL_TEMPLATE,
            context={
                "inviter_name": owner.display_name,
                "challenge_title": challenge.title,
                "email": invite.email,
                "link": f"{base}/sign-up",
            },
            key=f"{INVITE_MAIL_TEMPLATE}:{invite.id}",
        )


async def claim_email_invites(uow: UnitOfWork, user_id: uuid.UUID, email: str) -> int:
    """Bind the pending invitations sent to ``email`` to the account that just verified it.

    Call it, inside the unit of work that marks the address verified, wherever an address
    becomes verified. Returns how many invitations now name the user. An invitation to a
    challenge the user was already invited to (by id) is dropped as a duplicate.
    """
    pending = await uow.session.scalars(
        select(ChallengeInvite)
        .where(
            ChallengeInvite.email == email,
            ChallengeInvite.user_id.is_(None),
            ChallengeInvite.status == InviteStatus.PENDING,
        )
        .with_for_update()
    )
    claimed = 0
    for invite in list(pending):
        duplicate = await uow.session.scalar(
            select(ChallengeInvite.id).where(
                ChallengeInvite.challenge_id == invite.challenge_id,
                ChallengeInvite.user_id == user_id,
            )
        )
        if duplicate is not None:
            await uow.session.delete(invite)
            continue
        invite.user_id = user_id
        await uow.flush()
        challenge = await uow.session.get_one(Challenge, invite.challenge_id)
        await notify_invitee(uow, invite, challenge)
        await schedule_index(uow, invite.challenge_id)
        claimed += 1
    await uow.flush()
    return claimed


def is_published(challenge: Challenge) -> bool:
    return challenge.status not in UNPUBLISHED and challenge.published_at is not None


async def notify_invitee(uow: UnitOfWork, invite: ChallengeInvite, challenge: Challenge) -> bool:
    """Tell the invitee in their feed, once per invitation, when they can open the challenge.

    An invitation to a challenge not yet published is announced when it opens
    (:func:`notify_pending_invitees`, from the alerts job).
    """
    if invite.user_id is None or invite.status is not InviteStatus.PENDING:
        return False
    if not is_published(challenge):
        return False
    return await notify(
        uow,
        user_id=invite.user_id,
        kind=INVITED_KIND,
        title=f"You are invited to a private challenge: {challenge.title}",
        body=challenge.summary,
        dedupe_key=f"challenge_invite:{invite.id}",
        data={"challenge_id": str(challenge.id), "invite_id": str(invite.id)},
    )


async def notify_pending_invitees(uow: UnitOfWork, challenge: Challenge) -> int:
    """Announce every pending invitation of a private challenge (once each); returns how
    many notifications were added."""
    if challenge.visibility is not Visibility.PRIVATE:
        return 0
    invites = await uow.session.scalars(
        select(ChallengeInvite).where(
            ChallengeInvite.challenge_id == challenge.id,
            ChallengeInvite.status == InviteStatus.PENDING,
            ChallengeInvite.user_id.is_not(None),
        )
    )
    added = 0
    for invite in list(invites):
        added += await notify_invitee(uow, invite, challenge)
    return added


def _check_open_to_invites(challenge: Challenge) -> None:
    if challenge.visibility is not Visibility.PRIVATE:
        raise Conflict(
            "only private challenges take invitations: anyone can see a public one",
            code="challenge_not_private",
        )
    if challenge.status in FINISHED:
        raise Conflict(
            f"the challenge is {challenge.status.value}: it takes no more invitations",
            code="challenge_closed",
        )


async def _resolve_invitee(uow: UnitOfWork, data: InviteCreate) -> tuple[User | None, str | None]:
    """The account invited, or else the address to e-mail (normalised)."""
    if data.user_id is not None:
        user = await uow.session.get(User, data.user_id)
        if user is None or user.status is UserStatus.DELETED:
            raise NotFound("user", data.user_id)
        return user, None
    assert data.email is not None
    email = normalise_email(data.email)
    user = await uow.session.scalar(
        select(User).where(
            User.email == email,
            User.email_verified_at.is_not(None),
            User.status != UserStatus.DELETED,
        )
    )
    return (user, None) if user is not None else (None, email)


async def _existing_invite(
    uow: UnitOfWork, challenge_id: uuid.UUID, invitee: User | None, email: str | None
) -> ChallengeInvite | None:
    statement = select(ChallengeInvite).where(ChallengeInvite.challenge_id == challenge_id)
    if invitee is not None:
        statement = statement.where(ChallengeInvite.user_id == invitee.id)
    else:
        statement = statement.where(ChallengeInvite.email == email)
    return await uow.session.scalar(statement)


async def _check_room(uow: UnitOfWork, challenge_id: uuid.UUID) -> None:
    count = await uow.session.scalar(
        select(func.count())
        .select_from(ChallengeInvite)
        .where(ChallengeInvite.challenge_id == challenge_id)
    )
    if (count or 0) >= MAX_INVITES_PER_CHALLENGE:
        raise Conflict(
            f"a challenge has at most {MAX_INVITES_PER_CHALLENGE} invitations",
            code="too_many_invites",
        )


async def _read(uow: UnitOfWork, invite: ChallengeInvite) -> InviteRead:
    name = None
    if invite.user_id is not None:
        name = await uow.session.scalar(select(User.display_name).where(User.id == invite.user_id))
    return _to_read(invite, name)


def _to_read(invite: ChallengeInvite, display_name: str | None) -> InviteRead:
    return InviteRead(
        id=invite.id,
        challenge_id=invite.challenge_id,
        user_id=invite.user_id,
        display_name=display_name,
        email=invite.email,
        status=invite.status,
        invited_by=invite.invited_by,
        created_at=invite.created_at,
        responded_at=invite.responded_at,
    )
