"""``openchance mail outbox``: the e-mail the database backend kept, with its links."""

from __future__ import annotations

import json

from openchance import Actor, OpenChance, Settings
from openchance.accounts.schemas import Registration
from openchance.mail.schemas import OutboxFilter
from tests.cli.conftest import Invoke, on_platform
from tests.factories.users import CLIENT, STRONG_PASSWORD
from tests.support.jobs import drain


def _register(settings: Settings, email: str) -> str:
    """Sign up through the core, deliver the mail, and return the verification link."""

    async def use(oc: OpenChance) -> str:
        await oc.accounts.register(
            Registration(email=email, password=STRONG_PASSWORD, display_name="Grace Hopper"),
            CLIENT,
        )
        await drain(oc)
        [mail] = await oc.mail.list_outbox(Actor.system(), OutboxFilter(to=email))
        [link] = mail.links
        return link

    return on_platform(settings, use)


class TestMailOutbox:
    def test_shows_the_verification_link_after_a_registration(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        link = _register(settings, "grace@example.org")

        result = invoke("mail", "outbox", "--to", "grace@example.org")

        assert result.exit_code == 0, result.output
        assert "token=" in link
        assert link in result.stdout.splitlines()[-1]

    def test_shows_the_subject_and_template(self, invoke: Invoke, settings: Settings) -> None:
        _register(settings, "grace@example.org")

        result = invoke("mail", "outbox")

        assert "Confirm your e-mail address for OpenChance" in result.stdout
        assert "(verify_email)" in result.stdout

    def test_to_keeps_only_that_address(self, invoke: Invoke, settings: Settings) -> None:
        _register(settings, "grace@example.org")
        _register(settings, "ada@example.org")

        result = invoke("mail", "outbox", "--to", "ada@example.org", "--json")

        assert result.exit_code == 0, result.output
        assert [mail["to_address"] for mail in json.loads(result.stdout)] == ["ada@example.org"]

    def test_json_includes_the_links(self, invoke: Invoke, settings: Settings) -> None:
        link = _register(settings, "grace@example.org")

        result = invoke("mail", "outbox", "--json")

        assert json.loads(result.stdout)[0]["links"] == [link]

    def test_limit_caps_the_listing(self, invoke: Invoke, settings: Settings) -> None:
        _register(settings, "grace@example.org")
        _register(settings, "ada@example.org")

        result = invoke("mail", "outbox", "--limit", "1", "--json")

        assert len(json.loads(result.stdout)) == 1

    def test_an_empty_outbox_says_so(self, invoke: Invoke) -> None:
        result = invoke("mail", "outbox", "--to", "nobody@example.org")

        assert result.exit_code == 0, result.output
        assert "no mail to nobody@example.org" in result.stdout

    def test_notes_when_mail_is_sent_by_smtp_instead(self, invoke: Invoke) -> None:
        result = invoke("mail", "outbox", env={"OPENCHANCE_MAIL_BACKEND": "smtp"})

        assert result.exit_code == 0, result.output
        assert "OPENCHANCE_MAIL_BACKEND is smtp" in result.stderr
