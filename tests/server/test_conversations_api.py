"""``/api/v1/conversations`` and ``/api/v1/me/unread``: what the API answers, and how it
refuses."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from openchance import OpenChance, Role
from tests.factories.documents import WINDOWS_EXE, pdf_bytes
from tests.factories.messaging import ConversationIds, insert_conversation
from tests.factories.users import create_user
from tests.server.accounts import API, bearer, login

MAX_BYTES = 8 * 1024


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"message_attachment_max_bytes": MAX_BYTES}


async def headers_for(
    client: httpx.AsyncClient, oc: OpenChance, name: str, role: Role = Role.USER
) -> tuple[uuid.UUID, dict[str, str]]:
    email = f"{name.lower()}@example.org"
    user_id = await create_user(oc, email=email, display_name=name, role=role)
    return user_id, bearer((await login(client, email))["token"])


@pytest.fixture
async def people(client: httpx.AsyncClient, oc: OpenChance) -> dict[str, Any]:
    grace_id, grace = await headers_for(client, oc, "Grace")
    sam_id, sam = await headers_for(client, oc, "Sam")
    _, nosy = await headers_for(client, oc, "Nosy")
    _, sue = await headers_for(client, oc, "Sue", Role.SUPPORT)
    ids = await insert_conversation(oc, grace_id, sam_id)
    return {"ids": ids, "grace": grace, "sam": sam, "nosy": nosy, "sue": sue}


def url(ids: ConversationIds, tail: str = "") -> str:
    return f"{API}/conversations/{ids.conversation_id}{tail}"


async def post(
    client: httpx.AsyncClient, people: dict[str, Any], who: str, body: Any
) -> httpx.Response:
    return await client.post(url(people["ids"], "/messages"), headers=people[who], json=body)


class TestListConversations:
    async def test_a_participant_gets_theirs_with_unread(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        await post(client, people, "sam", {"body": "Hello"})

        response = await client.get(f"{API}/conversations", headers=people["grace"])

        assert response.status_code == 200, response.text
        (item,) = response.json()["items"]
        assert (item["id"], item["unread"]) == (str(people["ids"].conversation_id), 1)
        assert item["last_message"]["preview"] == "Hello"

    async def test_a_stranger_gets_an_empty_list(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await client.get(f"{API}/conversations", headers=people["nosy"])
        assert response.json()["items"] == []

    @pytest.mark.parametrize("limit", [0, 1000])
    async def test_a_limit_out_of_range_is_422(
        self, client: httpx.AsyncClient, people: dict[str, Any], limit: int
    ) -> None:
        response = await client.get(
            f"{API}/conversations", params={"limit": limit}, headers=people["sam"]
        )
        assert response.status_code == 422

    async def test_anonymous_callers_get_401(self, client: httpx.AsyncClient) -> None:
        assert (await client.get(f"{API}/conversations")).status_code == 401


class TestGetConversation:
    async def test_a_participant_gets_it(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await client.get(url(people["ids"]), headers=people["sam"])
        assert response.json()["viewer_role"] == "solver"

    async def test_a_stranger_gets_404(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await client.get(url(people["ids"]), headers=people["nosy"])
        assert (response.status_code, response.json()["code"]) == (404, "not_found")


class TestListMessages:
    async def test_pages_follow_after(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        for n in range(3):
            await post(client, people, "sam", {"body": f"m{n}"})

        response = await client.get(
            url(people["ids"], "/messages"), params={"after": 1}, headers=people["grace"]
        )

        assert [m["seq"] for m in response.json()["items"]] == [2, 3]

    async def test_before_and_after_together_are_422(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await client.get(
            url(people["ids"], "/messages"),
            params={"after": 1, "before": 3},
            headers=people["sam"],
        )
        assert (response.status_code, response.json()["code"]) == (422, "invalid_input")

    async def test_a_stranger_gets_404(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await client.get(url(people["ids"], "/messages"), headers=people["nosy"])
        assert response.status_code == 404


class TestPostMessage:
    async def test_a_new_message_is_201_and_a_resend_200_with_the_same_message(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        first = await post(client, people, "sam", {"body": "Once", "client_id": "c-1"})
        again = await post(client, people, "sam", {"body": "Once", "client_id": "c-1"})

        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json() == first.json()
        assert first.json()["attachments"] == []

    @pytest.mark.parametrize(
        "body",
        [{"body": ""}, {"body": "a" * 10_001}, {"body": "hi", "client_id": "not ok"}, {}],
    )
    async def test_bad_input_is_422(
        self, client: httpx.AsyncClient, people: dict[str, Any], body: dict[str, Any]
    ) -> None:
        response = await post(client, people, "sam", body)
        assert (response.status_code, response.json()["code"]) == (422, "invalid_input")

    async def test_a_stranger_gets_404(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        assert (await post(client, people, "nosy", {"body": "hi"})).status_code == 404

    async def test_staff_who_have_not_joined_get_403(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await post(client, people, "sue", {"body": "hi"})
        assert (response.status_code, response.json()["code"]) == (403, "not_a_participant")


class TestPostMessageWithAttachments:
    async def send(
        self,
        client: httpx.AsyncClient,
        people: dict[str, Any],
        files: list[tuple[str, bytes]],
        data: dict[str, str] | None = None,
    ) -> httpx.Response:
        return await client.post(
            url(people["ids"], "/attachments"),
            headers=people["sam"],
            data=data or {},
            files=[
                ("file", (name, content, "application/octet-stream")) for name, content in files
            ],
        )

    async def test_files_and_a_body_make_one_message(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await self.send(
            client, people, [("brief.pdf", pdf_bytes()), ("notes.txt", b"notes")], {"body": "See"}
        )

        assert response.status_code == 201, response.text
        body = response.json()
        assert body["body"] == "See"
        assert [a["content_type"] for a in body["attachments"]] == [
            "application/pdf",
            "text/plain",
        ]

    async def test_a_resend_is_200(self, client: httpx.AsyncClient, people: dict[str, Any]) -> None:
        files = [("brief.pdf", pdf_bytes())]
        first = await self.send(client, people, files, {"client_id": "f-1"})
        again = await self.send(client, people, files, {"client_id": "f-1"})
        assert (first.status_code, again.status_code) == (201, 200)
        assert again.json()["id"] == first.json()["id"]

    async def test_a_disallowed_type_is_422(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await self.send(client, people, [("brief.pdf", WINDOWS_EXE)])
        assert (response.status_code, response.json()["code"]) == (422, "unsupported_file_type")

    async def test_too_large_a_file_is_422(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await self.send(client, people, [("big.txt", b"a" * (MAX_BYTES + 1))])
        assert (response.status_code, response.json()["code"]) == (422, "file_too_large")

    async def test_no_file_and_no_body_is_422(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await self.send(client, people, [], {"body": "  "})
        assert (response.status_code, response.json()["code"]) == (422, "empty_message")


class TestMarkRead:
    async def test_it_answers_what_is_still_unread(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        for n in range(2):
            await post(client, people, "sam", {"body": f"m{n}"})

        response = await client.post(
            url(people["ids"], "/read"), json={"seq": 1}, headers=people["grace"]
        )
        unread = await client.get(f"{API}/me/unread", headers=people["grace"])

        assert response.json() == {
            "conversation_id": str(people["ids"].conversation_id),
            "unread": 1,
        }
        assert unread.json()["total"] == 1

    async def test_a_stranger_gets_404(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await client.post(
            url(people["ids"], "/read"), json={"seq": 1}, headers=people["nosy"]
        )
        assert response.status_code == 404


class TestJoin:
    async def test_support_joins_and_may_post(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        joined = await client.post(url(people["ids"], "/join"), headers=people["sue"])
        posted = await post(client, people, "sue", {"body": "Support here"})

        assert (joined.status_code, joined.json()["viewer_role"]) == (200, "staff")
        assert posted.status_code == 201

    async def test_a_plain_participant_gets_403(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await client.post(url(people["ids"], "/join"), headers=people["sam"])
        assert (response.status_code, response.json()["code"]) == (403, "staff_only")

    async def test_a_stranger_gets_404(
        self, client: httpx.AsyncClient, people: dict[str, Any]
    ) -> None:
        response = await client.post(url(people["ids"], "/join"), headers=people["nosy"])
        assert response.status_code == 404
