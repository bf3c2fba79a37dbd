"""Applications: applying to a challenge (`/api/v1/challenges/{id}/applications`), one
application and its workflow (`/api/v1/applications/{id}/…`) and your own
(`/api/v1/me/applications`). Files attached to an application live in
`application_attachments`."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Body, Query, status

from openchance.applications.schemas import (
    ApplicationCreate,
    ApplicationDecision,
    ApplicationEdit,
    ApplicationHistoryRead,
    ApplicationPage,
    ApplicationRead,
    ApplicationsQuery,
)
from openchance_server.auth import Client, CurrentUser
from openchance_server.dependencies import Platform

on_challenge = APIRouter(prefix="/challenges/{challenge_id}/applications", tags=["applications"])
applications = APIRouter(prefix="/applications", tags=["applications"])
mine = APIRouter(prefix="/me", tags=["me"])

OptionalDecision = Annotated[ApplicationDecision | None, Body()]


@on_challenge.post("", status_code=status.HTTP_201_CREATED, summary="Apply to a challenge")
async def submit_application(
    challenge_id: uuid.UUID, data: ApplicationCreate, oc: Platform, actor: CurrentUser
) -> ApplicationRead:
    """Apply to an open challenge you may see, accepting its terms (`accept_terms: true`,
    else 422 `terms_not_accepted`). The bid is in the challenge's currency
    (`currency_mismatch`), within a range reward or at most a fixed or milestone reward
    (`bid_out_of_range`); milestone bids name every milestone of the challenge
    (`unknown_milestone`, `milestone_bids_incomplete`, `milestone_bids_not_allowed`) and add
    up to the bid (`milestone_bids_mismatch`); amounts follow the reward rules
    (`too_many_decimals`, `amount_not_positive`, …); links are http(s) (`invalid_url`).
    403 `own_challenge`; 404 for a challenge you cannot see; 409 `challenge_not_open`,
    `already_applied`, `application_limit_reached`; 429 `daily_application_limit`."""
    return await oc.applications.submit_application(actor, challenge_id, data)


@on_challenge.get("", summary="A challenge's applications (its challenger and staff)")
async def list_challenge_applications(
    challenge_id: uuid.UUID,
    query: Annotated[ApplicationsQuery, Query()],
    oc: Platform,
    actor: CurrentUser,
) -> ApplicationPage:
    """Newest first, optionally of one `status`; pass `next_cursor` back as `cursor` for
    more. 403 `not_challenge_owner` for others who may see the challenge."""
    return await oc.applications.list_challenge_applications(actor, challenge_id, query)


@mine.get("/applications", summary="Your applications")
async def list_my_applications(
    query: Annotated[ApplicationsQuery, Query()], oc: Platform, actor: CurrentUser
) -> ApplicationPage:
    """Every status (or one `status`), newest first; pass `next_cursor` back as `cursor`."""
    return await oc.applications.list_my_applications(actor, query)


@applications.get("/{application_id}", summary="An application")
async def get_application(
    application_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> ApplicationRead:
    """For its solver, the challenger and staff; 404 for anyone else. Attachments carry
    signed download URLs that expire: read it again for fresh ones."""
    return await oc.applications.get_application(actor, application_id)


@applications.patch("/{application_id}", summary="Change your application")
async def edit_application(
    application_id: uuid.UUID, data: ApplicationEdit, oc: Platform, actor: CurrentUser
) -> ApplicationRead:
    """Only the fields sent change (`null` is refused); the bid rules of applying apply.
    Only its solver (403 `not_applicant`) and only while submitted (409
    `application_locked`) on an open challenge (409 `challenge_not_open`)."""
    return await oc.applications.edit_application(actor, application_id, data)


@applications.post("/{application_id}/withdraw", summary="Withdraw your application")
async def withdraw_application(
    application_id: uuid.UUID, oc: Platform, actor: CurrentUser, data: OptionalDecision = None
) -> ApplicationRead:
    """From submitted or shortlisted, with an optional note; the challenger is notified.
    403 `not_applicant`; 409 `invalid_transition` once accepted or rejected."""
    return await oc.applications.withdraw_application(actor, application_id, data)


@applications.post("/{application_id}/shortlist", summary="Shortlist an application")
async def shortlist_application(
    application_id: uuid.UUID,
    oc: Platform,
    actor: CurrentUser,
    client: Client,
    data: OptionalDecision = None,
) -> ApplicationRead:
    """The challenger (or staff, audited), from submitted, while the challenge is open; the
    solver is notified. 403 `not_challenge_owner`; 409 `invalid_transition`,
    `challenge_not_open`."""
    return await oc.applications.shortlist_application(actor, application_id, data, client)


@applications.post("/{application_id}/accept", summary="Accept an application")
async def accept_application(
    application_id: uuid.UUID,
    oc: Platform,
    actor: CurrentUser,
    client: Client,
    data: OptionalDecision = None,
) -> ApplicationRead:
    """The challenger (or staff, audited), from submitted or shortlisted. The first
    acceptance needs the challenge open and moves it to `in_progress`; once every winner's
    place is taken (one, usually) the applications still waiting are rejected with a
    courteous note. 403 `not_challenge_owner`; 409 `invalid_transition` (accepted twice,
    withdrawn, rejected), `challenge_not_open` (cancelled, expired, …), `winners_reached`."""
    return await oc.applications.accept_application(actor, application_id, data, client)


@applications.post("/{application_id}/reject", summary="Decline an application")
async def reject_application(
    application_id: uuid.UUID,
    oc: Platform,
    actor: CurrentUser,
    client: Client,
    data: OptionalDecision = None,
) -> ApplicationRead:
    """The challenger (or staff, audited), from submitted or shortlisted; the solver is
    notified with the note. 403 `not_challenge_owner`; 409 `invalid_transition`."""
    return await oc.applications.reject_application(actor, application_id, data, client)


@applications.get("/{application_id}/history", summary="An application's history")
async def application_history(
    application_id: uuid.UUID, oc: Platform, actor: CurrentUser
) -> list[ApplicationHistoryRead]:
    """Every change (submit, edit, shortlist, accept, reject, withdraw, auto_reject), oldest
    first, with who (null: the system), from and to which status, and the note."""
    return await oc.applications.application_history(actor, application_id)


router = APIRouter()
router.include_router(on_challenge)
router.include_router(applications)
router.include_router(mine)
