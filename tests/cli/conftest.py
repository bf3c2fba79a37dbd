from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

import anyio
import pytest
from typer.testing import CliRunner, Result

from openchance import OpenChance, Settings
from openchance_cli.main import app

T = TypeVar("T")
Invoke = Callable[..., Result]


@pytest.fixture
def cli_env(settings: Settings) -> dict[str, str]:
    env = {
        "OPENCHANCE_DATABASE_URL": settings.database_url,
        "OPENCHANCE_LOG_LEVEL": "WARNING",
        "OPENCHANCE_ESCROW_FUNDING_DEADLINE": settings.escrow_funding_deadline.value,
    }
    if settings.redis_url:
        env |= {
            "OPENCHANCE_REDIS_URL": settings.redis_url,
            "OPENCHANCE_REDIS_NAMESPACE": settings.redis_namespace,
        }
    return env


@pytest.fixture
def invoke(cli_env: dict[str, str]) -> Invoke:
    """Run ``openchance ARGS…`` in-process against the test database."""
    runner = CliRunner()

    def run(*args: str, env: dict[str, Any] | None = None, input: str | None = None) -> Result:
        return runner.invoke(app, list(args), env=cli_env | (env or {}), input=input)

    return run


def on_platform(settings: Settings, use: Callable[[OpenChance], Awaitable[T]]) -> T:
    """Arrange or check something through the core, outside the command under test."""

    async def main() -> T:
        async with OpenChance(settings) as oc:
            return await use(oc)

    return anyio.run(main)
