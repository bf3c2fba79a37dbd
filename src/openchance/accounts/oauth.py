"""Sign-in with Google, GitHub and LinkedIn: ``oc.oauth``.

- A known (provider, subject) identity signs in to its account. With TOTP on, the callback
  answers ``totp_required`` with a single-use ``pending_token`` for ``finish_sign_in``.
- An unknown identity creates a verified account without a password, only when the
  provider vouches for the address. If an account already has that address nothing is
  linked (``oauth_link_requires_sign_in``): its owner signs in and links from there.
- Linking needs a signed-in, interactive session and a provider-verified address.
- Unlinking keeps at least one way to sign in (a password or another identity).
"""

from __future__ import annotations

import contextlib
import logging
import secrets
import uuid
from typing import TYPE_CHECKING

from openchance.accounts import sessions as session_rows
from openchance.accounts.oauth_attempts import Attempt, AttemptStore, PendingSignIn
from openchance.accounts.oauth_identities import (
    create_account,
    find_identity,
    link_identity,
    list_identities,
    load_active_user,
    unlink_identity,
)
from openchance.accounts.oauth_providers import (
    AuthorizationRequest,
    ExternalProfile,
    SignInProvider,
)
from openchance.accounts.oauth_registry import ProviderDisabled, configured_providers
from openchance.accounts.oauth_schemas import (
    IdentityRead,
    OAuthAuthorization,
    OAuthCallback,
    OAuthMode,
    OAuthOutcome,
    OAuthSignInFinish,
    OAuthStart,
)
from openchance.accounts.policy import require_interactive
from openchance.accounts.schemas import LoginResult, SessionRead, UserRead
from openchance.accounts.tokens import digests_match, new_token, token_digest
from openchance.actor import Actor, ClientInfo
from openchance.db.types import utcnow
from openchance.errors import InvalidInput, NotAuthenticated, RateLimited
from openchance.models.accounts import AuthSession, SessionKind, User
from openchance.models.oauth import OAuthProvider

if TYPE_CHECKING:
    from openchance.db.uow import UnitOfWork
    from openchance.platform import OpenChance

logger = logging.getLogger("openchance.auth")

BINDING_PREFIX = "ocb_"
PENDING_PREFIX = "ocp_"


class OAuthService:
    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform
        self._providers = configured_providers(platform.settings)

    @property
    def _store(self) -> AttemptStore:
        settings = self._platform.settings
        return AttemptStore(self._platform.cache, settings.oauth_state_ttl_seconds)

    def enabled_providers(self) -> list[OAuthProvider]:
        return list(self._providers)

    def _provider(self, name: OAuthProvider) -> SignInProvider:
        provider = self._providers.get(name)
        if provider is None:
            raise ProviderDisabled(name)
        return provider

    # -- the round trip ----------------------------------------------------------------

    async def start(
        self,
        actor: Actor,
        data: OAuthStart,
        client: ClientInfo,
        browser_binding: str | None = None,
    ) -> OAuthAuthorization:
        """Where to send the browser; the attempt is remembered server-side, once."""
        provider = self._provider(data.provider)
        await self._platform.rate_limiter.hit(
            self._platform.settings.login_attempts_per_ip,
            "oauth-start",
            client.ip_address or "local",
        )
        link_user_id = require_interactive(actor) if data.mode is OAuthMode.LINK else None
        binding = browser_binding or new_token(BINDING_PREFIX)
        request = AuthorizationRequest(
            state=secrets.token_urlsafe(32),
            nonce=secrets.token_urlsafe(32),
            code_verifier=secrets.token_urlsafe(64),  # 86 characters (RFC 7636: 43-128)
            redirect_uri=data.redirect_uri,
        )
        url = await provider.authorization_url(request)
        attempt = Attempt(
            provider=data.provider,
            nonce=request.nonce,
            code_verifier=request.code_verifier,
            redirect_uri=data.redirect_uri,
            next_path=data.next_path,
            binding_digest=token_digest(binding),
            kind=data.kind,
            link_user_id=link_user_id,
            link_session_id=actor.session_id if link_user_id else None,
        )
        await self._store.save_attempt(request.state, attempt)
        return OAuthAuthorization(url=url, browser_binding=binding)

    async def complete(self, data: OAuthCallback, client: ClientInfo) -> OAuthOutcome:
        """Check the state, trade the code for the verified profile, then sign in or link."""
        settings = self._platform.settings
        await self._platform.rate_limiter.hit(
            settings.login_attempts_per_ip, "sign-in", client.ip_address or "local"
        )
        attempt = await self._store.take_attempt(data.state)
        if (
            attempt is None
            or attempt.provider is not data.provider
            or not data.browser_binding
            or not digests_match(data.browser_binding, attempt.binding_digest)
        ):
            logger.warning(
                "OAuth callback refused: unknown, used or foreign state",
                extra={"provider": data.provider.value, "ip": client.ip_address},
            )
            raise InvalidInput(
                "this sign-in is not valid (expired, used, or started in another browser): "
                "start again",
                code="oauth_invalid_state",
            )
        if data.error is not None:
            reason = "".join(c for c in data.error[:40] if c.isalnum() or c == "_")
            raise NotAuthenticated(
                f"{data.provider} did not sign you in ({reason})", code="oauth_denied"
            )
        if not data.code:
            raise InvalidInput("the provider sent no code", code="oauth_invalid_callback")
        request = AuthorizationRequest(
            state=data.state,
            nonce=attempt.nonce,
            code_verifier=attempt.code_verifier,
            redirect_uri=attempt.redirect_uri,
        )
        profile = await self._provider(data.provider).fetch_profile(data.code, request)
        if attempt.link_user_id is not None:
            return await self._link(attempt, attempt.link_user_id, profile, client)
        return await self._sign_in(attempt, profile, client)

    # -- signing in --------------------------------------------------------------------

    async def _sign_in(
        self, attempt: Attempt, profile: ExternalProfile, client: ClientInfo
    ) -> OAuthOutcome:
        provider, login, created = attempt.provider, None, False
        async with self._platform.unit_of_work() as uow:
            identity = await find_identity(uow, provider, profile.subject)
            if identity is None:
                user = await create_account(uow, provider, profile)
                created = True
            else:
                user = await load_active_user(uow, identity.user_id)
                identity.last_used_at = utcnow()
                identity.email = profile.email
            if user.totp_enabled_at is None:
                login = await self._open_session(uow, user, attempt.kind, client)
        extra = {"user_id": str(user.id), "provider": provider.value, "ip": client.ip_address}
        if login is None:
            token = new_token(PENDING_PREFIX)
            pending = PendingSignIn(
                user_id=user.id,
                provider=provider,
                kind=attempt.kind,
                next_path=attempt.next_path,
                binding_digest=attempt.binding_digest,
            )
            await self._store.save_pending(token, pending)
            logger.info("OAuth sign-in waits for a two-factor code", extra=extra)
            raise NotAuthenticated(
                "enter the code from your authenticator app",
                code="totp_required",
                pending_token=token,
            )
        logger.info("signed in with %s", provider, extra={**extra, "created": created})
        return OAuthOutcome(
            mode=OAuthMode.SIGN_IN,
            next_path=attempt.next_path,
            login=login,
            created_account=created,
        )

    async def _open_session(
        self, uow: UnitOfWork, user: User, kind: SessionKind, client: ClientInfo
    ) -> LoginResult:
        user.last_login_at = utcnow()
        row, token, csrf_token = session_rows.open_session(
            uow.session, user_id=user.id, kind=kind, client=client, settings=self._platform.settings
        )
        await uow.flush()
        return LoginResult(
            token=token,
            csrf_token=csrf_token,
            session=SessionRead.model_validate(row).model_copy(update={"current": True}),
            user=UserRead.model_validate(user),
        )

    async def finish_sign_in(
        self, data: OAuthSignInFinish, client: ClientInfo, browser_binding: str | None
    ) -> LoginResult:
        """Trade a pending sign-in and a two-factor code for the session, in the browser that
        started it. The pending token works once, whatever the outcome."""
        settings, limiter = self._platform.settings, self._platform.rate_limiter
        await limiter.hit(settings.login_attempts_per_ip, "sign-in", client.ip_address or "local")
        pending = await self._store.take_pending(data.pending_token)
        if pending is None or not (
            browser_binding and digests_match(browser_binding, pending.binding_digest)
        ):
            raise NotAuthenticated(
                "this sign-in has expired or was used: start again", code="oauth_pending_invalid"
            )
        async with self._platform.unit_of_work(read_only=True) as uow:
            email = (await load_active_user(uow, pending.user_id, lock=False)).email
        failures = settings.login_failures_per_account
        locked_for = await limiter.retry_after(failures, "sign-in-failures", email)
        if locked_for is not None:
            raise RateLimited(
                f"too many failed sign-ins: try again in {locked_for} s",
                retry_after=locked_for,
                code="account_locked",
            )
        try:
            async with self._platform.unit_of_work() as uow:
                user = await load_active_user(uow, pending.user_id)
                await self._platform.two_factor.verify_for_user(uow, user, data.totp_code)
                login = await self._open_session(uow, user, pending.kind, client)
        except NotAuthenticated:
            with contextlib.suppress(RateLimited):  # counted with password sign-in failures
                await limiter.hit(failures, "sign-in-failures", email)
            raise
        logger.info(
            "signed in with %s and a second factor",
            pending.provider,
            extra={"user_id": str(pending.user_id), "ip": client.ip_address},
        )
        return login

    # -- linking and unlinking -----------------------------------------------------------

    async def _link(
        self, attempt: Attempt, user_id: uuid.UUID, profile: ExternalProfile, client: ClientInfo
    ) -> OAuthOutcome:
        async with self._platform.unit_of_work() as uow:
            user = await load_active_user(uow, user_id)
            await self._require_live_session(uow, user.id, attempt.link_session_id)
            identity = await link_identity(uow, user, attempt.provider, profile, client)
            linked = IdentityRead.model_validate(identity)
        logger.info("linked %s", attempt.provider, extra={"user_id": str(user_id)})
        return OAuthOutcome(mode=OAuthMode.LINK, next_path=attempt.next_path, identity=linked)

    async def _require_live_session(
        self, uow: UnitOfWork, user_id: uuid.UUID, session_id: uuid.UUID | None
    ) -> None:
        row = await uow.session.get(AuthSession, session_id) if session_id else None
        settings = self._platform.settings
        if (
            row is None
            or row.user_id != user_id
            or session_rows.session_expiry_reason(row, settings, utcnow()) is not None
        ):
            raise NotAuthenticated(
                "the session that asked to link has ended: sign in and link again",
                code="session_expired",
            )

    async def list_identities(self, actor: Actor) -> list[IdentityRead]:
        """The provider accounts that sign in to yours, oldest first."""
        user_id = require_interactive(actor)
        async with self._platform.unit_of_work(read_only=True) as uow:
            rows = await list_identities(uow, user_id)
            return [IdentityRead.model_validate(row) for row in rows]

    async def unlink(self, actor: Actor, identity_id: uuid.UUID, client: ClientInfo) -> None:
        """Remove a provider account from yours, unless it is your last way to sign in."""
        user_id = require_interactive(actor)
        async with self._platform.unit_of_work() as uow:
            provider = await unlink_identity(uow, actor, user_id, identity_id, client)
        logger.info("unlinked %s", provider, extra={"user_id": str(user_id)})
