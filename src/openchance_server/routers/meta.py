"""The API root: what this server is and where to go next."""

from __future__ import annotations

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field

from openchance import __version__

router = APIRouter(tags=["meta"])


class ApiIndex(BaseModel):
    name: str
    version: str
    links: dict[str, str] = Field(
        description="Paths of the API root, the OpenAPI document, the probes and, when "
        "enabled, the interactive docs."
    )


@router.get("", summary="API root")
async def api_index(request: Request) -> ApiIndex:
    app = request.app
    root = str(request.scope.get("root_path", ""))
    paths = {
        "self": str(app.url_path_for("api_index")),
        "openapi": app.openapi_url,
        "docs": app.state.docs_url,
        "redoc": app.state.redoc_url,
        "health": "/healthz",
        "ready": "/readyz",
    }
    links = {name: root + path for name, path in paths.items() if path}
    return ApiIndex(name=app.title, version=__version__, links=links)
