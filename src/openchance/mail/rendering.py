"""E-mail templates: each has a subject line, a plain-text part and an HTML part."""

from __future__ import annotations

from functools import cache

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape

from openchance.mail.schemas import MailMessage

SUBJECTS = {
    "verify_email": "Confirm your e-mail address for {site}",
    "account_exists": "Someone tried to sign up to {site} with your address",
    "password_reset": "Reset your {site} password",
    "password_changed": "Your {site} password was changed",
    "account_locked": "Your {site} account is locked for a while",
    "challenge_invite": "You are invited to a private challenge on {site}",
}
SITE_NAME = "OpenChance"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("openchance.mail", "templates"),
        autoescape=select_autoescape(enabled_extensions=("html",), default_for_string=False),
        undefined=StrictUndefined,
        keep_trailing_newline=True,
    )


def render(*, to: str, template: str, context: dict[str, str], key: str) -> MailMessage:
    if template not in SUBJECTS:
        raise ValueError(f"no e-mail template named {template!r}")
    environment = _environment()
    values = {"site": SITE_NAME, **context}
    return MailMessage(
        to=to,
        subject=SUBJECTS[template].format(site=SITE_NAME),
        text=environment.get_template(f"{template}.txt").render(values),
        html=environment.get_template(f"{template}.html").render(values),
        template=template,
        key=key,
    )
