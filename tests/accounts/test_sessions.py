"""Sessions: resolving tokens, CSRF, timeouts, listing and revoking."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import update

from openchance import NotAuthenticated, NotFound, OpenChance, PermissionDenied
from openchance.db.types import utcnow
from openchance.models.accounts import AuthSession, SessionKind
from tests.factories.users import create_user, sign_in


class TestAuthenticate:
    async def test_an_unknown_token_is_refused(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated) as raised:
            await oc.accounts.authenticate("ocs_made-up")

        assert raised.value.code == "invalid_session"

    async def test_a_session_idle_too_long_has_ended(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        result = await sign_in(oc, "ada@example.org")
        idle = timedelta(seconds=oc.settings.session_idle_timeout_seconds + 1)
        async with oc.unit_of_work() as uow:
            await uow.session.execute(update(AuthSession).values(last_seen_at=utcnow() - idle))

        with pytest.raises(NotAuthenticated) as raised:
            await oc.accounts.authenticate(result.token)

        assert raised.value.code == "session_expired"

    async def test_a_session_past_its_absolute_lifetime_has_ended(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        result = await sign_in(oc, "ada@example.org")
        async with oc.unit_of_work() as uow:
            await uow.session.execute(
                update(AuthSession).values(expires_at=utcnow() - timedelta(seconds=1))
            )

        with pytest.raises(NotAuthenticated):
            await oc.accounts.authenticate(result.token)


class TestCsrf:
    async def test_a_browser_write_without_the_csrf_token_is_refused(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        result = await sign_in(oc, "ada@example.org", kind=SessionKind.BROWSER)

        with pytest.raises(PermissionDenied) as raised:
            await oc.accounts.authenticate(result.token, unsafe_method=True)

        assert raised.value.code == "csrf_failed"

    async def test_a_browser_write_with_the_csrf_token_passes(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        result = await sign_in(oc, "ada@example.org", kind=SessionKind.BROWSER)

        actor = await oc.accounts.authenticate(
            result.token, csrf_token=result.csrf_token, unsafe_method=True
        )

        assert actor.user_id == result.user.id

    async def test_a_bearer_session_needs_no_csrf_token(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        result = await sign_in(oc, "ada@example.org")

        assert await oc.accounts.authenticate(result.token, unsafe_method=True)


class TestListAndRevoke:
    async def test_lists_your_live_sessions_and_marks_the_current_one(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        first = await sign_in(oc, "ada@example.org")
        second = await sign_in(oc, "ada@example.org")
        actor = await oc.accounts.authenticate(second.token)

        sessions = await oc.accounts.list_sessions(actor)

        assert {s.id for s in sessions} == {first.session.id, second.session.id}
        assert [s.current for s in sessions if s.id == second.session.id] == [True]

    async def test_revoking_a_session_ends_it(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        first = await sign_in(oc, "ada@example.org")
        second = await sign_in(oc, "ada@example.org")
        actor = await oc.accounts.authenticate(second.token)

        await oc.accounts.revoke_session(actor, first.session.id)

        with pytest.raises(NotAuthenticated):
            await oc.accounts.authenticate(first.token)
        assert await oc.accounts.authenticate(second.token)

    async def test_another_users_session_is_not_found(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        await create_user(oc, email="eve@example.org")
        victim = await sign_in(oc, "ada@example.org")
        eve = await oc.accounts.authenticate((await sign_in(oc, "eve@example.org")).token)

        with pytest.raises(NotFound):
            await oc.accounts.revoke_session(eve, victim.session.id)

        assert await oc.accounts.authenticate(victim.token)

    async def test_logout_ends_the_current_session(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        result = await sign_in(oc, "ada@example.org")
        actor = await oc.accounts.authenticate(result.token)

        await oc.accounts.logout(actor)

        with pytest.raises(NotAuthenticated):
            await oc.accounts.authenticate(result.token)


class TestTokenCarriedInACookie:
    async def test_an_api_token_in_a_cookie_is_refused(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        api = await sign_in(oc, "ada@example.org")

        with pytest.raises(NotAuthenticated):
            await oc.accounts.authenticate(api.token, via_cookie=True)

    async def test_a_browser_token_in_a_cookie_is_accepted(self, oc: OpenChance) -> None:
        await create_user(oc, email="ada@example.org")
        browser = await sign_in(oc, "ada@example.org", kind=SessionKind.BROWSER)

        assert await oc.accounts.authenticate(browser.token, via_cookie=True)
