"""Passwords: Argon2id hashes, and strength checks with zxcvbn (no composition rules)."""

from __future__ import annotations

from functools import cache

import anyio
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from zxcvbn import zxcvbn

from openchance.errors import InvalidInput

MIN_PASSWORD_LENGTH = 8
MAX_PASSWORD_LENGTH = 128
MIN_PASSWORD_SCORE = 3
"""zxcvbn's 0-4 scale; 3 is 'safely unguessable' against an online attack and slows an
offline one. Long passphrases pass easily; 'Password1!' does not."""

_hasher = PasswordHasher()  # argon2id with the library's RFC 9106 parameters


def check_password_strength(password: str, *, user_inputs: list[str]) -> None:
    """Refuse passwords that are too short, too long, common, or built from the user's data."""
    if len(password) < MIN_PASSWORD_LENGTH:
        raise _weak(f"use at least {MIN_PASSWORD_LENGTH} characters")
    if len(password) > MAX_PASSWORD_LENGTH:
        raise _weak(f"use at most {MAX_PASSWORD_LENGTH} characters")
    result = zxcvbn(password, user_inputs=[value for value in user_inputs if value])
    if result["score"] < MIN_PASSWORD_SCORE:
        feedback = result["feedback"]
        hint = feedback.get("warning") or "it is easy to guess"
        suggestions = " ".join(feedback.get("suggestions") or [])
        raise _weak(f"{hint.rstrip('.')}. {suggestions}".strip())


def _weak(reason: str) -> InvalidInput:
    return InvalidInput(
        f"choose a stronger password: {reason}",
        code="weak_password",
        errors=[{"field": "password", "message": reason}],
    )


async def hash_password(password: str) -> str:
    """Argon2id hash (slow on purpose: runs in a worker thread)."""
    return await anyio.to_thread.run_sync(_hasher.hash, password)


async def verify_password(password_hash: str | None, password: str) -> bool:
    """True when ``password`` matches. With no hash, a dummy one is checked so that the
    answer takes as long whether or not the account exists."""
    target = password_hash or _dummy_hash()
    try:
        matched = await anyio.to_thread.run_sync(_hasher.verify, target, password)
    except (VerificationError, InvalidHashError):
        return False
    return bool(matched) and password_hash is not None


def needs_rehash(password_hash: str) -> bool:
    return _hasher.check_needs_rehash(password_hash)


@cache
def _dummy_hash() -> str:
    return _hasher.hash("no account has this password; it only equalises timing")
