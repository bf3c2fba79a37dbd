"""The whole self-service path over HTTP, as a client would walk it."""

from __future__ import annotations

import httpx

from openchance import OpenChance
from tests.factories.users import STRONG_PASSWORD, mail_to, token_in
from tests.server.accounts import API, bearer, login


class TestAccountLifecycle:
    async def test_register_verify_sign_in_manage_sessions_and_sign_out(
        self, oc: OpenChance, client: httpx.AsyncClient
    ) -> None:
        registered = await client.post(
            f"{API}/auth/register",
            json={"email": "ada@example.org", "password": STRONG_PASSWORD, "display_name": "Ada"},
        )
        assert registered.status_code == 202
        [mail] = await mail_to(oc, "ada@example.org")
        verified = await client.post(f"{API}/auth/verify-email", json={"token": token_in(mail)})
        assert verified.status_code == 200
        assert verified.json()["email_verified"] is True

        session = await login(client, "ada@example.org")
        other = await login(client, "ada@example.org")
        me = await client.get(f"{API}/me", headers=bearer(session["token"]))
        assert me.status_code == 200
        assert me.json()["email"] == "ada@example.org"

        listed = await client.get(f"{API}/me/sessions", headers=bearer(session["token"]))
        assert listed.status_code == 200
        current = {row["id"]: row["current"] for row in listed.json()}
        assert current == {session["session"]["id"]: True, other["session"]["id"]: False}

        revoked = await client.delete(
            f"{API}/me/sessions/{other['session']['id']}", headers=bearer(session["token"])
        )
        assert revoked.status_code == 204
        assert (await client.get(f"{API}/me", headers=bearer(other["token"]))).status_code == 401

        logged_out = await client.post(f"{API}/auth/logout", headers=bearer(session["token"]))
        assert logged_out.status_code == 204
        after = await client.get(f"{API}/me", headers=bearer(session["token"]))
        assert after.status_code == 401
        assert after.json()["code"] == "session_expired"
