"""Settings as ``OPENCHANCE_*`` environment variables, for server processes we spawn."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from openchance import Settings
from openchance.config import ENV_PREFIX


def settings_to_environment(settings: Settings) -> dict[str, str | None]:
    """Each setting as the environment variable that reproduces it.

    ``None`` means "unset this variable" (the setting is at its default, None). Secrets are
    written in clear: the environment of a child process is as private as our own.
    """
    data = settings.model_dump(mode="json")
    if settings.secret_key is not None:
        data["secret_key"] = settings.secret_key.get_secret_value()
    environment: dict[str, str | None] = {}
    for name in type(settings).model_fields:
        value = data[name]
        if value is None:
            text = None
        elif isinstance(value, bool):
            text = "true" if value else "false"
        elif isinstance(value, list | dict):
            text = json.dumps(value)
        else:
            text = str(value)
        environment[ENV_PREFIX + name.upper()] = text
    return environment


@contextmanager
def environment_applied(environment: Mapping[str, str | None]) -> Iterator[None]:
    """Set (or unset, for None) these variables in ``os.environ`` for the block, then restore."""
    saved = {name: os.environ.get(name) for name in environment}
    try:
        _apply(environment)
        yield
    finally:
        _apply(saved)


def _apply(environment: Mapping[str, str | None]) -> None:
    for name, value in environment.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
