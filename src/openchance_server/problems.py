"""Every error the server answers with, rendered once as RFC 9457 ``application/problem+json``.

Domain errors map to a status by class; validation errors, Starlette's HTTP errors (unknown
route, wrong method) and unexpected exceptions become problems too, so a client parses one
shape for every failure. An unexpected exception is logged with the request id and answered
with a generic 500: never its text or a stack trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.responses import Response
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from openchance.errors import (
    ConfigurationError,
    Conflict,
    InvalidInput,
    InvalidSignature,
    NotAuthenticated,
    NotFound,
    OpenChanceError,
    PaymentFailed,
    PermissionDenied,
    ProviderUnavailable,
    RateLimited,
)
from openchance_server.middleware.request_id import request_id_of

logger = logging.getLogger("openchance.server.errors")

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://openchance.dev/problems/"

STATUS_BY_ERROR: Mapping[type[OpenChanceError], int] = {
    NotFound: 404,
    NotAuthenticated: 401,
    PermissionDenied: 403,
    Conflict: 409,
    InvalidInput: 422,
    RateLimited: 429,
    PaymentFailed: 402,
    ProviderUnavailable: 503,
    InvalidSignature: 400,
    ConfigurationError: 500,
}
CODE_BY_STATUS: Mapping[int, str] = {
    401: "not_authenticated",
    403: "permission_denied",
    404: "not_found",
    405: "method_not_allowed",
    422: "invalid_input",
    429: "rate_limited",
}
_RESERVED_MEMBERS = frozenset(
    {"type", "title", "status", "detail", "code", "instance", "request_id"}
)


class ProblemFieldError(BaseModel):
    """One invalid field: where it is, what is wrong, and a machine type."""

    loc: list[str | int]
    msg: str
    type: str


class Problem(BaseModel):
    """An RFC 9457 problem; errors add their context as further members."""

    model_config = ConfigDict(extra="allow")

    type: str = Field(examples=[f"{PROBLEM_TYPE_BASE}not_found"])
    title: str
    status: int
    detail: str
    code: str = Field(description="Stable machine code; never renamed.")
    instance: str = Field(description="The path of the request.")
    request_id: str | None = Field(description="Also sent as the X-Request-ID header.")
    errors: list[ProblemFieldError] | None = Field(
        default=None, description="Invalid fields (status 422 only)."
    )


PROBLEM_RESPONSES: dict[int | str, dict[str, Any]] = {
    status_range: {
        "description": description,
        "content": {PROBLEM_MEDIA_TYPE: {"schema": {"$ref": "#/components/schemas/Problem"}}},
    }
    for status_range, description in (("4XX", "Client error"), ("5XX", "Server error"))
}
"""Documents problem+json on every operation (the schemas come from :func:`problem_schemas`)."""


def problem_schemas() -> dict[str, Any]:
    """The JSON schemas of :class:`Problem` and its parts, for ``components/schemas``."""
    schema = Problem.model_json_schema(ref_template="#/components/schemas/{model}")
    definitions: dict[str, Any] = schema.pop("$defs", {})
    return {"Problem": schema, **definitions}


class ProblemResponse(JSONResponse):
    media_type = PROBLEM_MEDIA_TYPE


def problem_response(
    scope: Scope,
    *,
    status: int,
    code: str,
    title: str,
    detail: str,
    members: Mapping[str, Any] | None = None,
    headers: Mapping[str, str] | None = None,
) -> ProblemResponse:
    body: dict[str, Any] = {
        key: value for key, value in (members or {}).items() if key not in _RESERVED_MEMBERS
    }
    body.update(
        type=PROBLEM_TYPE_BASE + code,
        title=title,
        status=status,
        detail=detail,
        code=code,
        instance=str(scope.get("path", "")),
        request_id=request_id_of(scope),
    )
    return ProblemResponse(body, status_code=status, headers=dict(headers or {}))


def status_of(error: OpenChanceError) -> int:
    for cls in type(error).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 400


async def openchance_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, OpenChanceError)
    status = status_of(exc)
    headers: dict[str, str] = {}
    detail, members = exc.message, exc.to_dict()["context"]
    if isinstance(exc, NotAuthenticated):
        headers["WWW-Authenticate"] = "Bearer"
    elif isinstance(exc, RateLimited):
        headers["Retry-After"] = str(exc.retry_after)
    elif isinstance(exc, ConfigurationError):
        # The fault is ours, not the client's: the operator reads the log.
        logger.error("configuration error while serving %s: %s", request.url.path, exc)
        detail, members = "The server is misconfigured.", {}
    elif isinstance(exc, ProviderUnavailable):
        logger.warning("provider %s unavailable: %s", exc.provider, exc)
    return problem_response(
        request.scope,
        status=status,
        code=exc.code,
        title=exc.title,
        detail=detail,
        members=members,
        headers=headers,
    )


def field_errors(errors: Sequence[Any]) -> list[dict[str, Any]]:
    """Pydantic errors reduced to loc, msg and type: the rejected input is never echoed."""
    return [
        {"loc": list(error.get("loc", ())), "msg": str(error.get("msg", "")), "type": error["type"]}
        for error in errors
    ]


async def validation_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, RequestValidationError)
    return problem_response(
        request.scope,
        status=422,
        code="invalid_input",
        title=InvalidInput.title,
        detail="The request is not valid; see `errors`.",
        members={"errors": field_errors(exc.errors())},
    )


async def http_error_handler(request: Request, exc: Exception) -> Response:
    assert isinstance(exc, StarletteHTTPException)
    status = HTTPStatus(exc.status_code)
    code = CODE_BY_STATUS.get(status, status.phrase.lower().replace(" ", "_").replace("-", "_"))
    detail = exc.detail if isinstance(exc.detail, str) and exc.detail else status.phrase
    return problem_response(
        request.scope,
        status=int(status),
        code=code,
        title=status.phrase,
        detail=detail,
        headers=exc.headers,
    )


def internal_error_response(scope: Scope) -> ProblemResponse:
    return problem_response(
        scope,
        status=500,
        code="internal_error",
        title="Internal server error",
        detail="The server failed to answer this request. Quote the request id when reporting it.",
    )


def log_unexpected(scope: Scope, exc: BaseException) -> None:
    logger.error(
        "unexpected error while serving %s %s",
        scope.get("method", ""),
        scope.get("path", ""),
        exc_info=exc,
        extra={"request_id": request_id_of(scope)},
    )


async def unexpected_error_handler(request: Request, exc: Exception) -> Response:
    """Fallback for Starlette's outermost error middleware (errors in our own middlewares)."""
    log_unexpected(request.scope, exc)
    return internal_error_response(request.scope)


class UnexpectedErrorMiddleware:
    """Turns an unexpected exception into a 500 problem inside our middlewares.

    Starlette handles ``Exception`` in its outermost middleware, outside ours, so its
    answer would miss the request id, the security and the CORS headers. This sits
    innermost instead. Once a response has started it can only re-raise.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        response_started = False

        async def send_and_note_start(message: Message) -> None:
            nonlocal response_started
            response_started = response_started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, send_and_note_start)
        except Exception as exc:
            log_unexpected(scope, exc)
            if response_started:
                raise
            await internal_error_response(scope)(scope, receive, send)


def install_problem_handlers(app: FastAPI) -> None:
    app.add_exception_handler(OpenChanceError, openchance_error_handler)
    app.add_exception_handler(RequestValidationError, validation_error_handler)
    app.add_exception_handler(StarletteHTTPException, http_error_handler)
    app.add_exception_handler(Exception, unexpected_error_handler)
