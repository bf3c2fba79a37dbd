"""Opaque secrets handed to users (links, sessions): random, and stored only as SHA-256."""

from __future__ import annotations

import hashlib
import hmac
import secrets

TOKEN_BYTES = 32  # 256 bits from the operating system's CSPRNG

SESSION_TOKEN_PREFIX = "ocs_"  # noqa: S105 - prefixes, not secrets
EMAIL_TOKEN_PREFIX = "oce_"  # noqa: S105
CSRF_TOKEN_PREFIX = "occ_"  # noqa: S105


def new_token(prefix: str) -> str:
    """A fresh secret. The prefix tells secret scanners and people what it is."""
    return prefix + secrets.token_urlsafe(TOKEN_BYTES)


def token_digest(token: str) -> str:
    """What we store and look up: the SHA-256 of the token (tokens are random, so no salt)."""
    return hashlib.sha256(token.encode()).hexdigest()


def digests_match(token: str, digest: str | None) -> bool:
    return digest is not None and hmac.compare_digest(token_digest(token), digest)
