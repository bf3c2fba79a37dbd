"""``/api/v1/users`` (public profiles) and ``/api/v1/admin/users`` (staff) over HTTP."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI

from openchance import OpenChance, Role
from openchance.moderation.audit import AuditFilter
from tests.factories.users import SYSTEM, create_user, sign_in
from tests.server.accounts import API, bearer, client_at

REASON = {"reason": "spam in every message"}
STAFF_ADDRESS = "203.0.113.5"


async def token_of(oc: OpenChance, role: Role = Role.USER) -> tuple[uuid.UUID, str]:
    """A new user with ``role`` and a bearer token of theirs."""
    email = f"{role.value}-{uuid.uuid4().hex[:8]}@example.org"
    user_id = await create_user(oc, email=email, role=role)
    return user_id, (await sign_in(oc, email)).token


class TestPublicProfile:
    async def test_anyone_sees_the_public_fields(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        user_id = await create_user(oc, email="ada@example.org")

        response = await client.get(f"{API}/users/{user_id}")

        assert response.status_code == 200
        assert set(response.json()) == {"id", "display_name", "created_at"}

    async def test_a_suspended_user_is_not_found(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        user_id = await create_user(oc, email="ada@example.org", suspended=True)

        response = await client.get(f"{API}/users/{user_id}")

        assert response.status_code == 404
        assert response.json()["code"] == "not_found"


class TestListUsers:
    async def test_staff_find_accounts_by_query(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        _, token = await token_of(oc, Role.SUPPORT)
        await create_user(oc, email="ada@example.org")

        response = await client.get(
            f"{API}/admin/users", params={"query": "ada@", "limit": 5}, headers=bearer(token)
        )

        assert response.status_code == 200
        assert [user["email"] for user in response.json()] == ["ada@example.org"]

    async def test_an_unknown_filter_is_422(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        _, token = await token_of(oc, Role.SUPPORT)

        response = await client.get(
            f"{API}/admin/users", params={"colour": "red"}, headers=bearer(token)
        )

        assert response.status_code == 422

    async def test_a_plain_user_is_403(self, oc: OpenChance, client: httpx.AsyncClient) -> None:
        _, token = await token_of(oc)

        response = await client.get(f"{API}/admin/users", headers=bearer(token))

        assert response.status_code == 403

    async def test_an_anonymous_visitor_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/admin/users")

        assert response.status_code == 401


class TestSetRole:
    async def test_a_user_cannot_set_their_own_role(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        user_id, token = await token_of(oc)

        response = await client.post(
            f"{API}/admin/users/{user_id}/role",
            json={"role": "admin", **REASON},
            headers=bearer(token),
        )

        assert response.status_code == 403
        me = await client.get(f"{API}/me", headers=bearer(token))
        assert me.json()["role"] == "user"

    async def test_an_admin_changes_a_role_and_it_is_audited(
        self, oc: OpenChance, app: FastAPI
    ) -> None:
        _, token = await token_of(oc, Role.ADMIN)
        user_id = await create_user(oc, email="ada@example.org")

        async with client_at(app, STAFF_ADDRESS) as client:
            response = await client.post(
                f"{API}/admin/users/{user_id}/role",
                json={"role": "moderator", **REASON},
                headers=bearer(token),
            )

        assert response.status_code == 200
        assert response.json()["role"] == "moderator"
        [entry] = await oc.audit.list_entries(SYSTEM, AuditFilter(action="user.set_role"))
        assert entry.ip_address == STAFF_ADDRESS


class TestSuspend:
    @pytest.fixture
    async def target(self, oc: OpenChance) -> tuple[uuid.UUID, str]:
        user_id = await create_user(oc, email="ada@example.org")
        return user_id, (await sign_in(oc, "ada@example.org")).token

    async def test_a_suspension_ends_the_users_sessions(
        self, oc: OpenChance, client: httpx.AsyncClient, target: tuple[uuid.UUID, str]
    ) -> None:
        _, token = await token_of(oc, Role.MODERATOR)
        user_id, users_token = target

        response = await client.post(
            f"{API}/admin/users/{user_id}/suspend", json=REASON, headers=bearer(token)
        )

        assert response.status_code == 200
        assert response.json()["status"] == "suspended"
        assert response.json()["active_sessions"] == 0
        after = await client.get(f"{API}/me", headers=bearer(users_token))
        assert after.status_code == 401

    async def test_the_audit_entry_has_the_requests_address(
        self, oc: OpenChance, app: FastAPI, target: tuple[uuid.UUID, str]
    ) -> None:
        moderator_id, token = await token_of(oc, Role.MODERATOR)
        user_id, _ = target

        async with client_at(app, STAFF_ADDRESS) as client:
            await client.post(
                f"{API}/admin/users/{user_id}/suspend", json=REASON, headers=bearer(token)
            )

        [entry] = await oc.audit.list_entries(
            SYSTEM, AuditFilter(action="user.suspend", target_id=str(user_id))
        )
        assert entry.ip_address == STAFF_ADDRESS
        assert entry.actor_user_id == moderator_id
        assert entry.reason == REASON["reason"]

    async def test_a_plain_user_cannot_suspend(
        self, oc: OpenChance, client: httpx.AsyncClient, target: tuple[uuid.UUID, str]
    ) -> None:
        _, token = await token_of(oc)
        user_id, _ = target

        response = await client.post(
            f"{API}/admin/users/{user_id}/suspend", json=REASON, headers=bearer(token)
        )

        assert response.status_code == 403

    async def test_unsuspending_restores_the_public_profile(
        self, oc: OpenChance, client: httpx.AsyncClient, target: tuple[uuid.UUID, str]
    ) -> None:
        _, token = await token_of(oc, Role.MODERATOR)
        user_id, _ = target
        await client.post(
            f"{API}/admin/users/{user_id}/suspend", json=REASON, headers=bearer(token)
        )

        response = await client.post(
            f"{API}/admin/users/{user_id}/unsuspend", json=REASON, headers=bearer(token)
        )

        assert response.status_code == 200
        assert response.json()["status"] == "active"
        assert (await client.get(f"{API}/users/{user_id}")).status_code == 200


class TestGetAccount:
    async def test_staff_see_the_account(self, oc: OpenChance, client: httpx.AsyncClient) -> None:
        _, token = await token_of(oc, Role.SUPPORT)
        user_id = await create_user(oc, email="ada@example.org")

        response = await client.get(f"{API}/admin/users/{user_id}", headers=bearer(token))

        assert response.status_code == 200
        assert response.json()["email"] == "ada@example.org"

    async def test_an_unknown_account_is_404(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        _, token = await token_of(oc, Role.SUPPORT)

        response = await client.get(f"{API}/admin/users/{uuid.uuid4()}", headers=bearer(token))

        assert response.status_code == 404
