"""The OpenAPI document, generated from the app and checked in as ``docs/openapi.json``.

A test fails when the checked-in file drifts from the app; it prints
:data:`REGENERATE_COMMAND`, which rewrites the file.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from pydantic_settings import BaseSettings, PydanticBaseSettingsSource

from openchance import OpenChance, Settings
from openchance_server.app import create_app

REGENERATE_COMMAND = (
    'python -c "from openchance_server.openapi import write_openapi_document; '
    "write_openapi_document('docs/openapi.json')\""
)


class _DefaultSettings(Settings):
    """Settings from their defaults alone: no environment, no ``.env``."""

    @classmethod
    def settings_customise_sources(
        cls,
        settings_cls: type[BaseSettings],
        init_settings: PydanticBaseSettingsSource,
        env_settings: PydanticBaseSettingsSource,
        dotenv_settings: PydanticBaseSettingsSource,
        file_secret_settings: PydanticBaseSettingsSource,
    ) -> tuple[PydanticBaseSettingsSource, ...]:
        return (init_settings,)


def reference_settings() -> Settings:
    """The fixed settings the checked-in document is generated with."""
    return _DefaultSettings()


def openapi_document(settings: Settings | None = None) -> dict[str, Any]:
    """The OpenAPI document of the app built on ``settings`` (default: reference settings).

    Nothing is started or connected: the platform is only constructed.
    """
    app = create_app(OpenChance(settings or reference_settings()), run_worker=False)
    return app.openapi()


def render_openapi_document(settings: Settings | None = None) -> str:
    """The document as pretty JSON with sorted keys, as checked in."""
    return (
        json.dumps(openapi_document(settings), indent=2, sort_keys=True, ensure_ascii=False) + "\n"
    )


def write_openapi_document(path: str | Path, settings: Settings | None = None) -> None:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    target.write_text(render_openapi_document(settings), encoding="utf-8")
