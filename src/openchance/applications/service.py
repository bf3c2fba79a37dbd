"""The application use cases: apply, edit, withdraw, shortlist, accept, reject, and read.

Each use case takes the actor first and runs in one unit of work: it locks the challenge
and then the application (``applications/policy.py``), asks the workflow for every status
change (``applications/workflow.py``) and writes the history entry with it
(``applications/history.py``), records a domain event, notifies the other side in-app,
audits staff decisions and tells the application's conversation
(``applications/conversations.py``), all in that same transaction.
"""

from __future__ import annotations

import math
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import Select, func, select, tuple_
from sqlalchemy.exc import IntegrityError

from openchance.accounts.policy import check_staff, require_user
from openchance.actor import Actor, ClientInfo
from openchance.applications import conversations
from openchance.applications.acceptance import accept
from openchance.applications.bids import resolve_bid
from openchance.applications.events import (
    ApplicationEdited,
    ApplicationRejected,
    ApplicationShortlisted,
    ApplicationSubmitted,
    ApplicationWithdrawn,
    event_fields,
)
from openchance.applications.history import add_history, change_status
from openchance.applications.notices import announce, audit_decision
from openchance.applications.policy import (
    check_applicant,
    check_decider,
    load_visible_application,
    lock_visible_application,
)
from openchance.applications.schemas import (
    ApplicationCreate,
    ApplicationDecision,
    ApplicationEdit,
    ApplicationFilter,
    ApplicationHistoryRead,
    ApplicationPage,
    ApplicationRead,
    ApplicationsQuery,
)
from openchance.applications.views import read_application, read_history, summarise
from openchance.applications.workflow import EDITABLE_STATUSES, ApplicationAction, next_status
from openchance.challenges.paging import decode_cursor, encode_cursor
from openchance.challenges.policy import is_owner, load_visible_challenge
from openchance.db.types import utcnow
from openchance.errors import Conflict, PermissionDenied, RateLimited
from openchance.models.accounts import User, UserStatus
from openchance.models.applications import (
    ACTIVE_APPLICATION_STATUSES,
    Application,
    ApplicationStatus,
)
from openchance.models.challenges import Challenge, ChallengeStatus

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

DAY = timedelta(days=1)
PAGE_ORDER = "applications"
"""The order label of application cursors (newest first)."""


class ApplicationService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    # -- the solver ----------------------------------------------------------------------

    async def submit_application(
        self, actor: Actor, challenge_id: uuid.UUID, data: ApplicationCreate
    ) -> ApplicationRead:
        """Apply to an open challenge the solver may see, accepting its terms.

        404 when the challenge is not visible to them; 403 ``own_challenge`` for its
        challenger, ``account_not_active``; 409 ``challenge_not_open``, ``already_applied``
        (one active application per solver and challenge, also when two submits race),
        ``application_limit_reached`` (the challenger's ``max_applications``); 429
        ``daily_application_limit``; 422 for a bid that does not fit the challenge (see
        :func:`~openchance.applications.bids.resolve_bid`)."""
        solver_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id, for_update=True)
            if is_owner(actor, challenge):
                raise PermissionDenied(
                    "you cannot apply to your own challenge", code="own_challenge"
                )
            # Locking the solver's row serialises their submits, so the daily count is exact.
            solver = await uow.session.get(User, solver_id, with_for_update=True)
            if solver is None or solver.status is not UserStatus.ACTIVE:
                raise PermissionDenied("your account is not active", code="account_not_active")
            _check_taking_applications(challenge)
            await _check_not_applied(uow, challenge.id, solver_id)
            if (
                challenge.max_applications is not None
                and challenge.application_count >= challenge.max_applications
            ):
                raise Conflict(
                    "this challenge takes no more applications",
                    code="application_limit_reached",
                    max_applications=challenge.max_applications,
                )
            await self._check_daily_limit(uow, solver_id)
            milestone_bids = await resolve_bid(uow, challenge, data.bid)
            now = utcnow()
            application = Application(
                id=uuid.uuid4(),
                challenge_id=challenge.id,
                solver_id=solver_id,
                status=ApplicationStatus.SUBMITTED,
                proposal=data.proposal,
                bid_amount_minor=data.bid.minor,
                bid_currency=challenge.reward_currency,
                milestone_bids=milestone_bids,
                estimated_days=data.estimated_days,
                portfolio_links=list(data.portfolio_links),
                terms_accepted_at=now,
                status_changed_at=now,
            )
            uow.session.add(application)
            challenge.application_count += 1
            try:
                await uow.flush()
            except IntegrityError:
                # The partial unique index: another submit of this solver won the race.
                raise _already_applied() from None
            add_history(uow, application, action="submit", actor_id=solver_id, from_status=None)
            uow.record(ApplicationSubmitted(**event_fields(application)))
            await announce(
                uow,
                user_id=challenge.owner_id,
                kind="application.submitted",
                title=f"{solver.display_name} applied to “{challenge.title}”",
                body=data.proposal[:300],
                application=application,
            )
            await conversations.on_submitted(uow, challenge, application)
            await uow.flush()
            return await read_application(uow, self._platform.files, actor, application, challenge)

    async def edit_application(
        self, actor: Actor, application_id: uuid.UUID, data: ApplicationEdit
    ) -> ApplicationRead:
        """Change the fields sent: only the solver, only while submitted (409
        ``application_locked`` once shortlisted or decided) and while the challenge is
        open (``challenge_not_open``)."""
        async with self._platform.unit_of_work() as uow:
            application, challenge = await lock_visible_application(uow, actor, application_id)
            check_applicant(actor, application)
            if application.status not in EDITABLE_STATUSES:
                raise Conflict(
                    f"the application can no longer change once it is {application.status.value}",
                    code="application_locked",
                    status=application.status.value,
                )
            _check_taking_applications(challenge)
            changed = sorted(data.model_fields_set)
            if changed:
                if data.bid is not None:
                    application.milestone_bids = await resolve_bid(uow, challenge, data.bid)
                    application.bid_amount_minor = data.bid.minor
                if data.proposal is not None:
                    application.proposal = data.proposal
                if data.estimated_days is not None:
                    application.estimated_days = data.estimated_days
                if data.portfolio_links is not None:
                    application.portfolio_links = list(data.portfolio_links)
                add_history(
                    uow, application, action="edit", actor_id=actor.user_id,
                    from_status=application.status, note="Changed: " + ", ".join(changed),
                )  # fmt: skip
                uow.record(ApplicationEdited(**event_fields(application), fields=changed))
                await uow.flush()
            return await read_application(uow, self._platform.files, actor, application, challenge)

    async def withdraw_application(
        self, actor: Actor, application_id: uuid.UUID, data: ApplicationDecision | None = None
    ) -> ApplicationRead:
        """The solver takes their application back, from submitted or shortlisted (409
        ``invalid_transition`` once accepted or rejected); the challenger is notified."""
        note = (data or ApplicationDecision()).note
        async with self._platform.unit_of_work() as uow:
            application, challenge = await lock_visible_application(uow, actor, application_id)
            check_applicant(actor, application)
            previous = change_status(
                uow, application, ApplicationAction.WITHDRAW, actor_id=actor.user_id, note=note
            )
            uow.record(ApplicationWithdrawn(**event_fields(application), previous_status=previous))
            await announce(
                uow,
                user_id=challenge.owner_id,
                kind="application.withdrawn",
                title=f"An application to “{challenge.title}” was withdrawn",
                body=note,
                application=application,
            )
            await conversations.on_status_changed(
                uow, application, ApplicationAction.WITHDRAW, note
            )
            await uow.flush()
            return await read_application(uow, self._platform.files, actor, application, challenge)

    # -- the challenger (or staff) ---------------------------------------------------------

    async def shortlist_application(
        self,
        actor: Actor,
        application_id: uuid.UUID,
        data: ApplicationDecision | None = None,
        client: ClientInfo | None = None,
    ) -> ApplicationRead:
        """The challenger (or staff, audited) shortlists a submitted application while the
        challenge is open (``challenge_not_open``); the solver is notified."""
        note = (data or ApplicationDecision()).note
        async with self._platform.unit_of_work() as uow:
            application, challenge = await lock_visible_application(uow, actor, application_id)
            check_decider(actor, challenge)
            next_status(application.status, ApplicationAction.SHORTLIST)
            _check_taking_applications(challenge)
            change_status(
                uow, application, ApplicationAction.SHORTLIST, actor_id=actor.user_id, note=note
            )
            uow.record(ApplicationShortlisted(**event_fields(application)))
            audit_decision(uow, actor, challenge, application, "shortlist", note, client)
            await announce(
                uow,
                user_id=application.solver_id,
                kind="application.shortlisted",
                title=f"You were shortlisted for “{challenge.title}”",
                body=note,
                application=application,
            )
            await conversations.on_status_changed(
                uow, application, ApplicationAction.SHORTLIST, note
            )
            await uow.flush()
            return await read_application(uow, self._platform.files, actor, application, challenge)

    async def accept_application(
        self,
        actor: Actor,
        application_id: uuid.UUID,
        data: ApplicationDecision | None = None,
        client: ClientInfo | None = None,
    ) -> ApplicationRead:
        """The challenger (or staff, audited) accepts an application; see
        :func:`openchance.applications.acceptance.accept` for the rules."""
        note = (data or ApplicationDecision()).note
        async with self._platform.unit_of_work() as uow:
            application, challenge = await lock_visible_application(uow, actor, application_id)
            check_decider(actor, challenge)
            await accept(
                uow, actor, challenge, application, note, client,
                funding_required=self._platform.settings.escrow_funding_deadline,
            )  # fmt: skip
            await uow.flush()
            return await read_application(uow, self._platform.files, actor, application, challenge)

    async def reject_application(
        self,
        actor: Actor,
        application_id: uuid.UUID,
        data: ApplicationDecision | None = None,
        client: ClientInfo | None = None,
    ) -> ApplicationRead:
        """The challenger (or staff, audited) declines a submitted or shortlisted
        application; the solver is notified with the note."""
        note = (data or ApplicationDecision()).note
        async with self._platform.unit_of_work() as uow:
            application, challenge = await lock_visible_application(uow, actor, application_id)
            check_decider(actor, challenge)
            previous = change_status(
                uow, application, ApplicationAction.REJECT, actor_id=actor.user_id, note=note
            )
            uow.record(
                ApplicationRejected(
                    **event_fields(application), previous_status=previous, automatic=False
                )
            )
            audit_decision(uow, actor, challenge, application, "reject", note, client)
            await announce(
                uow,
                user_id=application.solver_id,
                kind="application.rejected",
                title=f"Your application to “{challenge.title}” was declined",
                body=note,
                application=application,
            )
            await conversations.on_status_changed(uow, application, ApplicationAction.REJECT, note)
            await uow.flush()
            return await read_application(uow, self._platform.files, actor, application, challenge)

    # -- reading -------------------------------------------------------------------------

    async def get_application(self, actor: Actor, application_id: uuid.UUID) -> ApplicationRead:
        """For its solver, the challenger and staff; 404 for anyone else."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            application, challenge = await load_visible_application(uow, actor, application_id)
            return await read_application(uow, self._platform.files, actor, application, challenge)

    async def application_history(
        self, actor: Actor, application_id: uuid.UUID
    ) -> list[ApplicationHistoryRead]:
        """Every change, oldest first; for those who may see the application."""
        async with self._platform.unit_of_work(read_only=True) as uow:
            application, _ = await load_visible_application(uow, actor, application_id)
            return await read_history(uow, application.id)

    async def list_challenge_applications(
        self, actor: Actor, challenge_id: uuid.UUID, query: ApplicationsQuery | None = None
    ) -> ApplicationPage:
        """A challenge's applications, newest first: its challenger and staff (403
        ``not_challenge_owner`` for others who may see the challenge, 404 for the rest)."""
        query = query or ApplicationsQuery()
        async with self._platform.unit_of_work(read_only=True) as uow:
            challenge = await load_visible_challenge(uow, actor, challenge_id)
            check_decider(actor, challenge)
        statement = select(Application).where(Application.challenge_id == challenge.id)
        return await self._page(statement, query)

    async def list_my_applications(
        self, actor: Actor, query: ApplicationsQuery | None = None
    ) -> ApplicationPage:
        """The signed-in solver's applications, newest first."""
        solver_id = require_user(actor)
        statement = select(Application).where(Application.solver_id == solver_id)
        return await self._page(statement, query or ApplicationsQuery())

    async def list_applications(
        self, actor: Actor, query: ApplicationFilter | None = None
    ) -> ApplicationPage:
        """Staff's view of every application, newest first."""
        check_staff(actor)
        query = query or ApplicationFilter()
        statement = select(Application)
        if query.challenge_id is not None:
            statement = statement.where(Application.challenge_id == query.challenge_id)
        if query.solver_id is not None:
            statement = statement.where(Application.solver_id == query.solver_id)
        return await self._page(statement, query)

    async def _page(
        self, statement: Select[Application], query: ApplicationsQuery
    ) -> ApplicationPage:
        if query.status is not None:
            statement = statement.where(Application.status == query.status)
        statement = statement.order_by(Application.created_at.desc(), Application.id.desc())
        if query.cursor is not None:
            position, after_id = decode_cursor(query.cursor, PAGE_ORDER)
            statement = statement.where(
                tuple_(Application.created_at, Application.id) < tuple_(position, after_id)
            )
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = list((await uow.session.scalars(statement.limit(query.limit + 1))).all())
            items = await summarise(uow, rows[: query.limit])
        next_cursor = None
        if len(rows) > query.limit:
            last = rows[query.limit - 1]
            next_cursor = encode_cursor(PAGE_ORDER, last.created_at, last.id)
        return ApplicationPage(items=items, next_cursor=next_cursor)

    async def _check_daily_limit(self, uow: UnitOfWork, solver_id: uuid.UUID) -> None:
        limit = self._platform.settings.applications_per_solver_per_day
        now = utcnow()
        count, oldest = (
            await uow.session.execute(
                select(func.count(), func.min(Application.created_at)).where(
                    Application.solver_id == solver_id, Application.created_at > now - DAY
                )
            )
        ).one()
        if count >= limit:
            retry_after = max(1, math.ceil((oldest + DAY - now).total_seconds()))
            raise RateLimited(
                f"you have sent {limit} applications in the last 24 hours: try again later",
                retry_after=retry_after,
                code="daily_application_limit",
            )


def _check_taking_applications(challenge: Challenge) -> None:
    if challenge.status is not ChallengeStatus.OPEN or challenge.deadline <= utcnow():
        raise Conflict(
            "this challenge is not open for applications",
            code="challenge_not_open",
            status=challenge.status.value,
        )


async def _check_not_applied(
    uow: UnitOfWork, challenge_id: uuid.UUID, solver_id: uuid.UUID
) -> None:
    existing = await uow.session.scalar(
        select(Application.id).where(
            Application.challenge_id == challenge_id,
            Application.solver_id == solver_id,
            Application.status.in_(ACTIVE_APPLICATION_STATUSES),
        )
    )
    if existing is not None:
        raise _already_applied(existing)


def _already_applied(application_id: uuid.UUID | None = None) -> Conflict:
    return Conflict(
        "you already have an application to this challenge: edit or withdraw it",
        code="already_applied",
        application_id=str(application_id) if application_id else None,
    )
