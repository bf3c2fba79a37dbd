"""``/api/v1/challenges/{id}/invites`` and ``/api/v1/me/invites``."""

from __future__ import annotations

import uuid

import httpx
import pytest

from openchance import OpenChance, Role
from openchance.models.challenges import Visibility
from tests.factories.challenges import insert_challenge
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer


async def _token(oc: OpenChance, email: str) -> str:
    token = (await sign_in(oc, email)).token
    assert token is not None
    return token


@pytest.fixture
async def owner_id(oc: OpenChance) -> uuid.UUID:
    return await create_user(oc, email="owner@example.org", display_name="Olive Owner")


@pytest.fixture
async def solver_id(oc: OpenChance) -> uuid.UUID:
    return await create_user(oc, email="solver@example.org", display_name="Sol Solver")


@pytest.fixture
async def owner(oc: OpenChance, owner_id: uuid.UUID) -> dict[str, str]:
    return bearer(await _token(oc, "owner@example.org"))


@pytest.fixture
async def solver(oc: OpenChance, solver_id: uuid.UUID) -> dict[str, str]:
    return bearer(await _token(oc, "solver@example.org"))


@pytest.fixture
async def challenge_id(oc: OpenChance, owner_id: uuid.UUID) -> uuid.UUID:
    return await insert_challenge(
        oc, owner_id, visibility=Visibility.PRIVATE, title="Secret recipe"
    )


def _invites(challenge_id: uuid.UUID) -> str:
    return f"{API}/challenges/{challenge_id}/invites"


class TestInvite:
    async def test_invites_a_user_by_id(
        self,
        client: httpx.AsyncClient,
        owner: dict[str, str],
        solver_id: uuid.UUID,
        challenge_id: uuid.UUID,
    ) -> None:
        response = await client.post(
            _invites(challenge_id), headers=owner, json={"user_id": str(solver_id)}
        )

        assert response.status_code == 201
        body = response.json()
        assert body["user_id"] == str(solver_id)
        assert body["display_name"] == "Sol Solver"
        assert body["status"] == "pending"

    async def test_invites_an_address(
        self, client: httpx.AsyncClient, owner: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await client.post(
            _invites(challenge_id), headers=owner, json={"email": "New@Example.org"}
        )

        assert response.status_code == 201
        assert response.json()["email"] == "new@example.org"
        assert response.json()["user_id"] is None

    async def test_both_or_neither_invitee_is_422(
        self,
        client: httpx.AsyncClient,
        owner: dict[str, str],
        solver_id: uuid.UUID,
        challenge_id: uuid.UUID,
    ) -> None:
        both = await client.post(
            _invites(challenge_id),
            headers=owner,
            json={"user_id": str(solver_id), "email": "x@example.org"},
        )
        neither = await client.post(_invites(challenge_id), headers=owner, json={})

        assert both.status_code == neither.status_code == 422

    async def test_a_malformed_address_is_422(
        self, client: httpx.AsyncClient, owner: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await client.post(
            _invites(challenge_id), headers=owner, json={"email": "not an address"}
        )

        assert response.status_code == 422
        assert response.json()["code"] == "invalid_email"

    async def test_a_public_challenge_is_409(
        self,
        client: httpx.AsyncClient,
        oc: OpenChance,
        owner: dict[str, str],
        owner_id: uuid.UUID,
        solver_id: uuid.UUID,
    ) -> None:
        public_id = await insert_challenge(oc, owner_id)

        response = await client.post(
            _invites(public_id), headers=owner, json={"user_id": str(solver_id)}
        )

        assert response.status_code == 409
        assert response.json()["code"] == "challenge_not_private"

    async def test_someone_who_cannot_see_it_gets_404(
        self,
        client: httpx.AsyncClient,
        solver: dict[str, str],
        solver_id: uuid.UUID,
        challenge_id: uuid.UUID,
    ) -> None:
        response = await client.post(
            _invites(challenge_id), headers=solver, json={"user_id": str(solver_id)}
        )

        assert response.status_code == 404

    async def test_without_credentials_it_is_401(
        self, client: httpx.AsyncClient, solver_id: uuid.UUID, challenge_id: uuid.UUID
    ) -> None:
        response = await client.post(_invites(challenge_id), json={"user_id": str(solver_id)})

        assert response.status_code == 401


class TestListInvites:
    async def test_the_challenger_lists_them(
        self,
        client: httpx.AsyncClient,
        owner: dict[str, str],
        solver_id: uuid.UUID,
        challenge_id: uuid.UUID,
    ) -> None:
        await client.post(_invites(challenge_id), headers=owner, json={"user_id": str(solver_id)})

        response = await client.get(_invites(challenge_id), headers=owner)

        assert response.status_code == 200
        assert [item["user_id"] for item in response.json()] == [str(solver_id)]

    async def test_staff_list_them(
        self, client: httpx.AsyncClient, oc: OpenChance, challenge_id: uuid.UUID
    ) -> None:
        await create_user(oc, email="mod@example.org", role=Role.MODERATOR)

        response = await client.get(
            _invites(challenge_id), headers=bearer(await _token(oc, "mod@example.org"))
        )

        assert response.status_code == 200
        assert response.json() == []

    async def test_an_invitee_gets_403(
        self,
        client: httpx.AsyncClient,
        owner: dict[str, str],
        solver: dict[str, str],
        solver_id: uuid.UUID,
        challenge_id: uuid.UUID,
    ) -> None:
        await client.post(_invites(challenge_id), headers=owner, json={"user_id": str(solver_id)})

        response = await client.get(_invites(challenge_id), headers=solver)

        assert response.status_code == 403
        assert response.json()["code"] == "not_challenge_owner"


class TestRevokeInvite:
    async def test_the_challenger_revokes(
        self,
        client: httpx.AsyncClient,
        owner: dict[str, str],
        solver: dict[str, str],
        solver_id: uuid.UUID,
        challenge_id: uuid.UUID,
    ) -> None:
        invite = await client.post(
            _invites(challenge_id), headers=owner, json={"user_id": str(solver_id)}
        )

        response = await client.delete(
            f"{_invites(challenge_id)}/{invite.json()['id']}", headers=owner
        )

        assert response.status_code == 204
        assert (await client.get(f"{API}/me/invites", headers=solver)).json() == []

    async def test_an_unknown_invitation_is_404(
        self, client: httpx.AsyncClient, owner: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await client.delete(f"{_invites(challenge_id)}/{uuid.uuid4()}", headers=owner)

        assert response.status_code == 404


class TestDeclineAndMyInvites:
    async def test_the_invitee_sees_and_declines_the_invitation(
        self,
        client: httpx.AsyncClient,
        owner: dict[str, str],
        solver: dict[str, str],
        solver_id: uuid.UUID,
        challenge_id: uuid.UUID,
    ) -> None:
        await client.post(_invites(challenge_id), headers=owner, json={"user_id": str(solver_id)})
        mine = await client.get(f"{API}/me/invites", headers=solver)
        assert [item["challenge_title"] for item in mine.json()] == ["Secret recipe"]

        response = await client.post(f"{_invites(challenge_id)}/decline", headers=solver)

        assert response.status_code == 204
        assert (await client.get(f"{API}/me/invites", headers=solver)).json() == []

    async def test_declining_without_an_invitation_is_404(
        self, client: httpx.AsyncClient, solver: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await client.post(f"{_invites(challenge_id)}/decline", headers=solver)

        assert response.status_code == 404
