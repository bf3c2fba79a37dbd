"""TOTP two-factor authentication: set-up, confirmation, recovery codes and step-up checks.

Secrets are stored encrypted (Fernet, with a key derived from the installation's secret
key); each accepted code's time step is remembered so that a code never works twice;
recovery codes are single-use and stored as SHA-256 digests.
"""

from __future__ import annotations

import base64
import hashlib
import io
import secrets
import time
import uuid
from typing import TYPE_CHECKING

import pyotp
import segno
from cryptography.fernet import Fernet, InvalidToken
from pydantic import BaseModel, ConfigDict, Field
from sqlalchemy import update

from openchance.accounts import sessions as session_rows
from openchance.accounts.passwords import verify_password
from openchance.accounts.policy import require_interactive, require_user
from openchance.accounts.repository import load_user
from openchance.accounts.tokens import token_digest
from openchance.actor import Actor
from openchance.db.types import utcnow
from openchance.errors import Conflict, InvalidInput, NotAuthenticated
from openchance.models.accounts import RecoveryCode, User

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

ISSUER = "OpenChance"
RECOVERY_CODE_COUNT = 10
STEP_SECONDS = 30
ACCEPTED_DRIFT_STEPS = 1  # a code from the previous or next 30 s also counts


class TotpSetup(BaseModel):
    """What an authenticator app needs; the secret is shown once, here."""

    secret: str
    provisioning_uri: str
    qr_svg: str


class TotpConfirmation(BaseModel):
    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=6, max_length=8)


class SecondFactor(BaseModel):
    """A fresh TOTP code, or one of the recovery codes."""

    model_config = ConfigDict(extra="forbid")

    code: str = Field(min_length=6, max_length=32)


class TotpDisable(BaseModel):
    model_config = ConfigDict(extra="forbid")

    password: str = Field(min_length=1, max_length=1024)
    code: str = Field(min_length=6, max_length=32)


class RecoveryCodes(BaseModel):
    """Shown once; each works once, in place of a TOTP code."""

    codes: list[str]


def _cipher(secret_key: str) -> Fernet:
    key = hashlib.sha256(b"openchance:totp-secrets:" + secret_key.encode()).digest()
    return Fernet(base64.urlsafe_b64encode(key))


def _new_recovery_code() -> str:
    raw = secrets.token_hex(5)  # 40 bits each; ten of them, single use, throttled sign-in
    return f"{raw[:5]}-{raw[5:]}"


def _normalise_code(code: str) -> str:
    return code.strip().replace(" ", "").lower()


class TwoFactorService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    @property
    def _fernet(self) -> Fernet:
        return _cipher(self._platform.settings.effective_secret_key)

    def _decrypt(self, value: str) -> str:
        try:
            return self._fernet.decrypt(value.encode()).decode()
        except InvalidToken:
            raise Conflict(
                "the two-factor secret cannot be read: was the secret key changed?",
                code="totp_secret_unreadable",
            ) from None

    # -- set-up ------------------------------------------------------------------------

    async def start_setup(self, actor: Actor) -> TotpSetup:
        """A new secret to scan; two-factor is on only once a first code confirms it."""
        user_id = require_interactive(actor)
        secret = pyotp.random_base32()
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            if user.totp_enabled_at is not None:
                raise Conflict("two-factor authentication is on already", code="totp_enabled")
            user.totp_pending_secret = self._fernet.encrypt(secret.encode()).decode()
            email = user.email
        uri = pyotp.TOTP(secret).provisioning_uri(name=email, issuer_name=ISSUER)
        buffer = io.BytesIO()
        segno.make(uri, error="m").save(buffer, kind="svg", scale=4, xmldecl=False)
        return TotpSetup(secret=secret, provisioning_uri=uri, qr_svg=buffer.getvalue().decode())

    async def confirm_setup(self, actor: Actor, data: TotpConfirmation) -> RecoveryCodes:
        """Turn two-factor on with a first code; other sessions end; recovery codes issued."""
        user_id = require_interactive(actor)
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            if user.totp_enabled_at is not None:
                raise Conflict("two-factor authentication is on already", code="totp_enabled")
            if user.totp_pending_secret is None:
                raise Conflict("start the set-up first", code="totp_setup_not_started")
            secret = self._decrypt(user.totp_pending_secret)
            step = _matching_step(secret, data.code)
            if step is None:
                raise InvalidInput(
                    "that code is not right; try the current one", code="invalid_totp"
                )
            user.totp_secret = user.totp_pending_secret
            user.totp_pending_secret = None
            user.totp_enabled_at = utcnow()
            user.totp_last_step = step
            codes = await _replace_recovery_codes(uow, user)
            await session_rows.revoke_sessions(
                uow.session, user.id, reason="two_factor_enabled", keep=actor.session_id
            )
        return RecoveryCodes(codes=codes)

    async def disable(self, actor: Actor, data: TotpDisable) -> None:
        """Turn two-factor off: needs the password and a current code (or recovery code)."""
        user_id = require_interactive(actor)
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            if user.totp_enabled_at is None:
                raise Conflict("two-factor authentication is off", code="totp_not_enabled")
            if not await verify_password(user.password_hash, data.password):
                raise NotAuthenticated("the password is wrong", code="invalid_credentials")
            await self._consume(uow, user, data.code)
            user.totp_secret = None
            user.totp_enabled_at = None
            user.totp_last_step = None
            await uow.session.execute(
                update(RecoveryCode)
                .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
                .values(used_at=utcnow())
            )
            await session_rows.revoke_sessions(
                uow.session, user.id, reason="two_factor_disabled", keep=actor.session_id
            )

    async def regenerate_recovery_codes(self, actor: Actor, data: SecondFactor) -> RecoveryCodes:
        """New recovery codes (the old ones stop working); needs a current code."""
        user_id = require_interactive(actor)
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            if user.totp_enabled_at is None:
                raise Conflict("two-factor authentication is off", code="totp_not_enabled")
            await self._consume(uow, user, data.code)
            return RecoveryCodes(codes=await _replace_recovery_codes(uow, user))

    # -- checks used by other use cases --------------------------------------------------

    async def verify_for_user(self, uow: UnitOfWork, user: User, code: str | None) -> None:
        """For sign-in and password reset: pass when two-factor is off, else require a code.

        ``user`` must have been loaded in ``uow`` with a row lock (so that two requests
        cannot both use the same code).
        """
        if user.totp_enabled_at is None:
            return
        if not code:
            raise NotAuthenticated(
                "enter the code from your authenticator app", code="totp_required"
            )
        await self._consume(uow, user, code)

    async def require_step_up(self, actor: Actor, code: str | None) -> None:
        """A fresh second factor for sensitive actions (credential changes, money).

        Users without two-factor pass: the action then relies on the password check it
        already has.
        """
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            await self.verify_for_user(uow, await load_user(uow, user_id, for_update=True), code)

    async def _consume(self, uow: UnitOfWork, user: User, code: str) -> None:
        """Accept a TOTP code never used before, or an unused recovery code, and spend it."""
        assert user.totp_secret is not None
        normalised = _normalise_code(code)
        if normalised.isdigit():
            step = _matching_step(self._decrypt(user.totp_secret), normalised)
            if step is not None and (user.totp_last_step is None or step > user.totp_last_step):
                user.totp_last_step = step
                return
            if step is not None:
                raise NotAuthenticated("that code was used already", code="totp_reused")
            raise NotAuthenticated("that code is not right", code="invalid_totp")
        result = await uow.session.execute(
            update(RecoveryCode)
            .where(
                RecoveryCode.user_id == user.id,
                RecoveryCode.code_hash == token_digest(normalised),
                RecoveryCode.used_at.is_(None),
            )
            .values(used_at=utcnow())
            .execution_options(synchronize_session=False)
        )
        if not result.rowcount:  # type: ignore[attr-defined]
            raise NotAuthenticated("that recovery code is not valid", code="invalid_totp")


def _matching_step(secret: str, code: str) -> int | None:
    """The time step whose code ``code`` is (now, or one step either side), else None."""
    totp = pyotp.TOTP(secret)
    current = int(time.time()) // STEP_SECONDS
    for step in range(current - ACCEPTED_DRIFT_STEPS, current + ACCEPTED_DRIFT_STEPS + 1):
        if secrets.compare_digest(totp.at(step * STEP_SECONDS), _normalise_code(code)):
            return step
    return None


async def _replace_recovery_codes(uow: UnitOfWork, user: User) -> list[str]:
    now = utcnow()
    await uow.session.execute(
        update(RecoveryCode)
        .where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
        .values(used_at=now)
    )
    codes = [_new_recovery_code() for _ in range(RECOVERY_CODE_COUNT)]
    for code in codes:
        uow.session.add(
            RecoveryCode(
                id=uuid.uuid4(),
                user_id=user.id,
                code_hash=token_digest(_normalise_code(code)),
                created_at=now,
            )
        )
    return codes
