"""The ASGI application, built from one :class:`~openchance.OpenChance` installation."""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute
from fastapi_offline import FastAPIOffline
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware

from openchance import Mode, OpenChance, Settings, __version__
from openchance_server.lifespan import lifespan
from openchance_server.middleware import (
    AccessLogMiddleware,
    RequestIdMiddleware,
    SecurityHeadersMiddleware,
)
from openchance_server.problems import (
    PROBLEM_RESPONSES,
    UnexpectedErrorMiddleware,
    install_problem_handlers,
    problem_schemas,
)
from openchance_server.realtime import Hub
from openchance_server.realtime import router as realtime_router
from openchance_server.routers import (
    account,
    application_attachments,
    applications,
    auth,
    categories,
    challenge_attachments,
    challenge_invites,
    challenges,
    conversations,
    disputes,
    files,
    funding,
    fundings,
    health,
    me,
    meta,
    milestones,
    notifications,
    oauth,
    payouts,
    profiles,
    receipts,
    saved_searches,
    search,
    two_factor,
    users,
    webhooks,
)

API_V1_PREFIX = "/api/v1"
OPENAPI_URL = "/openapi.json"
DOCS_URL = "/docs"
REDOC_URL = "/redoc"
DOCS_ASSETS_URL = "/docs-assets"
DESCRIPTION = (
    "The HTTP API of OpenChance, a challenge marketplace. Errors are RFC 9457 problems "
    "(`application/problem+json`) with a stable `code`; every response carries an "
    "`X-Request-ID`."
)


def create_app(oc: OpenChance, *, run_worker: bool | None = None) -> FastAPI:
    """The API for ``oc``; its lifespan starts ``oc`` if needed.

    A job worker runs in the server process when ``oc.settings.run_worker_in_process``
    is on and ``run_worker`` is not False (None means: as the setting says).
    """
    settings = oc.settings
    # With docs on, FastAPIOffline serves Swagger UI and ReDoc from assets shipped in its
    # wheel (under DOCS_ASSETS_URL) instead of public CDNs, so they work offline too.
    build = FastAPIOffline if settings.api_docs_enabled else _without_docs
    app = build(
        docs_url=DOCS_URL,
        redoc_url=REDOC_URL,
        static_url=DOCS_ASSETS_URL,
        title="OpenChance",
        version=__version__,
        description=DESCRIPTION,
        openapi_url=OPENAPI_URL,
        lifespan=lifespan,
        middleware=_middleware(settings),
        responses=PROBLEM_RESPONSES,
        generate_unique_id_function=_operation_id,
    )
    app.state.oc = oc
    app.state.docs_url = DOCS_URL if settings.api_docs_enabled else None
    app.state.redoc_url = REDOC_URL if settings.api_docs_enabled else None
    app.state.run_worker = settings.run_worker_in_process and run_worker is not False
    app.state.realtime_hub = Hub(oc)
    install_problem_handlers(app)
    app.include_router(health.router)
    for router in (
        meta.router,
        auth.router,
        me.router,
        account.router,
        two_factor.router,
        users.router,
        profiles.router,
        files.router,
        categories.router,
        # The search router before the challenges router: /challenges/autocomplete is no id.
        search.router,
        challenges.router,
        challenge_attachments.router,
        challenge_invites.router,
        funding.router,
        fundings.router,
        milestones.router,
        disputes.router,
        receipts.router,
        payouts.router,
        applications.router,
        application_attachments.router,
        notifications.router,
        conversations.router,
        conversations.unread_router,
        saved_searches.router,
        oauth.router,
        oauth.identities_router,
        webhooks.router,
        realtime_router,
    ):
        app.include_router(router, prefix=API_V1_PREFIX)
    _document_problems(app)
    return app


def _without_docs(**options: Any) -> FastAPI:
    for name in ("docs_url", "redoc_url", "static_url"):
        options.pop(name)
    return FastAPI(docs_url=None, redoc_url=None, **options)


def _middleware(settings: Settings) -> list[Middleware]:
    """Outermost first: the request id is set before anything logs, and the error
    middleware sits inside the others so a 500 still gets their headers."""
    docs_paths = {DOCS_URL, f"{DOCS_URL}/oauth2-redirect", REDOC_URL}
    stack = [
        Middleware(RequestIdMiddleware),
        Middleware(AccessLogMiddleware),
        Middleware(
            SecurityHeadersMiddleware,
            hsts=settings.mode is Mode.PRODUCTION,
            docs_paths=docs_paths if settings.api_docs_enabled else (),
        ),
    ]
    if settings.cors_origins:
        stack.append(
            Middleware(
                CORSMiddleware,
                allow_origins=settings.cors_origins,
                allow_credentials="*" not in settings.cors_origins,
                allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
                allow_headers=["Authorization", "Content-Type", "X-CSRF-Token", "X-Request-ID"],
                expose_headers=["Retry-After", "X-Request-ID"],
            )
        )
    stack.append(Middleware(UnexpectedErrorMiddleware))
    return stack


def _operation_id(route: APIRoute) -> str:
    """``<tag>_<function>``: stable, readable names for generated clients."""
    return f"{route.tags[0]}_{route.name}" if route.tags else route.name


def _document_problems(app: FastAPI) -> None:
    """Add the Problem schema, which the problem+json responses refer to, to the document."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            document = generate()
            schemas = document.setdefault("components", {}).setdefault("schemas", {})
            schemas.update(problem_schemas())
            app.openapi_schema = document
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
