"""How every command runs: settings, the async core, and domain errors → message + exit code."""

from __future__ import annotations

import sys
from collections.abc import Awaitable, Callable
from typing import Any, NoReturn, TypeVar

import anyio
import typer
from pydantic import BaseModel, ValidationError
from rich.console import Console
from rich.markup import escape

from openchance import OpenChance, Settings, load_settings
from openchance.errors import (
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

T = TypeVar("T")
M = TypeVar("M", bound=BaseModel)

errors = Console(stderr=True)

# Exit codes, documented in docs/cli.md. 2 stays Click's "usage error".
EXIT_CODES: dict[type[OpenChanceError], int] = {
    ConfigurationError: 78,  # EX_CONFIG
    NotFound: 3,
    NotAuthenticated: 4,
    PermissionDenied: 4,
    Conflict: 5,
    InvalidInput: 6,
    RateLimited: 7,
    PaymentFailed: 8,
    ProviderUnavailable: 69,  # EX_UNAVAILABLE
}
GENERIC_ERROR_EXIT = 1


def exit_code_for(error: OpenChanceError) -> int:
    for error_class in type(error).__mro__:
        if error_class in EXIT_CODES:
            return EXIT_CODES[error_class]
    return GENERIC_ERROR_EXIT


def fail(error: OpenChanceError) -> NoReturn:
    """Print a domain error for a human and leave with its exit code."""
    errors.print(
        f"[bold red]error[/] ({error.code}): {escape(error.message)}",
        highlight=False,
        soft_wrap=True,
    )
    raise typer.Exit(exit_code_for(error))


def validated(model: type[M], **values: Any) -> M:
    """Build a core input model from command-line values; a value the core refuses is an
    ``invalid_input`` error (exit code 6) naming the field, not a traceback."""
    try:
        return model(**values)
    except ValidationError as exc:
        problems = [
            {"field": ".".join(str(part) for part in error["loc"]), "message": error["msg"]}
            for error in exc.errors()
        ]
        message = "; ".join(f"{problem['field']}: {problem['message']}" for problem in problems)
        fail(InvalidInput(message, errors=problems))


def settings_or_exit(**overrides: Any) -> Settings:
    try:
        return load_settings(**overrides)
    except ConfigurationError as error:
        fail(error)


def run(function: Callable[[], Awaitable[T]]) -> T:
    """Run async core code from a command; domain errors become a message and exit code."""
    try:
        return anyio.run(function)
    except OpenChanceError as error:
        fail(error)


def with_platform(settings: Settings, use: Callable[[OpenChance], Awaitable[T]]) -> T:
    """Run ``use(oc)`` on a started OpenChance, closing it afterwards."""

    async def main() -> T:
        async with OpenChance(settings) as oc:
            return await use(oc)

    return run(main)


def is_interactive() -> bool:
    return sys.stdout.isatty()
