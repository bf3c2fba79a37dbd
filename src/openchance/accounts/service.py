"""Self-service account use cases: sign-up, verification, sign-in, sessions, passwords."""

from __future__ import annotations

import contextlib
import hashlib
import logging
import uuid
from datetime import timedelta
from typing import TYPE_CHECKING

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError

from openchance.accounts import sessions as session_rows
from openchance.accounts.deletion import erase_user
from openchance.accounts.emails import normalise_email
from openchance.accounts.events import (
    EmailVerified,
    PasswordChanged,
    UserRegistered,
)
from openchance.accounts.passwords import (
    check_password_strength,
    hash_password,
    needs_rehash,
    verify_password,
)
from openchance.accounts.policy import require_interactive, require_user
from openchance.accounts.repository import load_user
from openchance.accounts.schemas import (
    AccountDeletion,
    EmailVerification,
    Login,
    LoginResult,
    PasswordChange,
    PasswordResetConfirmation,
    PasswordResetRequest,
    PasswordResetRequested,
    PersonalAccessToken,
    PersonalAccessTokenCreate,
    ProfileUpdate,
    PublicUser,
    Registration,
    RegistrationAccepted,
    SessionRead,
    TokenScope,
    UserRead,
)
from openchance.accounts.tokens import EMAIL_TOKEN_PREFIX, digests_match, new_token, token_digest
from openchance.actor import Actor, ClientInfo
from openchance.challenges.invites import claim_email_invites
from openchance.config import Settings
from openchance.db.types import utcnow
from openchance.errors import (
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    RateLimited,
)
from openchance.mail.service import queue_mail
from openchance.models.accounts import (
    AuthSession,
    SessionKind,
    TokenPurpose,
    User,
    UserStatus,
    UserToken,
)
from openchance.moderation.audit import record_audit

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

logger = logging.getLogger("openchance.auth")

LAST_SEEN_PRECISION = timedelta(seconds=60)
RECENT_SIGN_IN = timedelta(minutes=10)
"""A session's last use is written at most this often (not on every request)."""


def _who(email: str) -> str:
    """A short digest of an address for logs: correlates attempts without writing the address."""
    return hashlib.sha256(email.encode()).hexdigest()[:12]


def _human(seconds: int) -> str:
    hours, rest = divmod(seconds, 3600)
    if hours and not rest:
        return f"{hours} hour{'s' if hours != 1 else ''}"
    return f"{max(1, seconds // 60)} minutes"


class AccountService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    @property
    def _settings(self) -> Settings:
        return self._platform.settings

    def _link(self, path: str, token: str) -> str:
        base = str(self._settings.public_base_url).rstrip("/")
        return f"{base}{path}?token={token}"

    # -- sign-up and verification ----------------------------------------------------

    async def register(self, data: Registration, client: ClientInfo) -> RegistrationAccepted:
        """Create an unverified account and e-mail a verification link.

        The answer is the same when the address is taken (the owner gets an e-mail), so
        sign-up cannot be used to find out who has an account.
        """
        await self._platform.rate_limiter.hit(
            self._settings.signups_per_ip, "sign-up", client.ip_address or "local"
        )
        email = normalise_email(data.email)
        check_password_strength(
            data.password, user_inputs=[email, email.partition("@")[0], data.display_name]
        )
        password_hash = await hash_password(data.password)  # also when taken: same timing
        async with self._platform.unit_of_work() as uow:
            existing = await _user_by_email(uow, email)
            if existing is not None:
                await self._mail_account_exists(uow, existing)
                logger.info("sign-up for an existing address", extra={"who": _who(email)})
                return RegistrationAccepted()
            user = User(
                id=uuid.uuid4(),
                email=email,
                password_hash=password_hash,
                password_changed_at=utcnow(),
                display_name=data.display_name,
            )
            uow.session.add(user)
            try:
                await uow.flush()
            except IntegrityError:
                # A concurrent sign-up took the address between our check and insert.
                raise RateLimited("please try again", retry_after=1) from None
            await self._send_verification(uow, user)
            uow.record(UserRegistered(user_id=user.id))
        logger.info("user registered", extra={"user_id": str(user.id), "ip": client.ip_address})
        return RegistrationAccepted()

    async def _send_verification(self, uow: UnitOfWork, user: User) -> None:
        ttl = self._settings.email_verification_ttl_seconds
        token = await _issue_token(uow, user, TokenPurpose.VERIFY_EMAIL, ttl)
        await queue_mail(
            uow,
            to=user.email,
            template="verify_email",
            context={
                "display_name": user.display_name,
                "email": user.email,
                "link": self._link("/verify-email", token),
                "valid_for": _human(ttl),
            },
            key=f"verify_email:{token_digest(token)}",
        )

    async def _mail_account_exists(self, uow: UnitOfWork, user: User) -> None:
        ttl = self._settings.password_reset_ttl_seconds
        token = await _issue_token(uow, user, TokenPurpose.PASSWORD_RESET, ttl)
        await queue_mail(
            uow,
            to=user.email,
            template="account_exists",
            context={"email": user.email, "link": self._link("/reset-password", token)},
            key=f"account_exists:{token_digest(token)}",
        )

    async def verify_email(self, data: EmailVerification) -> UserRead:
        async with self._platform.unit_of_work() as uow:
            token, user = await _redeem_token(uow, data.token, TokenPurpose.VERIFY_EMAIL)
            if user.email_verified_at is None:
                user.email_verified_at = token.used_at
                uow.record(EmailVerified(user_id=user.id))
                await claim_email_invites(uow, user.id, user.email)
            await uow.flush()
            return UserRead.model_validate(user)

    # -- sign-in and sessions ----------------------------------------------------------

    async def login(self, data: Login, client: ClientInfo) -> LoginResult:
        limiter = self._platform.rate_limiter
        settings = self._settings
        await limiter.hit(settings.login_attempts_per_ip, "sign-in", client.ip_address or "local")
        email = normalise_email(data.email)
        locked_for = await limiter.retry_after(
            settings.login_failures_per_account, "sign-in-failures", email
        )
        if locked_for is not None:
            logger.warning("sign-in to a locked account", extra={"who": _who(email)})
            raise RateLimited(
                f"too many failed sign-ins: try again in {locked_for} s",
                retry_after=locked_for,
                code="account_locked",
            )
        async with self._platform.unit_of_work(read_only=True) as uow:
            user = await _user_by_email(uow, email)
        password_hash = user.password_hash if user else None
        if user is None or not await verify_password(password_hash, data.password):
            await self._count_failure(email, user, client)
            raise NotAuthenticated("wrong e-mail or password", code="invalid_credentials")
        if user.status is not UserStatus.ACTIVE:
            logger.warning("sign-in refused: %s", user.status, extra={"user_id": str(user.id)})
            raise PermissionDenied("this account is suspended", code="account_suspended")
        if user.email_verified_at is None:
            raise NotAuthenticated(
                "confirm your e-mail address first: we sent you a link",
                code="email_not_verified",
            )
        try:
            return await self._open_session(user, data, client)
        except NotAuthenticated as refused:
            if refused.code in {"invalid_totp", "totp_reused"}:
                await self._count_failure(email, user, client)
            raise

    async def _open_session(self, user: User, data: Login, client: ClientInfo) -> LoginResult:
        settings = self._settings
        async with self._platform.unit_of_work() as uow:
            fresh = await load_user(uow, user.id, for_update=True)
            await self._platform.two_factor.verify_for_user(uow, fresh, data.totp_code)
            password_hash = fresh.password_hash
            if password_hash and needs_rehash(password_hash):
                fresh.password_hash = await hash_password(data.password)
            fresh.last_login_at = utcnow()
            row, token, csrf_token = session_rows.open_session(
                uow.session, user_id=fresh.id, kind=data.kind, client=client, settings=settings
            )
            await uow.flush()
            result = LoginResult(
                token=token,
                csrf_token=csrf_token,
                session=SessionRead.model_validate(row).model_copy(update={"current": True}),
                user=UserRead.model_validate(fresh),
            )
        logger.info(
            "signed in",
            extra={"user_id": str(user.id), "ip": client.ip_address, "kind": data.kind.value},
        )
        return result

    async def _count_failure(self, email: str, user: User | None, client: ClientInfo) -> None:
        logger.warning("sign-in failed", extra={"who": _who(email), "ip": client.ip_address})
        limit = self._settings.login_failures_per_account
        limiter = self._platform.rate_limiter
        # Counting is keyed by address, so unknown addresses lock the same way (no hint).
        with contextlib.suppress(RateLimited):
            await limiter.hit(limit, "sign-in-failures", email)
        locked_for = await limiter.retry_after(limit, "sign-in-failures", email)
        if locked_for is None:
            return
        if user is not None and await self._platform.cache.add(
            f"lock-mail:{user.id}", b"1", ttl_seconds=locked_for
        ):
            await self._mail_locked(user, locked_for)
        raise RateLimited(
            f"too many failed sign-ins: try again in {locked_for} s",
            retry_after=locked_for,
            code="account_locked",
        )

    async def _mail_locked(self, user: User, retry_after: int) -> None:
        until = utcnow() + timedelta(seconds=retry_after)
        async with self._platform.unit_of_work() as uow:
            token = await _issue_token(
                uow, user, TokenPurpose.PASSWORD_RESET, self._settings.password_reset_ttl_seconds
            )
            await queue_mail(
                uow,
                to=user.email,
                template="account_locked",
                context={
                    "display_name": user.display_name,
                    "locked_until": until.strftime("%Y-%m-%d %H:%M UTC"),
                    "link": self._link("/reset-password", token),
                },
                key=f"account_locked:{user.id}:{until.isoformat(timespec='minutes')}",
            )

    async def authenticate(
        self,
        token: str,
        *,
        csrf_token: str | None = None,
        unsafe_method: bool = False,
        via_cookie: bool = False,
    ) -> Actor:
        """The actor behind a session token; browser sessions must prove CSRF on writes.

        ``via_cookie``: the token came in a cookie. Only browser sessions may travel that
        way (so an API token planted in a cookie cannot skip the CSRF check)."""
        now = utcnow()
        async with self._platform.unit_of_work(read_only=True) as uow:
            row = (
                await uow.session.scalars(
                    select(AuthSession).where(AuthSession.token_hash == token_digest(token))
                )
            ).one_or_none()
            user = await uow.session.get(User, row.user_id) if row is not None else None
        if row is None or user is None:
            raise NotAuthenticated("sign in again", code="invalid_session")
        reason = session_rows.session_expiry_reason(row, self._settings, now)
        if reason is not None:
            raise NotAuthenticated(f"the session has ended ({reason})", code="session_expired")
        if user.status is not UserStatus.ACTIVE:
            raise NotAuthenticated("this account cannot be used", code="account_suspended")
        if via_cookie and row.kind is not SessionKind.BROWSER:
            raise NotAuthenticated("sign in again", code="invalid_session")
        if (
            row.kind is SessionKind.BROWSER
            and unsafe_method
            and not (csrf_token and digests_match(csrf_token, row.csrf_token_hash))
        ):
            raise PermissionDenied("missing or wrong CSRF token", code="csrf_failed")
        scopes: frozenset[str] | None = None
        if row.kind is SessionKind.PERSONAL_ACCESS:
            scopes = frozenset(row.scopes)
            if unsafe_method and TokenScope.WRITE not in scopes:
                raise PermissionDenied(
                    "this token may only read (it lacks the write scope)",
                    code="insufficient_scope",
                )
        if now - row.last_seen_at >= LAST_SEEN_PRECISION:
            async with self._platform.unit_of_work() as uow:
                await uow.session.execute(
                    update(AuthSession)
                    .where(AuthSession.id == row.id)
                    .values(last_seen_at=now)
                    .execution_options(synchronize_session=False)
                )
        return Actor.user(user.id, {user.role}, session_id=row.id, scopes=scopes)

    async def logout(self, actor: Actor) -> None:
        """End the session the actor acts through."""
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            await uow.session.execute(
                update(AuthSession)
                .where(
                    AuthSession.id == actor.session_id,
                    AuthSession.user_id == user_id,
                    AuthSession.revoked_at.is_(None),
                )
                .values(revoked_at=utcnow(), revoked_reason="logout")
                .execution_options(synchronize_session=False)
            )
        logger.info("signed out", extra={"user_id": str(user_id)})

    async def list_sessions(self, actor: Actor) -> list[SessionRead]:
        user_id = require_user(actor)
        now = utcnow()
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = (
                await uow.session.scalars(
                    select(AuthSession)
                    .where(AuthSession.user_id == user_id, AuthSession.revoked_at.is_(None))
                    .order_by(AuthSession.last_seen_at.desc())
                )
            ).all()
        return [
            SessionRead.model_validate(row).model_copy(
                update={"current": row.id == actor.session_id}
            )
            for row in rows
            if session_rows.session_expiry_reason(row, self._settings, now) is None
        ]

    async def revoke_session(self, actor: Actor, session_id: uuid.UUID) -> None:
        """End one of your own sessions (another user's is not found, not forbidden)."""
        user_id = require_interactive(actor)
        async with self._platform.unit_of_work() as uow:
            result = await uow.session.execute(
                update(AuthSession)
                .where(
                    AuthSession.id == session_id,
                    AuthSession.user_id == user_id,
                    AuthSession.revoked_at.is_(None),
                )
                .values(revoked_at=utcnow(), revoked_reason="revoked_by_user")
                .execution_options(synchronize_session=False)
            )
            if not result.rowcount:  # type: ignore[attr-defined]
                raise NotFound("session", session_id)

    # -- passwords ---------------------------------------------------------------------

    async def request_password_reset(
        self, data: PasswordResetRequest, client: ClientInfo
    ) -> PasswordResetRequested:
        """E-mail a reset link if the address has an account; the answer never says."""
        await self._platform.rate_limiter.hit(
            self._settings.password_resets_per_ip, "password-reset", client.ip_address or "local"
        )
        email = normalise_email(data.email)
        async with self._platform.unit_of_work() as uow:
            user = await _user_by_email(uow, email)
            if user is not None and user.status is UserStatus.ACTIVE:
                ttl = self._settings.password_reset_ttl_seconds
                token = await _issue_token(uow, user, TokenPurpose.PASSWORD_RESET, ttl)
                await queue_mail(
                    uow,
                    to=user.email,
                    template="password_reset",
                    context={
                        "display_name": user.display_name,
                        "link": self._link("/reset-password", token),
                        "valid_for": _human(ttl),
                    },
                    key=f"password_reset:{token_digest(token)}",
                )
        logger.info("password reset requested", extra={"who": _who(email)})
        return PasswordResetRequested()

    async def confirm_password_reset(self, data: PasswordResetConfirmation) -> None:
        """Set a new password from an e-mailed token; every session ends."""
        async with self._platform.unit_of_work() as uow:
            token, user = await _redeem_token(uow, data.token, TokenPurpose.PASSWORD_RESET)
            # A reset link proves the mailbox, not the second factor: never a way around it.
            await self._platform.two_factor.verify_for_user(uow, user, data.totp_code)
            check_password_strength(data.new_password, user_inputs=[user.email, user.display_name])
            user.password_hash = await hash_password(data.new_password)
            # The link reached the mailbox: that proves the address too.
            if user.email_verified_at is None:
                user.email_verified_at = token.used_at
                await claim_email_invites(uow, user.id, user.email)
            await self._password_changed(uow, user, keep_session=None)
        logger.info("password reset", extra={"user_id": str(user.id)})

    async def change_password(self, actor: Actor, data: PasswordChange) -> None:
        """Change your password (knowing the current one); your other sessions end."""
        user_id = require_interactive(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            user = await load_user(uow, user_id)
        if not await verify_password(user.password_hash, data.current_password):
            # Counted like a failed sign-in: a stolen session must not become a way to
            # guess the password without limit.
            await self._count_failure(user.email, user, ClientInfo())
            raise NotAuthenticated("the current password is wrong", code="invalid_credentials")
        check_password_strength(data.new_password, user_inputs=[user.email, user.display_name])
        new_hash = await hash_password(data.new_password)
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            user.password_hash = new_hash
            await self._password_changed(uow, user, keep_session=actor.session_id)

    async def _password_changed(
        self, uow: UnitOfWork, user: User, *, keep_session: uuid.UUID | None
    ) -> None:
        now = utcnow()
        user.password_changed_at = now
        await session_rows.revoke_sessions(
            uow.session, user.id, reason="password_changed", keep=keep_session
        )
        await queue_mail(
            uow,
            to=user.email,
            template="password_changed",
            context={
                "display_name": user.display_name,
                "changed_at": now.strftime("%Y-%m-%d %H:%M UTC"),
            },
            key=f"password_changed:{user.id}:{now.isoformat()}",
        )
        uow.record(PasswordChanged(user_id=user.id))

    # -- personal access tokens and deletion ---------------------------------------------

    async def create_personal_access_token(
        self, actor: Actor, data: PersonalAccessTokenCreate, client: ClientInfo
    ) -> PersonalAccessToken:
        """A named, scoped, expiring bearer token for scripts; shown once. It appears in
        your sessions and is revoked like one."""
        user_id = require_interactive(actor)
        async with self._platform.unit_of_work() as uow:
            row, token, _ = session_rows.open_session(
                uow.session,
                user_id=user_id,
                kind=SessionKind.PERSONAL_ACCESS,
                client=client,
                settings=self._settings,
                name=data.name,
                scopes=sorted({scope.value for scope in data.scopes}),
                lifetime=timedelta(days=data.expires_in_days),
            )
            await uow.flush()
            return PersonalAccessToken(token=token, session=SessionRead.model_validate(row))

    async def delete_account(self, actor: Actor, data: AccountDeletion, client: ClientInfo) -> None:
        """Delete your own account after signing in again (password, and a code when
        two-factor is on). Personal data is anonymised; every session ends."""
        user_id = require_interactive(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            user = await load_user(uow, user_id)
        if user.password_hash is not None:
            if not data.password or not await verify_password(user.password_hash, data.password):
                await self._count_failure(user.email, user, client)
                raise NotAuthenticated("the password is wrong", code="invalid_credentials")
        elif not await self._signed_in_recently(actor):
            raise NotAuthenticated(
                "sign in again (less than 10 minutes ago) to delete the account",
                code="reauthentication_required",
            )
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            await self._platform.two_factor.verify_for_user(uow, user, data.totp_code)
            ended = await erase_user(uow, user, reason="deleted by the account holder")
            record_audit(
                uow, actor, "user.delete", target_type="user", target_id=user_id,
                client=client, details={"sessions_ended": ended},
            )  # fmt: skip
        logger.info("account deleted", extra={"user_id": str(user_id)})

    async def _signed_in_recently(self, actor: Actor) -> bool:
        async with self._platform.unit_of_work(read_only=True) as uow:
            row = await uow.session.get(AuthSession, actor.session_id)
        return row is not None and utcnow() - row.created_at <= RECENT_SIGN_IN

    # -- your own account --------------------------------------------------------------

    async def get_me(self, actor: Actor) -> UserRead:
        user_id = require_user(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            return UserRead.model_validate(await load_user(uow, user_id))

    async def update_me(self, actor: Actor, data: ProfileUpdate) -> UserRead:
        user_id = require_user(actor)
        async with self._platform.unit_of_work() as uow:
            user = await load_user(uow, user_id, for_update=True)
            if data.display_name is not None:
                user.display_name = data.display_name
            await uow.flush()
            return UserRead.model_validate(user)

    async def get_public_user(self, actor: Actor, user_id: uuid.UUID) -> PublicUser:
        """What anyone may see of a user; deleted and suspended accounts are not found."""
        del actor  # public information
        async with self._platform.unit_of_work(read_only=True) as uow:
            user = await uow.session.get(User, user_id)
        if user is None or user.status is not UserStatus.ACTIVE:
            raise NotFound("user", user_id)
        return PublicUser.model_validate(user)


# -- shared queries -----------------------------------------------------------------------


async def _user_by_email(uow: UnitOfWork, email: str) -> User | None:
    return (await uow.session.scalars(select(User).where(User.email == email))).one_or_none()


async def _issue_token(uow: UnitOfWork, user: User, purpose: TokenPurpose, ttl: int) -> str:
    now = utcnow()
    token = new_token(EMAIL_TOKEN_PREFIX)
    uow.session.add(
        UserToken(
            id=uuid.uuid4(),
            user_id=user.id,
            purpose=purpose,
            token_hash=token_digest(token),
            created_at=now,
            expires_at=now + timedelta(seconds=ttl),
        )
    )
    return token


async def _redeem_token(
    uow: UnitOfWork, token: str, purpose: TokenPurpose
) -> tuple[UserToken, User]:
    """Mark a single-use token used (locking it, so two redemptions cannot both pass)."""
    row = (
        await uow.session.scalars(
            select(UserToken)
            .where(UserToken.token_hash == token_digest(token), UserToken.purpose == purpose)
            .with_for_update()
        )
    ).one_or_none()
    now = utcnow()
    if row is None:
        raise InvalidInput("this link is not valid", code="invalid_token")
    if row.used_at is not None:
        raise InvalidInput("this link was already used", code="token_used")
    if row.expires_at <= now:
        raise InvalidInput("this link has expired: ask for a new one", code="token_expired")
    user = await load_user(uow, row.user_id, for_update=True)
    if user.status is not UserStatus.ACTIVE:
        raise InvalidInput("this link is not valid", code="invalid_token")
    row.used_at = now
    return row, user
