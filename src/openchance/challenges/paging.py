"""Keyset cursors for lists of challenges: stable while rows come and go (a moderation
queue shrinks as it is worked through, which would make offsets skip entries)."""

from __future__ import annotations

import base64
import binascii
import json
import uuid
from datetime import datetime
from typing import Any

from openchance.errors import InvalidInput


def encode_cursor(order: str, position: datetime, challenge_id: uuid.UUID) -> str:
    raw = json.dumps(
        {"o": order, "t": position.isoformat(), "i": str(challenge_id)}, separators=(",", ":")
    ).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str, order: str) -> tuple[datetime, uuid.UUID]:
    """The position a cursor points after; ``InvalidInput`` ``invalid_cursor`` if it is not
    one of ours or belongs to another order."""
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        data: Any = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if data["o"] != order:
            raise ValueError("cursor of another order")
        position = datetime.fromisoformat(data["t"])
        if position.tzinfo is None:
            raise ValueError("naive cursor time")
        return position, uuid.UUID(data["i"])
    except (ValueError, KeyError, TypeError, binascii.Error, UnicodeDecodeError):
        raise InvalidInput(
            "the cursor is not valid for this list (start again without it)",
            code="invalid_cursor",
        ) from None
