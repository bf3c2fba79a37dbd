"""Conversations and their messages: ``/api/v1/conversations`` and ``/api/v1/me/unread``.

Only translation happens here: who may read, post, mark read or join, and what a message
may be, is decided by ``oc.messaging``. Real-time delivery is the WebSocket's; these
routes are what it is built on (history, catching up with ``after``, resends by
``client_id``).
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request, Response, status
from pydantic import ValidationError

from openchance import InvalidInput
from openchance.files.content_types import ACCEPTED_DESCRIPTION
from openchance.messaging.schemas import (
    CONVERSATION_LIMIT_MAX,
    ConversationPage,
    ConversationQuery,
    ConversationRead,
    FileUpload,
    MessageCreate,
    MessagePage,
    MessageQuery,
    MessageRead,
    MessageWithFilesCreate,
    PostOutcome,
    ReadMarker,
    UnreadCount,
    UnreadCounts,
)
from openchance_server.auth import Client, CurrentUser
from openchance_server.dependencies import Platform
from openchance_server.uploads import files_form, read_files_form

router = APIRouter(prefix="/conversations", tags=["conversations"])
unread_router = APIRouter(prefix="/me", tags=["me"])

RESEND_RESPONSES: dict[int | str, dict[str, object]] = {
    200: {"model": MessageRead, "description": "A resend: the message stored before."}
}
ATTACHMENTS_DESCRIPTION = (
    "Post a message with files: a `multipart/form-data` body with one or more parts `file`, "
    "an optional text part `body` (may be empty when files come with it) and an optional "
    "`client_id`, which makes a resend return the stored message (200) instead of posting "
    "again (201). Accepted files, recognised by their content (never the name or the "
    f"declared type): {ACCEPTED_DESCRIPTION}; at most `OPENCHANCE_MESSAGE_ATTACHMENTS_MAX` "
    "files of at most `OPENCHANCE_MESSAGE_ATTACHMENT_MAX_BYTES` each. 422 `empty_message`, "
    "`too_many_attachments`, `file_too_large`, `unsupported_file_type`, `empty_file`, "
    "`invalid_filename`, `invalid_input`."
)


@router.get("", summary="Your conversations")
async def list_conversations(
    oc: Platform,
    actor: CurrentUser,
    cursor: Annotated[str | None, Query(max_length=300)] = None,
    limit: Annotated[int, Query(ge=1, le=CONVERSATION_LIMIT_MAX)] = 20,
) -> ConversationPage:
    """Most recent activity first, with who is in each, the newest message and how many
    are unread for you; `next_cursor` gives the next page (422 `invalid_cursor`)."""
    return await oc.messaging.list_conversations(
        actor, ConversationQuery(cursor=cursor, limit=limit)
    )


@router.get("/{conversation_id}", summary="A conversation")
async def get_conversation(
    conversation_id: uuid.UUID, oc: Platform, actor: CurrentUser, client: Client
) -> ConversationRead:
    """For its participants and staff (a staff read of a conversation they have not
    joined is audited); 404 for anyone else."""
    return await oc.messaging.get_conversation(actor, conversation_id, client=client)


@router.get("/{conversation_id}/messages", summary="A conversation's messages")
async def list_messages(
    conversation_id: uuid.UUID,
    query: Annotated[MessageQuery, Query()],
    oc: Platform,
    actor: CurrentUser,
    client: Client,
) -> MessagePage:
    """Oldest first within the page: the newest `limit` by default, older ones with
    `before=SEQ`, newer ones with `after=SEQ` (to catch up); not both (422)."""
    return await oc.messaging.list_messages(actor, conversation_id, query, client=client)


@router.post(
    "/{conversation_id}/messages",
    summary="Post a message",
    status_code=status.HTTP_201_CREATED,
    responses=RESEND_RESPONSES,
)
async def post_message(
    conversation_id: uuid.UUID,
    data: MessageCreate,
    response: Response,
    oc: Platform,
    actor: CurrentUser,
) -> MessageRead:
    """201 with the new message; 200 with the stored one for a resend of a `client_id`
    you already used. Staff join first (403 `not_a_participant`)."""
    outcome = await oc.messaging.post_message_with_outcome(actor, conversation_id, data)
    return _answer(outcome, response)


@router.post(
    "/{conversation_id}/attachments",
    summary="Post a message with files",
    status_code=status.HTTP_201_CREATED,
    responses=RESEND_RESPONSES,
    description=ATTACHMENTS_DESCRIPTION,
    openapi_extra=files_form(
        {"body": "The message (Markdown); may be empty.", "client_id": "Your id for it."}
    ),
)
async def post_message_with_attachments(
    conversation_id: uuid.UUID,
    request: Request,
    response: Response,
    oc: Platform,
    actor: CurrentUser,
) -> MessageRead:
    settings = oc.settings
    files, fields = await read_files_form(
        request,
        settings.message_attachment_max_bytes,
        settings.message_attachments_max,
        ("body", "client_id"),
        too_large="the files are larger than messages may carry",
    )
    try:
        data = MessageWithFilesCreate.model_validate(fields)
    except ValidationError as exc:
        raise InvalidInput(
            "the message is not valid",
            errors=[
                {"field": ".".join(str(p) for p in e["loc"]), "message": e["msg"]}
                for e in exc.errors()
            ],
        ) from None
    outcome = await oc.messaging.post_message_with_attachments(
        actor, conversation_id, data, [FileUpload(content, name) for content, name in files]
    )
    return _answer(outcome, response)


@router.post("/{conversation_id}/read", summary="Mark a conversation read")
async def mark_read(
    conversation_id: uuid.UUID, marker: ReadMarker, oc: Platform, actor: CurrentUser
) -> UnreadCount:
    """Everything up to `seq` is read (capped at the newest; a marker never moves back).
    Read to the newest, your notification of the conversation is marked read too."""
    return await oc.messaging.mark_read(actor, conversation_id, marker)


@router.post("/{conversation_id}/join", summary="Join a conversation (staff)")
async def join_conversation(
    conversation_id: uuid.UUID, oc: Platform, actor: CurrentUser, client: Client
) -> ConversationRead:
    """Support, moderators and admins join to post (audited; the participants see a
    system message). Joining again changes nothing. 403 `staff_only`."""
    return await oc.messaging.join_conversation(actor, conversation_id, client)


@unread_router.get("/unread", summary="Your unread messages")
async def unread_counts(oc: Platform, actor: CurrentUser) -> UnreadCounts:
    """Messages from others after your read markers, per conversation and in all."""
    return await oc.messaging.unread_counts(actor)


def _answer(outcome: PostOutcome, response: Response) -> MessageRead:
    if not outcome.created:
        response.status_code = status.HTTP_200_OK
    return outcome.message
