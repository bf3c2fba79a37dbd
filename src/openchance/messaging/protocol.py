"""The real-time protocol, version 1: the JSON frames a client and the server exchange over
one WebSocket (``GET /api/v1/ws``; described in ``docs/websocket.md``).

Every frame is a JSON object with ``"v": 1`` and a ``type`` that selects its shape
(a discriminated union). Client frames may carry a ``ref`` of the client's choosing;
an ``error`` caused by a frame echoes it. Parsing never raises anything but
:class:`FrameRejected`, whose ``code`` goes back to the client in an ``error`` frame.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, TypeAdapter, ValidationError

from openchance.messaging.schemas import MESSAGE_MAX_LENGTH, ClientMessageId, MessageRead

PROTOCOL_VERSION = 1
MAX_SUBSCRIPTIONS = 500
"""Conversations one ``subscribe`` frame (and one connection) may follow."""

Ref = Annotated[str, Field(min_length=1, max_length=64)]


class ErrorCode:
    """The ``code`` of ``error`` frames raised by the protocol itself (domain errors keep
    their own codes: ``not_found``, ``rate_limited``, ``not_a_participant``, …)."""

    INVALID_JSON = "invalid_json"
    UNKNOWN_TYPE = "unknown_type"
    UNSUPPORTED_VERSION = "unsupported_version"
    INVALID_FRAME = "invalid_frame"
    FRAME_TOO_LARGE = "frame_too_large"
    BINARY_NOT_SUPPORTED = "binary_not_supported"
    NOT_SUBSCRIBED = "not_subscribed"
    INVALID_TICKET = "invalid_ticket"
    INTERNAL_ERROR = "internal_error"


class CloseCode:
    """WebSocket close codes the server uses (4000-4999 are the application's)."""

    NORMAL = 1000
    GOING_AWAY = 1001
    """The server is shutting down: reconnect (to another process) with your cursors."""
    TOO_LARGE = 1009
    """A frame over the hard limit of the server (uvicorn's ``ws_max_size``)."""
    INTERNAL_ERROR = 1011
    UNAUTHORIZED = 4401
    """The ticket was missing, unknown, used or expired, or its user or session no longer
    works: get a new ticket (sign in again if that fails)."""
    FORBIDDEN_ORIGIN = 4403
    """The page's ``Origin`` is not allowed (sent as HTTP 403 before the handshake)."""
    TOO_SLOW = 4408
    """The client did not read fast enough and its send queue filled up: reconnect with
    your cursors to catch up."""


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    v: Literal[1] = 1


class _ClientFrame(_Frame):
    ref: Ref | None = None


# -- client → server ---------------------------------------------------------------------


class ConversationCursor(BaseModel):
    """A conversation to follow; ``after_seq``: the last message the client has (everything
    after it is sent first). None: only messages from now on."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    id: uuid.UUID
    after_seq: int | None = Field(default=None, ge=0)


class SubscribeFrame(_ClientFrame):
    type: Literal["subscribe"] = "subscribe"
    conversations: list[ConversationCursor] = Field(min_length=1, max_length=MAX_SUBSCRIPTIONS)


class MessageSendFrame(_ClientFrame):
    type: Literal["message.send"] = "message.send"
    conversation_id: uuid.UUID
    client_id: ClientMessageId
    body: Annotated[str, Field(min_length=1, max_length=MESSAGE_MAX_LENGTH)]


class TypingSendFrame(_ClientFrame):
    type: Literal["typing"] = "typing"
    conversation_id: uuid.UUID


class ReadSendFrame(_ClientFrame):
    type: Literal["read"] = "read"
    conversation_id: uuid.UUID
    seq: int = Field(ge=0)


class PingFrame(_ClientFrame):
    type: Literal["ping"] = "ping"


ClientFrame = Annotated[
    SubscribeFrame | MessageSendFrame | TypingSendFrame | ReadSendFrame | PingFrame,
    Field(discriminator="type"),
]
CLIENT_FRAME_TYPES = frozenset({"subscribe", "message.send", "typing", "read", "ping"})


# -- server → client ---------------------------------------------------------------------


class SubscribedFrame(_Frame):
    """The conversations now followed (those refused get an ``error`` frame each)."""

    type: Literal["subscribed"] = "subscribed"
    conversations: list[uuid.UUID]


class MessageNewFrame(_Frame):
    """A message, in ``seq`` order per conversation, each exactly once per subscription
    (the sender's own messages included)."""

    type: Literal["message.new"] = "message.new"
    message: MessageRead


class MessageAckFrame(_Frame):
    """The sender's ``message.send`` is stored (a resend of a ``client_id`` acks the stored
    message again)."""

    type: Literal["message.ack"] = "message.ack"
    client_id: str
    message: MessageRead


class TypingFrame(_Frame):
    """Another participant is typing; show it for ``expires_in`` seconds."""

    type: Literal["typing"] = "typing"
    conversation_id: uuid.UUID
    user_id: uuid.UUID
    expires_in: float


class ReadFrame(_Frame):
    """Another participant has read up to ``seq``."""

    type: Literal["read"] = "read"
    conversation_id: uuid.UUID
    user_id: uuid.UUID
    seq: int


class UnreadConversation(BaseModel):
    model_config = ConfigDict(frozen=True)

    id: uuid.UUID
    unread: int


class UnreadUpdateFrame(_Frame):
    """The user's unread counts now (a snapshot: the newest one wins)."""

    type: Literal["unread.update"] = "unread.update"
    total: int
    conversations: list[UnreadConversation]


class PongFrame(_Frame):
    type: Literal["pong"] = "pong"
    ref: Ref | None = None


class ErrorFrame(_Frame):
    type: Literal["error"] = "error"
    code: str
    message: str
    ref: Ref | None = None
    conversation_id: uuid.UUID | None = None
    retry_after: int | None = Field(default=None, description="Seconds, for rate_limited.")


ServerFrame = Annotated[
    SubscribedFrame
    | MessageNewFrame
    | MessageAckFrame
    | TypingFrame
    | ReadFrame
    | UnreadUpdateFrame
    | PongFrame
    | ErrorFrame,
    Field(discriminator="type"),
]

client_frames: TypeAdapter[ClientFrame] = TypeAdapter(ClientFrame)
server_frames: TypeAdapter[ServerFrame] = TypeAdapter(ServerFrame)


class FrameRejected(Exception):
    """A client frame that cannot be used; ``code`` and ``message`` go into an ``error``
    frame, with the frame's ``ref`` when it could be read."""

    def __init__(self, code: str, message: str, *, ref: str | None = None) -> None:
        super().__init__(message)
        self.code = code
        self.message = message
        self.ref = ref

    def frame(self) -> ErrorFrame:
        return ErrorFrame(code=self.code, message=self.message, ref=self.ref)


def parse_client_frame(text: str | bytes) -> ClientFrame:
    """One client frame from its JSON text; :class:`FrameRejected` when it is not one."""
    try:
        data: Any = json.loads(text)
    except (ValueError, UnicodeDecodeError):
        raise FrameRejected(ErrorCode.INVALID_JSON, "the frame is not JSON") from None
    if not isinstance(data, dict):
        raise FrameRejected(ErrorCode.INVALID_FRAME, "a frame is a JSON object")
    raw_ref = data.get("ref")
    ref = raw_ref if isinstance(raw_ref, str) and 0 < len(raw_ref) <= 64 else None
    if data.get("v") != PROTOCOL_VERSION:
        raise FrameRejected(
            ErrorCode.UNSUPPORTED_VERSION,
            f'frames carry "v": {PROTOCOL_VERSION} (the protocol version)',
            ref=ref,
        )
    if data.get("type") not in CLIENT_FRAME_TYPES:
        raise FrameRejected(
            ErrorCode.UNKNOWN_TYPE,
            f"unknown frame type {str(data.get('type'))[:40]!r}; expected one of "
            + ", ".join(sorted(CLIENT_FRAME_TYPES)),
            ref=ref,
        )
    try:
        return client_frames.validate_python(data)
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(part) for part in error['loc'][1:]) or 'frame'}: {error['msg']}"
            for error in exc.errors()[:5]
        )
        raise FrameRejected(ErrorCode.INVALID_FRAME, problems, ref=ref) from None


def encode(frame: BaseModel) -> str:
    """A frame as the JSON text sent over the socket."""
    return frame.model_dump_json()
