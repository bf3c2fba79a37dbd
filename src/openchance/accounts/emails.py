"""E-mail addresses: validated and normalised once, the same way everywhere."""

from __future__ import annotations

from email_validator import EmailNotValidError, validate_email

from openchance.errors import InvalidInput


def normalise_email(address: str) -> str:
    """The canonical form we store and compare: IDNA domain, lower-cased whole address."""
    try:
        checked = validate_email(address.strip(), check_deliverability=False)
    except EmailNotValidError as exc:
        raise InvalidInput(
            f"{address!r} is not a valid e-mail address: {exc}",
            code="invalid_email",
            errors=[{"field": "email", "message": str(exc)}],
        ) from None
    return checked.normalized.lower()
