"""An app factory that reads its settings from the environment.

    uvicorn --factory openchance_server.asgi:create_app_from_environment

``serve(workers=N)`` uses it for its worker processes, which uvicorn can only start
from an import string.
"""

from __future__ import annotations

from fastapi import FastAPI

from openchance import OpenChance, load_settings
from openchance.logs import configure_logging
from openchance_server.app import create_app


def create_app_from_environment() -> FastAPI:
    """``load_settings()`` from ``OPENCHANCE_*`` (and ``.env``), JSON logs, and the app."""
    settings = load_settings()
    configure_logging(settings.log_level)
    return create_app(OpenChance(settings))
