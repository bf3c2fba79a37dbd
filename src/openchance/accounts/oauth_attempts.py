"""Sign-in attempts in flight, kept server-side in the cache: short-lived and single-use.

The browser carries only the ``state`` (and a binding cookie); the nonce, the PKCE
verifier, where to go next and whom to link to stay here, keyed by a digest of the state.
A "pending sign-in" (an OAuth sign-in that still needs a two-factor code) is kept the same
way, keyed by a digest of its token.
"""

from __future__ import annotations

import uuid
from typing import TypeVar

from pydantic import BaseModel, ValidationError

from openchance.accounts.tokens import token_digest
from openchance.models.accounts import SessionKind
from openchance.models.oauth import OAuthProvider
from openchance.providers.cache import Cache

ATTEMPT_PREFIX = "oauth-attempt:"
PENDING_PREFIX = "oauth-pending:"
USED_SUFFIX = ":used"

Record = TypeVar("Record", bound=BaseModel)


class Attempt(BaseModel):
    provider: OAuthProvider
    nonce: str
    code_verifier: str
    redirect_uri: str
    next_path: str
    binding_digest: str
    kind: SessionKind
    link_user_id: uuid.UUID | None = None
    link_session_id: uuid.UUID | None = None
    """The session that asked to link: linking is refused if it has ended since."""


class PendingSignIn(BaseModel):
    user_id: uuid.UUID
    provider: OAuthProvider
    kind: SessionKind
    next_path: str
    binding_digest: str


class AttemptStore:
    def __init__(self, cache: Cache, ttl_seconds: int) -> None:
        self._cache = cache
        self._ttl = ttl_seconds

    async def save_attempt(self, state: str, attempt: Attempt) -> None:
        await self._save(ATTEMPT_PREFIX, state, attempt)

    async def take_attempt(self, state: str) -> Attempt | None:
        return await self._take(ATTEMPT_PREFIX, state, Attempt)

    async def save_pending(self, token: str, pending: PendingSignIn) -> None:
        await self._save(PENDING_PREFIX, token, pending)

    async def take_pending(self, token: str) -> PendingSignIn | None:
        return await self._take(PENDING_PREFIX, token, PendingSignIn)

    async def _save(self, prefix: str, secret: str, record: BaseModel) -> None:
        key = prefix + token_digest(secret)
        await self._cache.set(key, record.model_dump_json().encode(), ttl_seconds=self._ttl)

    async def _take(self, prefix: str, secret: str, model: type[Record]) -> Record | None:
        """The record, once: a second take (even a concurrent one) finds nothing."""
        key = prefix + token_digest(secret)
        raw = await self._cache.get(key)
        if raw is None:
            return None
        # `add` is atomic in every cache: of two concurrent takes, only one marks it used.
        if not await self._cache.add(key + USED_SUFFIX, b"1", ttl_seconds=self._ttl):
            return None
        await self._cache.delete(key)
        try:
            return model.model_validate_json(raw)
        except ValidationError:
            return None  # written by another version: treat as unknown
