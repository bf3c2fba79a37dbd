"""Liveness and readiness probes for process managers and load balancers."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from fastapi.responses import JSONResponse
from pydantic import BaseModel

from openchance.config import Mode
from openchance.health.schemas import HealthReport
from openchance_server.dependencies import Platform

router = APIRouter(tags=["health"])


class Liveness(BaseModel):
    status: Literal["ok"]


@router.get("/healthz", summary="The process is up")
async def healthz() -> Liveness:
    """Always 200 while the process answers; checks nothing else."""
    return Liveness(status="ok")


@router.get(
    "/readyz",
    summary="The installation can serve",
    response_model=HealthReport,
    responses={503: {"model": HealthReport, "description": "Not able to serve"}},
)
async def readyz(oc: Platform) -> JSONResponse:
    """200 when every component is ok or degraded (e.g. no live job worker), 503 when one
    is down; the body is the health report either way (in production without the error
    details, which can name hosts and ports)."""
    report = await oc.health.check()
    if oc.settings.mode is Mode.PRODUCTION:
        report = report.without_details()
    return JSONResponse(report.model_dump(mode="json"), status_code=200 if report.ready else 503)
