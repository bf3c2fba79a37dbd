"""``/api/v1/challenges/{id}/applications``, ``/api/v1/applications/…`` and
``/api/v1/me/applications``: the use cases through HTTP, errors as problems."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest

from openchance import Actor, OpenChance, Role
from tests.factories.applications import application_data, bid_data, open_challenge
from tests.factories.documents import WINDOWS_EXE, pdf_bytes
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer

Headers = dict[str, str]


class Person:
    def __init__(self, actor: Actor, headers: Headers) -> None:
        self.actor = actor
        self.headers = headers

    @property
    def id(self) -> uuid.UUID:
        assert self.actor.user_id is not None
        return self.actor.user_id


async def someone(oc: OpenChance, name: str, role: Role = Role.USER) -> Person:
    email = f"{name}-{uuid.uuid4().hex[:6]}@example.org"
    user_id = await create_user(oc, email=email, display_name=name.title(), role=role)
    token = (await sign_in(oc, email)).token
    assert token is not None
    return Person(Actor.user(user_id, {role}), bearer(token))


@pytest.fixture
async def chidi(oc: OpenChance) -> Person:
    return await someone(oc, "chidi")


@pytest.fixture
async def sofia(oc: OpenChance) -> Person:
    return await someone(oc, "sofia")


@pytest.fixture
async def challenge_id(oc: OpenChance, chidi: Person) -> uuid.UUID:
    """Chidi's open challenge, a fixed reward of 1500.00 EUR."""
    return (await open_challenge(oc, chidi.actor)).id


async def submit(
    client: httpx.AsyncClient, who: Person, challenge_id: uuid.UUID, **fields: Any
) -> httpx.Response:
    return await client.post(
        f"{API}/challenges/{challenge_id}/applications",
        headers=who.headers,
        json=application_data(**fields),
    )


async def submitted(
    client: httpx.AsyncClient, who: Person, challenge_id: uuid.UUID, **fields: Any
) -> dict[str, Any]:
    response = await submit(client, who, challenge_id, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/problem+json")
    body: dict[str, Any] = response.json()
    return body


class TestApply:
    async def test_an_application_is_created(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        body = await submitted(client, sofia, challenge_id)

        assert body["status"] == "submitted"
        assert body["bid"] == {
            "amount_minor": 120000,
            "currency": "EUR",
            "amount": "1200.00",
            "formatted": "1200.00 EUR",
        }
        assert body["challenge"]["id"] == str(challenge_id)
        assert body["proposal_html"].startswith("<p>I will build a <strong>")

    async def test_anonymous_visitors_must_sign_in(
        self, client: httpx.AsyncClient, challenge_id: uuid.UUID
    ) -> None:
        response = await client.post(
            f"{API}/challenges/{challenge_id}/applications", json=application_data()
        )

        assert problem(response, 401)["code"] == "not_authenticated"

    async def test_without_accepting_the_terms_it_is_refused(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        body = problem(await submit(client, sofia, challenge_id, accept_terms=False), 422)

        assert body["errors"][0]["type"] == "terms_not_accepted"

    async def test_a_bid_out_of_range_is_a_422_with_its_code(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        response = await submit(client, sofia, challenge_id, bid=bid_data("1600.00"))

        assert problem(response, 422)["code"] == "bid_out_of_range"

    async def test_too_many_decimals_are_a_422(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        response = await submit(client, sofia, challenge_id, bid=bid_data("10.001"))

        body = problem(response, 422)
        assert body["errors"][0]["type"] == "too_many_decimals"

    async def test_a_bad_link_is_a_422(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        response = await submit(client, sofia, challenge_id, portfolio_links=["javascript:x"])

        assert problem(response, 422)["errors"][0]["type"] == "invalid_url"

    async def test_a_second_application_is_a_409(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        await submitted(client, sofia, challenge_id)

        assert problem(await submit(client, sofia, challenge_id), 409)["code"] == "already_applied"

    async def test_the_challenger_applying_is_a_403(
        self, client: httpx.AsyncClient, chidi: Person, challenge_id: uuid.UUID
    ) -> None:
        assert problem(await submit(client, chidi, challenge_id), 403)["code"] == "own_challenge"

    async def test_an_unknown_challenge_is_a_404(
        self, client: httpx.AsyncClient, sofia: Person
    ) -> None:
        response = await submit(client, sofia, uuid.uuid4())

        assert problem(response, 404)["code"] == "not_found"


class TestDailyLimitOverHttp:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"applications_per_solver_per_day": 1}

    async def test_past_the_limit_it_is_a_429_with_retry_after(
        self, client: httpx.AsyncClient, oc: OpenChance, chidi: Person, sofia: Person
    ) -> None:
        await submitted(client, sofia, (await open_challenge(oc, chidi.actor)).id)

        response = await submit(client, sofia, (await open_challenge(oc, chidi.actor)).id)

        assert problem(response, 429)["code"] == "daily_application_limit"
        assert int(response.headers["Retry-After"]) > 0


class TestReadAndEdit:
    async def test_both_sides_read_it_and_a_stranger_gets_a_404(
        self, client: httpx.AsyncClient, oc: OpenChance, chidi: Person, sofia: Person,
        challenge_id: uuid.UUID,
    ) -> None:  # fmt: skip
        application = await submitted(client, sofia, challenge_id)
        url = f"{API}/applications/{application['id']}"
        eve = await someone(oc, "eve")

        assert (await client.get(url, headers=sofia.headers)).json()["can_edit"] is True
        assert (await client.get(url, headers=chidi.headers)).json()["can_edit"] is False
        assert problem(await client.get(url, headers=eve.headers), 404)["code"] == "not_found"

    async def test_the_solver_edits_it(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)

        response = await client.patch(
            f"{API}/applications/{application['id']}",
            headers=sofia.headers,
            json={"estimated_days": 30, "bid": bid_data(90_000)},
        )

        assert response.status_code == 200, response.text
        assert (response.json()["estimated_days"], response.json()["bid"]["amount"]) == (
            30,
            "900.00",
        )

    async def test_editing_a_shortlisted_one_is_a_409(
        self, client: httpx.AsyncClient, chidi: Person, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)
        url = f"{API}/applications/{application['id']}"
        await client.post(f"{url}/shortlist", headers=chidi.headers)

        response = await client.patch(url, headers=sofia.headers, json={"estimated_days": 3})

        assert problem(response, 409)["code"] == "application_locked"

    async def test_the_lists_show_it(
        self, client: httpx.AsyncClient, chidi: Person, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)

        theirs = await client.get(
            f"{API}/challenges/{challenge_id}/applications",
            headers=chidi.headers,
            params={"status": "submitted"},
        )
        mine = await client.get(f"{API}/me/applications", headers=sofia.headers)

        assert [item["id"] for item in theirs.json()["items"]] == [application["id"]]
        assert [item["id"] for item in mine.json()["items"]] == [application["id"]]

    async def test_the_solver_may_not_list_the_challenges_applications(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        await submitted(client, sofia, challenge_id)

        response = await client.get(
            f"{API}/challenges/{challenge_id}/applications", headers=sofia.headers
        )

        assert problem(response, 403)["code"] == "not_challenge_owner"


class TestWorkflow:
    async def test_accepting_starts_the_work_and_the_history_shows_every_step(
        self, client: httpx.AsyncClient, chidi: Person, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)
        url = f"{API}/applications/{application['id']}"

        shortlisted = await client.post(f"{url}/shortlist", headers=chidi.headers)
        accepted = await client.post(
            f"{url}/accept", headers=chidi.headers, json={"note": "Welcome aboard."}
        )

        assert shortlisted.json()["status"] == "shortlisted"
        assert accepted.status_code == 200, accepted.text
        assert accepted.json()["challenge"]["status"] == "in_progress"
        history = (await client.get(f"{url}/history", headers=sofia.headers)).json()
        assert [(e["action"], e["note"]) for e in history] == [
            ("submit", ""),
            ("shortlist", ""),
            ("accept", "Welcome aboard."),
        ]

    async def test_accepting_twice_is_a_409(
        self, client: httpx.AsyncClient, chidi: Person, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)
        url = f"{API}/applications/{application['id']}/accept"
        await client.post(url, headers=chidi.headers)

        response = await client.post(url, headers=chidi.headers)

        body = problem(response, 409)
        assert (body["code"], body["from"], body["action"]) == (
            "invalid_transition",
            "accepted",
            "accept",
        )

    async def test_the_solver_shortlisting_is_a_403(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)

        response = await client.post(
            f"{API}/applications/{application['id']}/shortlist", headers=sofia.headers
        )

        assert problem(response, 403)["code"] == "not_challenge_owner"

    async def test_the_challenger_withdrawing_is_a_403(
        self, client: httpx.AsyncClient, chidi: Person, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)

        response = await client.post(
            f"{API}/applications/{application['id']}/withdraw", headers=chidi.headers
        )

        assert problem(response, 403)["code"] == "not_applicant"

    async def test_a_rejection_note_reaches_the_solver(
        self, client: httpx.AsyncClient, chidi: Person, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)

        await client.post(
            f"{API}/applications/{application['id']}/reject",
            headers=chidi.headers,
            json={"note": "We went for R."},
        )

        feed = (await client.get(f"{API}/me/notifications", headers=sofia.headers)).json()
        (notice,) = [n for n in feed["items"] if n["kind"] == "application.rejected"]
        assert notice["body"] == "We went for R."

    async def test_the_solver_withdraws_without_a_body(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)

        response = await client.post(
            f"{API}/applications/{application['id']}/withdraw", headers=sofia.headers
        )

        assert response.json()["status"] == "withdrawn"


class TestAttachments:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"application_attachment_max_bytes": 32 * 1024, "application_attachments_max": 1}

    async def upload(
        self, client: httpx.AsyncClient, who: Person, application_id: str, data: bytes
    ) -> httpx.Response:
        return await client.post(
            f"{API}/applications/{application_id}/attachments",
            headers=who.headers,
            files={"file": ("cv.pdf", data, "application/pdf")},
        )

    async def test_the_solver_attaches_a_file_that_the_challenger_downloads(
        self, client: httpx.AsyncClient, chidi: Person, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)
        pdf = pdf_bytes()

        response = await self.upload(client, sofia, application["id"], pdf)

        assert response.status_code == 201, response.text
        seen = (
            await client.get(f"{API}/applications/{application['id']}", headers=chidi.headers)
        ).json()
        (attachment,) = seen["attachments"]
        assert (attachment["filename"], attachment["content_type"]) == ("cv.pdf", "application/pdf")
        download = await client.get(attachment["download_url"])
        assert download.status_code == 200
        assert download.content == pdf

    async def test_a_program_is_refused(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)

        response = await self.upload(client, sofia, application["id"], WINDOWS_EXE)

        assert problem(response, 422)["code"] == "unsupported_file_type"

    async def test_too_large_a_file_is_refused(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)

        response = await self.upload(client, sofia, application["id"], b"%PDF" + b"0" * 40_000)

        assert problem(response, 422)["code"] == "file_too_large"

    async def test_past_the_count_limit_it_is_a_409(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)
        await self.upload(client, sofia, application["id"], pdf_bytes())

        response = await self.upload(client, sofia, application["id"], pdf_bytes())

        assert problem(response, 409)["code"] == "too_many_attachments"

    async def test_the_challenger_cannot_attach(
        self, client: httpx.AsyncClient, chidi: Person, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)

        response = await self.upload(client, chidi, application["id"], pdf_bytes())

        assert problem(response, 403)["code"] == "not_applicant"

    async def test_the_solver_removes_one(
        self, client: httpx.AsyncClient, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)
        attachment = (await self.upload(client, sofia, application["id"], pdf_bytes())).json()

        response = await client.delete(
            f"{API}/applications/{application['id']}/attachments/{attachment['id']}",
            headers=sofia.headers,
        )

        assert response.status_code == 204
        seen = await client.get(f"{API}/applications/{application['id']}", headers=sofia.headers)
        assert seen.json()["attachments"] == []

    async def test_nothing_is_attached_once_it_is_shortlisted(
        self, client: httpx.AsyncClient, chidi: Person, sofia: Person, challenge_id: uuid.UUID
    ) -> None:
        application = await submitted(client, sofia, challenge_id)
        await client.post(
            f"{API}/applications/{application['id']}/shortlist", headers=chidi.headers
        )

        response = await self.upload(client, sofia, application["id"], pdf_bytes())

        assert problem(response, 409)["code"] == "application_locked"
