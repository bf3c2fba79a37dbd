"""The signed-in user's own account and sessions: ``/api/v1/me``."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status

from openchance.accounts.schemas import PasswordChange, ProfileUpdate, SessionRead, UserRead
from openchance_server.auth import CurrentUser, clear_session_cookies
from openchance_server.dependencies import Platform

router = APIRouter(prefix="/me", tags=["me"])


@router.get("", summary="Your account")
async def get_me(oc: Platform, actor: CurrentUser) -> UserRead:
    return await oc.accounts.get_me(actor)


@router.patch("", summary="Change your profile")
async def update_me(data: ProfileUpdate, oc: Platform, actor: CurrentUser) -> UserRead:
    """Only the fields sent change. Fields you may not set yourself (role, status, the
    verified flag) are not part of the schema: sending one is a 422."""
    return await oc.accounts.update_me(actor, data)


@router.post("/password", status_code=status.HTTP_204_NO_CONTENT, summary="Change your password")
async def change_password(data: PasswordChange, oc: Platform, actor: CurrentUser) -> None:
    """Needs the current password (401 `invalid_credentials` when wrong). Every other
    session of yours ends; this one stays."""
    await oc.accounts.change_password(actor, data)


@router.get("/sessions", summary="Your live sessions")
async def list_sessions(oc: Platform, actor: CurrentUser) -> list[SessionRead]:
    """Most recently used first; `current` marks the one this request is made with."""
    return await oc.accounts.list_sessions(actor)


@router.delete(
    "/sessions/{session_id}", status_code=status.HTTP_204_NO_CONTENT, summary="End a session"
)
async def revoke_session(
    session_id: uuid.UUID, oc: Platform, actor: CurrentUser, response: Response
) -> None:
    """End one of your sessions (404 for a session that is not yours or has ended).
    Ending the current browser session also clears its cookies."""
    await oc.accounts.revoke_session(actor, session_id)
    if session_id == actor.session_id:
        clear_session_cookies(response, oc.settings)
