"""The frames of protocol version 1: every type survives a JSON round trip, and bad frames
are refused with a code (never an exception the connection would die of)."""

from __future__ import annotations

import json
import uuid

import pytest
from pydantic import BaseModel

from openchance.db.types import utcnow
from openchance.messaging.protocol import (
    ConversationCursor,
    ErrorCode,
    ErrorFrame,
    FrameRejected,
    MessageAckFrame,
    MessageNewFrame,
    MessageSendFrame,
    PingFrame,
    PongFrame,
    ReadFrame,
    ReadSendFrame,
    SubscribedFrame,
    SubscribeFrame,
    TypingFrame,
    TypingSendFrame,
    UnreadConversation,
    UnreadUpdateFrame,
    client_frames,
    encode,
    parse_client_frame,
    server_frames,
)
from openchance.messaging.schemas import MessageRead
from openchance.models.messaging import MessageKind

CONVERSATION = uuid.uuid4()
USER = uuid.uuid4()


def a_message(seq: int = 1) -> MessageRead:
    return MessageRead(
        id=uuid.uuid4(),
        conversation_id=CONVERSATION,
        seq=seq,
        sender_id=USER,
        kind=MessageKind.TEXT,
        body="Hello",
        body_html="<p>Hello</p>",
        data={},
        client_id="c-1",
        created_at=utcnow(),
    )


CLIENT_FRAMES: list[BaseModel] = [
    SubscribeFrame(
        conversations=[
            ConversationCursor(id=CONVERSATION, after_seq=7),
            ConversationCursor(id=uuid.uuid4()),
        ],
        ref="s1",
    ),
    MessageSendFrame(conversation_id=CONVERSATION, client_id="c-1", body="Hi"),
    TypingSendFrame(conversation_id=CONVERSATION),
    ReadSendFrame(conversation_id=CONVERSATION, seq=3),
    PingFrame(ref="p"),
]
SERVER_FRAMES: list[BaseModel] = [
    SubscribedFrame(conversations=[CONVERSATION]),
    MessageNewFrame(message=a_message()),
    MessageAckFrame(client_id="c-1", message=a_message()),
    TypingFrame(conversation_id=CONVERSATION, user_id=USER, expires_in=5.0),
    ReadFrame(conversation_id=CONVERSATION, user_id=USER, seq=4),
    UnreadUpdateFrame(total=2, conversations=[UnreadConversation(id=CONVERSATION, unread=2)]),
    PongFrame(ref="p"),
    ErrorFrame(code="rate_limited", message="slow down", ref="x", retry_after=3),
]


class TestRoundTrip:
    @pytest.mark.parametrize("frame", CLIENT_FRAMES, ids=lambda f: type(f).__name__)
    def test_client_frames(self, frame: BaseModel) -> None:
        text = encode(frame)

        assert json.loads(text)["v"] == 1
        assert parse_client_frame(text) == frame
        assert client_frames.validate_json(text) == frame

    @pytest.mark.parametrize("frame", SERVER_FRAMES, ids=lambda f: type(f).__name__)
    def test_server_frames(self, frame: BaseModel) -> None:
        text = encode(frame)

        assert json.loads(text)["v"] == 1
        assert server_frames.validate_json(text) == frame

    def test_every_frame_type_is_covered(self) -> None:
        client_types = {json.loads(encode(f))["type"] for f in CLIENT_FRAMES}
        server_types = {json.loads(encode(f))["type"] for f in SERVER_FRAMES}

        assert client_types == {"subscribe", "message.send", "typing", "read", "ping"}
        assert server_types == {
            "subscribed", "message.new", "message.ack", "typing", "read", "unread.update",
            "pong", "error",
        }  # fmt: skip


class TestRefusedFrames:
    @pytest.mark.parametrize(
        ("text", "code"),
        [
            ("{not json", ErrorCode.INVALID_JSON),
            ("[1, 2]", ErrorCode.INVALID_FRAME),
            ('{"type": "ping"}', ErrorCode.UNSUPPORTED_VERSION),
            ('{"v": 2, "type": "ping"}', ErrorCode.UNSUPPORTED_VERSION),
            ('{"v": 1, "type": "shout"}', ErrorCode.UNKNOWN_TYPE),
            ('{"v": 1}', ErrorCode.UNKNOWN_TYPE),
            ('{"v": 1, "type": "read", "conversation_id": "nope", "seq": 1}', "invalid_frame"),
            ('{"v": 1, "type": "subscribe", "conversations": []}', "invalid_frame"),
            ('{"v": 1, "type": "ping", "extra": true}', "invalid_frame"),
            (
                json.dumps(
                    {
                        "v": 1,
                        "type": "message.send",
                        "conversation_id": str(CONVERSATION),
                        "client_id": "has space",
                        "body": "x",
                    }
                ),
                "invalid_frame",
            ),
        ],
    )
    def test_with_a_code(self, text: str, code: str) -> None:
        with pytest.raises(FrameRejected) as raised:
            parse_client_frame(text)

        assert raised.value.code == code
        assert raised.value.frame().type == "error"

    def test_the_ref_is_echoed_when_it_can_be_read(self) -> None:
        with pytest.raises(FrameRejected) as raised:
            parse_client_frame('{"v": 1, "type": "read", "ref": "r-9", "seq": -1}')

        assert raised.value.ref == "r-9"
        assert raised.value.frame().ref == "r-9"
