"""``/api/v1/challenges/…``, ``/api/v1/me/challenges`` and ``/api/v1/admin/challenges``."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

import httpx
import pytest

from openchance import OpenChance, Role
from openchance.db.types import utcnow
from openchance.models.challenges import ChallengeStatus
from tests.challenges.drafting import challenge_data, set_columns
from tests.factories.users import create_user, sign_in
from tests.server.accounts import API, bearer

Headers = dict[str, str]


async def headers_for(oc: OpenChance, name: str, role: Role = Role.USER) -> Headers:
    email = f"{name}@example.org"
    await create_user(oc, email=email, display_name=name.title(), role=role)
    token = (await sign_in(oc, email)).token
    assert token is not None
    return bearer(token)


@pytest.fixture
async def ada(oc: OpenChance) -> Headers:
    return await headers_for(oc, "ada")


@pytest.fixture
async def bob(oc: OpenChance) -> Headers:
    return await headers_for(oc, "bob")


@pytest.fixture
async def moderator(oc: OpenChance) -> Headers:
    return await headers_for(oc, "mod", Role.MODERATOR)


async def create(client: httpx.AsyncClient, headers: Headers, **fields: Any) -> dict[str, Any]:
    response = await client.post(
        f"{API}/challenges", headers=headers, json=challenge_data(**fields)
    )
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def published(
    client: httpx.AsyncClient, owner: Headers, moderator: Headers, **fields: Any
) -> dict[str, Any]:
    challenge = await create(client, owner, **fields)
    submitted = await client.post(f"{API}/challenges/{challenge['id']}/submit", headers=owner)
    assert submitted.json()["status"] == "pending_review", submitted.text
    approved = await client.post(f"{API}/challenges/{challenge['id']}/approve", headers=moderator)
    assert approved.status_code == 200, approved.text
    body: dict[str, Any] = approved.json()
    return body


def field_error(response: httpx.Response) -> tuple[list[Any], str]:
    """The first invalid field of a 422 problem: its location and its rule."""
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["code"] == "invalid_input"
    first = problem["errors"][0]
    return first["loc"], first["type"]


def fixed(amount: Any = "1500.00", currency: str = "EUR", key: str = "amount") -> dict[str, Any]:
    return {"kind": "fixed", "currency": currency, key: amount}


class TestCreate:
    async def test_a_draft_is_created(self, client: httpx.AsyncClient, ada: Headers) -> None:
        response = await client.post(f"{API}/challenges", headers=ada, json=challenge_data())

        assert response.status_code == 201
        body = response.json()
        assert body["status"] == "draft"
        assert body["reward"]["min"] == {
            "amount_minor": 150000,
            "currency": "EUR",
            "amount": "1500.00",
            "formatted": "1500.00 EUR",
        }
        assert body["owner"]["display_name"] == "Ada"
        assert body["can_edit"] is True

    async def test_without_credentials_it_is_401(self, client: httpx.AsyncClient) -> None:
        response = await client.post(f"{API}/challenges", json=challenge_data())

        assert response.status_code == 401

    @pytest.mark.parametrize(
        ("reward", "loc", "rule"),
        [
            (fixed("-10.00"), ["body", "reward", "fixed", "amount"], "amount_not_positive"),
            (fixed(0, key="amount_minor"), ["body", "reward", "fixed", "amount_minor"],
             "amount_not_positive"),
            (fixed("12.345"), ["body", "reward", "fixed", "amount"], "too_many_decimals"),
            (fixed("10", currency="ZZZ"), ["body", "reward", "fixed", "currency"],
             "unknown_currency"),
            ({"kind": "range", "currency": "EUR", "min": "900", "max": "100"},
             ["body", "reward", "range"], "range_inverted"),
            ({"kind": "milestones", "currency": "EUR", "total": "300.00",
              "milestones": [{"title": "a", "amount": "100"}, {"title": "b", "amount": "100"}]},
             ["body", "reward", "milestones"], "milestones_total_mismatch"),
            ({"kind": "milestones", "currency": "EUR",
              "milestones": [{"title": "a", "amount_minor": -1}]},
             ["body", "reward", "milestones", "milestones", 0, "amount_minor"],
             "amount_not_positive"),
            ({"kind": "lottery", "currency": "EUR"}, ["body", "reward"], "union_tag_invalid"),
        ],
    )  # fmt: skip
    async def test_a_bad_reward_is_422_with_its_rule(
        self,
        client: httpx.AsyncClient,
        ada: Headers,
        reward: dict[str, Any],
        loc: list[Any],
        rule: str,
    ) -> None:
        response = await client.post(
            f"{API}/challenges", headers=ada, json=challenge_data(reward=reward)
        )

        assert field_error(response) == (loc, rule)

    async def test_a_deadline_in_the_past_is_422(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        past = (utcnow() - timedelta(days=1)).isoformat()

        response = await client.post(
            f"{API}/challenges", headers=ada, json=challenge_data(deadline=past)
        )

        assert field_error(response) == (["body", "deadline"], "deadline_in_past")

    async def test_a_deadline_without_a_time_zone_is_422(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        naive = datetime(2099, 1, 1, 12, 0).isoformat()

        response = await client.post(
            f"{API}/challenges", headers=ada, json=challenge_data(deadline=naive)
        )

        assert field_error(response) == (["body", "deadline"], "timezone_aware")

    async def test_a_ten_kilobyte_title_is_422_and_not_echoed(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        response = await client.post(
            f"{API}/challenges", headers=ada, json=challenge_data(title="T" * 10_240)
        )

        assert field_error(response) == (["body", "title"], "string_too_long")
        assert "T" * 300 not in response.text

    async def test_a_prize_split_that_does_not_add_up_is_422(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        response = await client.post(
            f"{API}/challenges",
            headers=ada,
            json=challenge_data(winners=2, prize_split=[80, 30]),
        )

        assert field_error(response)[1] == "prize_split_sum"

    async def test_an_unknown_category_is_422_with_its_code(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        response = await client.post(
            f"{API}/challenges", headers=ada, json=challenge_data(category="alchemy")
        )

        assert response.status_code == 422
        assert response.json()["code"] == "unknown_category"

    async def test_html_and_script_in_markdown_come_back_sanitised(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        source = (
            "## Brief\n\n<script>document.cookie</script>"
            '<iframe src="https://evil.example"></iframe>'
            '<a href="javascript:alert(1)" onmouseover="alert(2)">x</a>\n\n**ok**'
        )

        body = await create(client, ada, description=source)

        html = body["description_html"]
        assert body["description"] == source
        assert "<h3>Brief</h3>" in html
        assert "<strong>ok</strong>" in html
        for banned in ("<script", "document.cookie", "<iframe", "javascript:", "onmouseover"):
            assert banned not in html


class TestGet:
    async def test_anyone_reads_an_open_challenge(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        response = await client.get(f"{API}/challenges/{challenge['id']}")

        assert response.status_code == 200
        assert response.json()["status"] == "open"
        assert response.json()["review_note"] is None

    async def test_a_draft_is_404_to_others(
        self, client: httpx.AsyncClient, ada: Headers, bob: Headers
    ) -> None:
        challenge = await create(client, ada)

        for headers in (bob, {}):
            response = await client.get(f"{API}/challenges/{challenge['id']}", headers=headers)
            assert response.status_code == 404
            assert response.json()["code"] == "not_found"

    async def test_an_id_that_is_no_uuid_is_422(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/challenges/not-an-id")

        assert response.status_code == 422


class TestPatch:
    async def test_the_fields_sent_change(self, client: httpx.AsyncClient, ada: Headers) -> None:
        challenge = await create(client, ada)

        response = await client.patch(
            f"{API}/challenges/{challenge['id']}",
            headers=ada,
            json={"title": "Sharper title", "reward": fixed("2000", currency="usd")},
        )

        assert response.status_code == 200
        assert response.json()["title"] == "Sharper title"
        assert response.json()["reward"]["formatted"] == "2000.00 USD"

    async def test_null_for_a_required_field_is_422(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        challenge = await create(client, ada)

        response = await client.patch(
            f"{API}/challenges/{challenge['id']}", headers=ada, json={"title": None}
        )

        assert field_error(response) == (["body", "title"], "not_nullable")

    async def test_someone_elses_open_challenge_is_403(
        self, client: httpx.AsyncClient, ada: Headers, bob: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        response = await client.patch(
            f"{API}/challenges/{challenge['id']}", headers=bob, json={"title": "Mine"}
        )

        assert response.status_code == 403
        assert response.json()["code"] == "not_challenge_owner"

    async def test_after_an_application_it_is_409(
        self, oc: OpenChance, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)
        await set_columns(oc, uuid.UUID(challenge["id"]), application_count=1)

        response = await client.patch(
            f"{API}/challenges/{challenge['id']}", headers=ada, json={"title": "Late"}
        )

        assert response.status_code == 409
        assert response.json()["code"] == "challenge_locked"

    async def test_without_credentials_it_is_401(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        challenge = await create(client, ada)

        response = await client.patch(f"{API}/challenges/{challenge['id']}", json={"title": "x"})

        assert response.status_code == 401


class TestDelete:
    async def test_a_draft_is_deleted(self, client: httpx.AsyncClient, ada: Headers) -> None:
        challenge = await create(client, ada)

        response = await client.delete(f"{API}/challenges/{challenge['id']}", headers=ada)

        assert response.status_code == 204
        gone = await client.get(f"{API}/challenges/{challenge['id']}", headers=ada)
        assert gone.status_code == 404

    async def test_a_published_challenge_is_409(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        response = await client.delete(f"{API}/challenges/{challenge['id']}", headers=ada)

        assert response.status_code == 409
        assert response.json()["code"] == "only_drafts_deletable"


class TestLifecycle:
    async def test_submit_then_approve_opens_it(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        assert challenge["status"] == "open"
        assert challenge["published_at"] is not None

    async def test_submitting_twice_is_409(self, client: httpx.AsyncClient, ada: Headers) -> None:
        challenge = await create(client, ada)
        await client.post(f"{API}/challenges/{challenge['id']}/submit", headers=ada)

        response = await client.post(f"{API}/challenges/{challenge['id']}/submit", headers=ada)

        assert response.status_code == 409
        problem = response.json()
        assert problem["code"] == "invalid_transition"
        assert (problem["from"], problem["action"]) == ("pending_review", "submit_for_review")

    async def test_a_deadline_that_passed_before_submitting_is_422(
        self, oc: OpenChance, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        challenge = await create(client, ada)
        await set_columns(oc, uuid.UUID(challenge["id"]), deadline=utcnow() - timedelta(minutes=1))

        response = await client.post(f"{API}/challenges/{challenge['id']}/submit", headers=ada)

        assert response.status_code == 422
        assert response.json()["code"] == "deadline_in_past"

    async def test_a_solver_cannot_approve(self, client: httpx.AsyncClient, ada: Headers) -> None:
        challenge = await create(client, ada)
        await client.post(f"{API}/challenges/{challenge['id']}/submit", headers=ada)

        response = await client.post(f"{API}/challenges/{challenge['id']}/approve", headers=ada)

        assert response.status_code == 403

    async def test_approving_an_unknown_challenge_is_404(
        self, client: httpx.AsyncClient, moderator: Headers
    ) -> None:
        response = await client.post(
            f"{API}/challenges/00000000-0000-4000-8000-000000000000/approve", headers=moderator
        )

        assert response.status_code == 404

    async def test_a_rejection_sends_it_back_with_the_reason(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await create(client, ada)
        await client.post(f"{API}/challenges/{challenge['id']}/submit", headers=ada)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/reject",
            headers=moderator,
            json={"reason": "Say who owns the data."},
        )

        assert response.status_code == 200
        mine = await client.get(f"{API}/challenges/{challenge['id']}", headers=ada)
        assert mine.json()["status"] == "draft"
        assert mine.json()["review_note"] == "Say who owns the data."

    async def test_a_rejection_without_a_reason_is_422(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await create(client, ada)
        await client.post(f"{API}/challenges/{challenge['id']}/submit", headers=ada)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/reject", headers=moderator, json={}
        )

        assert response.status_code == 422


class TestCancel:
    async def test_the_challenger_cancels_before_work(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/cancel",
            headers=ada,
            json={"reason": "by_challenger_before_work"},
        )

        assert response.status_code == 200
        assert response.json()["status"] == "cancelled"
        assert response.json()["cancel_reason"] == "by_challenger_before_work"

    async def test_other_without_a_note_is_422(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/cancel", headers=ada, json={"reason": "other"}
        )

        assert field_error(response) == (["body"], "note_required")

    async def test_after_work_started_the_challenger_gets_409(
        self, oc: OpenChance, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)
        await set_columns(oc, uuid.UUID(challenge["id"]), status=ChallengeStatus.IN_PROGRESS)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/cancel",
            headers=ada,
            json={"reason": "no_suitable_applications"},
        )

        assert response.status_code == 409
        assert response.json()["code"] == "work_started"

    async def test_a_staff_reason_from_the_challenger_is_403(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/cancel",
            headers=ada,
            json={"reason": "policy_violation"},
        )

        assert response.status_code == 403
        assert response.json()["code"] == "cancel_reason_not_allowed"

    async def test_an_unknown_reason_is_422(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/cancel", headers=ada, json={"reason": "bored"}
        )

        assert field_error(response) == (["body", "reason"], "enum")


class TestClarifications:
    async def test_the_challenger_adds_one(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/clarifications",
            headers=ada,
            json={"body": "Use the *2023* data."},
        )

        assert response.status_code == 201
        assert response.json()["body_html"] == "<p>Use the <em>2023</em> data.</p>"
        shown = await client.get(f"{API}/challenges/{challenge['id']}")
        assert [c["body"] for c in shown.json()["clarifications"]] == ["Use the *2023* data."]

    async def test_a_draft_takes_none(self, client: httpx.AsyncClient, ada: Headers) -> None:
        challenge = await create(client, ada)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/clarifications", headers=ada, json={"body": "x"}
        )

        assert response.status_code == 409
        assert response.json()["code"] == "clarification_not_allowed"

    async def test_someone_else_gets_403(
        self, client: httpx.AsyncClient, ada: Headers, bob: Headers, moderator: Headers
    ) -> None:
        challenge = await published(client, ada, moderator)

        response = await client.post(
            f"{API}/challenges/{challenge['id']}/clarifications", headers=bob, json={"body": "x"}
        )

        assert response.status_code == 403


class TestLists:
    async def test_you_list_your_challenges(
        self, client: httpx.AsyncClient, ada: Headers, bob: Headers
    ) -> None:
        mine = await create(client, ada)
        await create(client, bob)

        response = await client.get(f"{API}/me/challenges", headers=ada)

        assert response.status_code == 200
        assert [item["id"] for item in response.json()["items"]] == [mine["id"]]
        assert response.json()["next_cursor"] is None

    async def test_your_list_pages_with_a_cursor(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        for _ in range(3):
            await create(client, ada)

        first = (await client.get(f"{API}/me/challenges?limit=2", headers=ada)).json()
        rest = (
            await client.get(
                f"{API}/me/challenges",
                headers=ada,
                params={"limit": 2, "cursor": first["next_cursor"]},
            )
        ).json()

        assert len(first["items"]) == 2
        assert len(rest["items"]) == 1

    async def test_your_list_needs_credentials(self, client: httpx.AsyncClient) -> None:
        response = await client.get(f"{API}/me/challenges")

        assert response.status_code == 401

    async def test_staff_see_the_moderation_queue(
        self, client: httpx.AsyncClient, ada: Headers, moderator: Headers
    ) -> None:
        waiting = await create(client, ada)
        await client.post(f"{API}/challenges/{waiting['id']}/submit", headers=ada)
        await create(client, ada)

        response = await client.get(
            f"{API}/admin/challenges", headers=moderator, params={"status": "pending_review"}
        )

        assert response.status_code == 200
        assert [item["id"] for item in response.json()["items"]] == [waiting["id"]]

    async def test_solvers_get_403_for_the_staff_list(
        self, client: httpx.AsyncClient, ada: Headers
    ) -> None:
        response = await client.get(f"{API}/admin/challenges", headers=ada)

        assert response.status_code == 403
