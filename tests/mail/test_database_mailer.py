"""The embedded mail backend: messages kept in the database, read through the outbox."""

from __future__ import annotations

import uuid

import pytest

from openchance import Actor, OpenChance, PermissionDenied, Role
from openchance.mail.rendering import render
from openchance.mail.schemas import MailMessage, OutboxFilter
from openchance.providers.mail import DatabaseMailer
from tests.factories.users import SYSTEM

TO = "grace@example.org"
LINK = "http://127.0.0.1:8000/verify-email?token=oce_abc"


def _message(key: str = "verify_email:test-1", to: str = TO) -> MailMessage:
    return render(
        to=to,
        template="verify_email",
        context={
            "display_name": "Grace Hopper",
            "email": to,
            "link": LINK,
            "valid_for": "48 hours",
        },
        key=key,
    )


class TestDatabaseMailer:
    async def test_the_same_key_twice_is_kept_once(self, oc: OpenChance) -> None:
        mailer = DatabaseMailer(oc)

        await mailer.send(_message(key="verify_email:same"))
        await mailer.send(_message(key="verify_email:same"))

        assert len(await oc.mail.list_outbox(SYSTEM, OutboxFilter(to=TO))) == 1

    async def test_another_key_is_another_message(self, oc: OpenChance) -> None:
        mailer = DatabaseMailer(oc)

        await mailer.send(_message(key="verify_email:one"))
        await mailer.send(_message(key="verify_email:two"))

        assert len(await oc.mail.list_outbox(SYSTEM, OutboxFilter(to=TO))) == 2

    async def test_keeps_the_sender_subject_and_both_parts(self, oc: OpenChance) -> None:
        message = _message()

        await DatabaseMailer(oc).send(message)

        [kept] = await oc.mail.list_outbox(SYSTEM, OutboxFilter(to=TO))
        assert (kept.from_address, kept.subject, kept.text_body, kept.html_body) == (
            oc.settings.mail_from,
            message.subject,
            message.text,
            message.html,
        )

    async def test_the_outbox_lists_the_links_in_a_message(self, oc: OpenChance) -> None:
        await DatabaseMailer(oc).send(_message())

        [kept] = await oc.mail.list_outbox(SYSTEM, OutboxFilter(to=TO))
        assert kept.links == [LINK]

    async def test_the_outbox_filters_by_address(self, oc: OpenChance) -> None:
        mailer = DatabaseMailer(oc)
        await mailer.send(_message(key="verify_email:grace"))
        await mailer.send(_message(key="verify_email:ada", to="ada@example.org"))

        kept = await oc.mail.list_outbox(SYSTEM, OutboxFilter(to="ADA@example.org"))

        assert [mail.to_address for mail in kept] == ["ada@example.org"]

    async def test_only_admins_may_read_the_outbox(self, oc: OpenChance) -> None:
        await DatabaseMailer(oc).send(_message())
        moderator = Actor.user(uuid.uuid4(), {Role.MODERATOR})

        with pytest.raises(PermissionDenied):
            await oc.mail.list_outbox(moderator)
