"""E-mail templates: every one renders a plain-text and an HTML part from its context."""

from __future__ import annotations

import pytest
from jinja2 import UndefinedError

from openchance.mail.rendering import SITE_NAME, SUBJECTS, render
from openchance.mail.schemas import MailMessage

HOSTILE = '<script>alert("x")</script>'
VARIABLES = (
    "display_name",
    "email",
    "link",
    "valid_for",
    "changed_at",
    "locked_until",
    "inviter_name",
    "challenge_title",
)
REALISTIC = {
    "display_name": "Grace Hopper",
    "email": "grace@example.org",
    "link": "http://127.0.0.1:8000/reset-password?token=oce_abc",
    "valid_for": "1 hour",
    "changed_at": "2025-01-01 12:00 UTC",
    "locked_until": "2025-01-01 13:00 UTC",
    "inviter_name": "Ada Lovelace",
    "challenge_title": "Forecast bakery demand",
}
TEMPLATES = sorted(SUBJECTS)


def _render(template: str, context: dict[str, str]) -> MailMessage:
    return render(to="grace@example.org", template=template, context=context, key="k")


@pytest.mark.parametrize("template", TEMPLATES)
class TestEveryTemplate:
    def test_both_parts_are_non_empty(self, template: str) -> None:
        message = _render(template, REALISTIC)

        assert message.text.strip()
        assert message.html.strip()

    def test_the_subject_names_the_site(self, template: str) -> None:
        message = _render(template, REALISTIC)

        assert SITE_NAME in message.subject
        assert "{" not in message.subject

    def test_the_html_part_escapes_the_context(self, template: str) -> None:
        message = _render(template, dict.fromkeys(VARIABLES, HOSTILE))

        assert "<script>" not in message.html
        assert "&lt;script&gt;" in message.html

    def test_the_text_part_keeps_the_context_literally(self, template: str) -> None:
        message = _render(template, dict.fromkeys(VARIABLES, HOSTILE))

        assert HOSTILE in message.text


class TestRender:
    def test_an_unknown_template_is_refused(self) -> None:
        with pytest.raises(ValueError, match="no e-mail template"):
            _render("welcome_gift", REALISTIC)

    def test_a_missing_context_value_is_an_error(self) -> None:
        with pytest.raises(UndefinedError):
            _render("password_reset", {"display_name": "Grace Hopper"})

    def test_the_display_name_reaches_the_html_escaped(self) -> None:
        message = _render("password_reset", REALISTIC | {"display_name": "<b>Grace</b>"})

        assert "Hello &lt;b&gt;Grace&lt;/b&gt;" in message.html
        assert "Hello <b>Grace</b>" in message.text
