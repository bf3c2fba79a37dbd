"""Accepting an application: the decision that starts the work.

The challenger (or staff) accepts a submitted or shortlisted application. The first
acceptance needs the challenge open and moves it to in progress
(``challenges.transitions.start_work``); the winner gets their milestones to deliver
(``payments.deliveries.open_deliveries``, ranked in the order of acceptance); a challenge
with several winners takes further acceptances while in progress, up to ``winners`` (409
``winners_reached``). Once every winner's place is taken, every application still waiting
(submitted or shortlisted) is rejected automatically with a courteous note (history action
``auto_reject``, no actor), and its solver is notified. Accepting twice, or a withdrawn or
rejected application, is 409 ``invalid_transition``; on a challenge that is cancelled,
expired or otherwise no longer taking decisions, 409 ``challenge_not_open``.

The caller holds the locks on the challenge and then the application, so two racing
acceptances on one challenge run one after the other: the second finds the challenge in
progress, or its application already rejected.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from sqlalchemy import func, select

from openchance.actor import Actor, ClientInfo
from openchance.applications import conversations
from openchance.applications.events import ApplicationAccepted, ApplicationRejected, event_fields
from openchance.applications.history import change_status
from openchance.applications.notices import announce, audit_decision
from openchance.applications.workflow import UNDECIDED_STATUSES, ApplicationAction, next_status
from openchance.challenges.transitions import start_work
from openchance.config import EscrowFundingDeadline
from openchance.errors import Conflict
from openchance.models.applications import Application, ApplicationStatus
from openchance.models.challenges import Challenge, ChallengeStatus
from openchance.payments.deliveries import open_deliveries
from openchance.payments.escrow import check_funded_before

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork

AUTO_REJECT_NOTE = (
    "Thank you for your application. The challenger has chosen another proposal, so this "
    "one is now closed. We hope to see you on another challenge soon."
)


async def accept(
    uow: UnitOfWork,
    actor: Actor,
    challenge: Challenge,
    application: Application,
    note: str,
    client: ClientInfo | None,
    *,
    funding_required: EscrowFundingDeadline,
) -> None:
    """Accept ``application`` (its challenge and it locked by the caller, in that order);
    ``challenge_not_funded`` while the installation wants the prize in escrow first."""
    next_status(application.status, ApplicationAction.ACCEPT)
    accepted = await _accepted_count(uow, challenge)
    _check_place_left(challenge, accepted)
    await check_funded_before(uow, challenge, EscrowFundingDeadline.BEFORE_ACCEPT, funding_required)
    change_status(uow, application, ApplicationAction.ACCEPT, actor_id=actor.user_id, note=note)
    await open_deliveries(uow, challenge, application, rank=accepted + 1)
    starts_work = accepted == 0
    if starts_work:
        await start_work(uow, challenge)
    uow.record(
        ApplicationAccepted(
            **event_fields(application), accepted_by=actor.user_id, started_work=starts_work
        )
    )
    audit_decision(uow, actor, challenge, application, "accept", note, client)
    await announce(
        uow,
        user_id=application.solver_id,
        kind="application.accepted",
        title=f"Your application to “{challenge.title}” was accepted",
        body=note,
        application=application,
    )
    await conversations.on_status_changed(uow, application, ApplicationAction.ACCEPT, note)
    if accepted + 1 >= challenge.winners:
        await _reject_the_rest(uow, challenge, application)


def _check_place_left(challenge: Challenge, accepted: int) -> None:
    taking = ChallengeStatus.OPEN if accepted == 0 else ChallengeStatus.IN_PROGRESS
    if challenge.status is not taking:
        raise Conflict(
            f"a challenge that is {challenge.status.value} takes no acceptance",
            code="challenge_not_open",
            status=challenge.status.value,
        )
    if accepted >= challenge.winners:
        raise Conflict(
            f"every winner's place ({challenge.winners}) is taken",
            code="winners_reached",
            winners=challenge.winners,
        )


async def _accepted_count(uow: UnitOfWork, challenge: Challenge) -> int:
    count = await uow.session.scalar(
        select(func.count())
        .select_from(Application)
        .where(
            Application.challenge_id == challenge.id,
            Application.status == ApplicationStatus.ACCEPTED,
        )
    )
    return count or 0


async def _reject_the_rest(uow: UnitOfWork, challenge: Challenge, accepted: Application) -> None:
    waiting = (
        await uow.session.scalars(
            select(Application)
            .where(
                Application.challenge_id == challenge.id,
                Application.id != accepted.id,
                Application.status.in_(UNDECIDED_STATUSES),
            )
            .order_by(Application.created_at, Application.id)
            .with_for_update()
        )
    ).all()
    for other in waiting:
        previous = change_status(
            uow, other, ApplicationAction.AUTO_REJECT, actor_id=None, note=AUTO_REJECT_NOTE
        )
        uow.record(
            ApplicationRejected(**event_fields(other), previous_status=previous, automatic=True)
        )
        await announce(
            uow,
            user_id=other.solver_id,
            kind="application.rejected",
            title=f"Your application to “{challenge.title}” was not chosen",
            body=AUTO_REJECT_NOTE,
            application=other,
        )
        await conversations.on_status_changed(
            uow, other, ApplicationAction.AUTO_REJECT, AUTO_REJECT_NOTE
        )
