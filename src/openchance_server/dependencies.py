"""What routes receive by dependency injection."""

from __future__ import annotations

from typing import Annotated

from fastapi import Depends, Request

from openchance import OpenChance


def get_platform(request: Request) -> OpenChance:
    platform: OpenChance = request.app.state.oc
    return platform


Platform = Annotated[OpenChance, Depends(get_platform)]
"""The installation the app was built on: ``async def route(oc: Platform)``."""
