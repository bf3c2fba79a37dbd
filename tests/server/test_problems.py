from __future__ import annotations

import logging
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from pydantic import BaseModel

from openchance import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    OpenChanceError,
    PaymentFailed,
    PermissionDenied,
    ProviderUnavailable,
    RateLimited,
)
from tests.server.conftest import BASE_URL

PROBLEM = "application/problem+json"


def raising(app: FastAPI, error: BaseException, path: str = "/test/fail") -> str:
    """Add a test-only route that raises ``error``; return its path."""

    async def fail() -> None:
        raise error

    app.add_api_route(path, fail)
    return path


class TestUnknownRoute:
    async def test_is_a_not_found_problem(self, client: httpx.AsyncClient) -> None:
        response = await client.get("/nowhere?token=secret")

        assert response.status_code == 404
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["type"] == "https://openchance.dev/problems/not_found"
        assert body["code"] == "not_found"
        assert body["status"] == 404
        assert body["title"] == "Not Found"
        assert body["instance"] == "/nowhere"
        assert body["request_id"] == response.headers["x-request-id"]

    async def test_wrong_method_is_a_method_not_allowed_problem(
        self, client: httpx.AsyncClient
    ) -> None:
        response = await client.post("/healthz")

        assert response.status_code == 405
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == "method_not_allowed"
        assert response.headers["allow"] == "GET"


class TestDomainErrors:
    async def test_conflict_keeps_its_refined_code(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        path = raising(app, Conflict("the challenge is closed", code="x_y", challenge_id="c1"))

        response = await client.get(path)

        assert response.status_code == 409
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["type"] == "https://openchance.dev/problems/x_y"
        assert body["code"] == "x_y"
        assert body["title"] == "Conflict"
        assert body["detail"] == "the challenge is closed"
        assert body["instance"] == path
        assert body["request_id"] == response.headers["x-request-id"]

    async def test_context_becomes_members(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        path = raising(app, NotFound("challenge", 42))

        body = (await client.get(path)).json()

        assert body["resource"] == "challenge"
        assert body["identifier"] == "42"

    async def test_context_cannot_override_standard_members(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        path = raising(app, PermissionDenied("no", status=200, instance="/elsewhere"))

        body = (await client.get(path)).json()

        assert body["status"] == 403
        assert body["instance"] == path

    async def test_rate_limited_says_when_to_retry(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        path = raising(app, RateLimited("slow down", retry_after=17))

        response = await client.get(path)

        assert response.status_code == 429
        assert response.headers["retry-after"] == "17"
        assert response.json()["retry_after"] == 17

    async def test_not_authenticated_asks_for_a_bearer_token(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        path = raising(app, NotAuthenticated("log in first"))

        response = await client.get(path)

        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"

    async def test_invalid_input_lists_the_errors(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        errors = [{"loc": ["body", "title"], "msg": "too short", "type": "too_short"}]
        path = raising(app, InvalidInput("bad challenge", errors=errors))

        response = await client.get(path)

        assert response.status_code == 422
        assert response.json()["errors"] == errors

    async def test_configuration_error_hides_its_details(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        error = ConfigurationError("OPENCHANCE_X is wrong", problems=["OPENCHANCE_X"])
        path = raising(app, error)

        response = await client.get(path)

        assert response.status_code == 500
        assert "OPENCHANCE_X" not in response.text

    @pytest.mark.parametrize(
        ("error", "status"),
        [
            (NotFound("thing", 1), 404),
            (NotAuthenticated("who are you"), 401),
            (PermissionDenied("not yours"), 403),
            (Conflict("state forbids it"), 409),
            (InvalidInput("bad"), 422),
            (RateLimited("slow", retry_after=1), 429),
            (PaymentFailed("card declined"), 402),
            (ProviderUnavailable("stripe", "Stripe did not answer"), 503),
            (ConfigurationError("broken"), 500),
            (OpenChanceError("anything else"), 400),
        ],
        ids=lambda value: type(value).__name__ if isinstance(value, Exception) else str(value),
    )
    async def test_each_error_class_has_its_status(
        self, app: FastAPI, client: httpx.AsyncClient, error: OpenChanceError, status: int
    ) -> None:
        path = raising(app, error)

        response = await client.get(path)

        assert response.status_code == status
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["code"] == error.code


class Item(BaseModel):
    title: str
    quantity: int


class TestValidationErrors:
    @pytest.fixture
    def path(self, app: FastAPI) -> str:
        async def create(item_id: int, item: Item) -> Item:
            return item

        app.add_api_route("/test/items/{item_id}", create, methods=["POST"])
        return "/test/items/{}"

    async def test_are_invalid_input_problems(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.post(path.format("abc"), json={"title": "t", "quantity": 1})

        assert response.status_code == 422
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["code"] == "invalid_input"
        assert body["errors"] == [
            {
                "loc": ["path", "item_id"],
                "msg": "Input should be a valid integer, unable to parse string as an integer",
                "type": "int_parsing",
            }
        ]

    async def test_do_not_echo_the_input(self, client: httpx.AsyncClient, path: str) -> None:
        response = await client.post(
            path.format("1"), json={"title": "t", "quantity": "hunter2-secret"}
        )

        assert response.status_code == 422
        assert "hunter2-secret" not in response.text
        assert response.json()["errors"][0]["loc"] == ["body", "quantity"]


class TestUnexpectedErrors:
    @pytest.fixture
    async def client(self, app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
        transport = httpx.ASGITransport(app=app, raise_app_exceptions=False)
        async with httpx.AsyncClient(transport=transport, base_url=BASE_URL) as client:
            yield client

    async def test_are_a_generic_internal_error(
        self, app: FastAPI, client: httpx.AsyncClient
    ) -> None:
        path = raising(app, RuntimeError("password=hunter2 in /srv/secret.py"))

        response = await client.get(path)

        assert response.status_code == 500
        assert response.headers["content-type"] == PROBLEM
        body = response.json()
        assert body["code"] == "internal_error"
        assert body["request_id"] == response.headers["x-request-id"]
        assert "hunter2" not in response.text
        assert "RuntimeError" not in response.text
        assert "Traceback" not in response.text

    async def test_keep_the_security_headers(self, app: FastAPI, client: httpx.AsyncClient) -> None:
        path = raising(app, RuntimeError("boom"))

        response = await client.get(path)

        assert response.headers["x-content-type-options"] == "nosniff"

    async def test_are_logged_with_the_request_id(
        self, app: FastAPI, client: httpx.AsyncClient, caplog: pytest.LogCaptureFixture
    ) -> None:
        path = raising(app, RuntimeError("boom"))

        with caplog.at_level(logging.ERROR, logger="openchance.server.errors"):
            response = await client.get(path)

        [record] = [r for r in caplog.records if r.name == "openchance.server.errors"]
        assert record.request_id == response.headers["x-request-id"]  # type: ignore[attr-defined]
        assert record.exc_info is not None
        assert str(record.exc_info[1]) == "boom"
