"""One error hierarchy for every use case.

Each class has a stable machine ``code`` (documented, never renamed) and carries
its context as attributes. The core knows nothing of HTTP: each adapter maps
these classes once (problem+json in the server, exit codes in the CLI, a notice
in the console).
"""

from __future__ import annotations

from typing import Any, ClassVar


class OpenChanceError(Exception):
    """Base of every error the library raises on purpose.

    ``code`` may be refined per instance (``Conflict(..., code="job_not_retryable")``,
    ``NotAuthenticated(..., code="totp_required")``) so that clients can tell cases apart;
    the class-level code is the fallback. Refined codes are as stable as class codes.
    """

    code: str = "error"
    title: ClassVar[str] = "Error"

    def __init__(self, message: str, *, code: str | None = None, **context: Any) -> None:
        super().__init__(message)
        self.message = message
        self.context: dict[str, Any] = context
        if code is not None:
            self.code = code

    def to_dict(self) -> dict[str, Any]:
        """A JSON-safe description: code, message and context."""
        return {"code": self.code, "message": self.message, "context": _json_safe(self.context)}


class NotFound(OpenChanceError):
    code = "not_found"
    title = "Not found"

    def __init__(self, resource: str, identifier: object, message: str | None = None) -> None:
        super().__init__(
            message or f"{resource} {identifier} does not exist",
            resource=resource,
            identifier=str(identifier),
        )


class NotAuthenticated(OpenChanceError):
    code = "not_authenticated"
    title = "Not authenticated"


class PermissionDenied(OpenChanceError):
    code = "permission_denied"
    title = "Permission denied"


class Conflict(OpenChanceError):
    """The request is valid but the current state forbids it."""

    code = "conflict"
    title = "Conflict"


class InvalidInput(OpenChanceError):
    code = "invalid_input"
    title = "Invalid input"

    def __init__(
        self, message: str, *, errors: list[dict[str, Any]] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, code=code, errors=errors or [])
        self.errors = errors or []


class RateLimited(OpenChanceError):
    code = "rate_limited"
    title = "Too many requests"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        super().__init__(message, code=code, retry_after=retry_after)
        self.retry_after = retry_after


class PaymentFailed(OpenChanceError):
    code = "payment_failed"
    title = "Payment failed"


class ProviderUnavailable(OpenChanceError):
    """An outside system (database, Redis, a payment processor…) did not answer."""

    code = "provider_unavailable"
    title = "Provider unavailable"

    def __init__(self, provider: str, message: str) -> None:
        super().__init__(message, provider=provider)
        self.provider = provider


class InvalidSignature(OpenChanceError):
    """A signed request (a processor's webhook) whose signature does not hold."""

    code = "invalid_signature"
    title = "Invalid signature"


class ConfigurationError(OpenChanceError):
    """Settings are missing or malformed; raised at start, before anything runs."""

    code = "configuration_error"
    title = "Invalid configuration"

    def __init__(
        self, message: str, *, problems: list[str] | None = None, code: str | None = None
    ) -> None:
        super().__init__(message, code=code, problems=problems or [])
        self.problems = problems or []


ERROR_CLASSES: tuple[type[OpenChanceError], ...] = (
    NotFound,
    NotAuthenticated,
    PermissionDenied,
    Conflict,
    InvalidInput,
    RateLimited,
    PaymentFailed,
    ProviderUnavailable,
    InvalidSignature,
    ConfigurationError,
)


def _json_safe(value: Any) -> Any:
    if isinstance(value, dict):
        return {str(k): _json_safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_json_safe(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)
