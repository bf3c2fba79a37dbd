"""The ``mail.send`` job end to end with the SMTP backend: a use case queues the e-mail, a
worker renders it and hands it to a real SMTP server."""

from __future__ import annotations

from typing import Any

import pytest

from openchance import OpenChance
from openchance.accounts.schemas import PasswordResetRequest
from openchance.mail.schemas import OutboxFilter
from tests.factories.users import CLIENT, SYSTEM, create_user
from tests.mail.smtp_server import HOST, LoopbackController, Mailbox, parts_of
from tests.support.jobs import drain

GRACE = "grace@example.org"


@pytest.fixture
def settings_overrides(smtp_server: LoopbackController) -> dict[str, Any]:
    return {
        "mail_backend": "smtp",
        "smtp_host": HOST,
        "smtp_port": smtp_server.port,
        "smtp_security": "none",
        "smtp_timeout_seconds": 5.0,
    }


async def _request_reset(oc: OpenChance) -> None:
    await create_user(oc, email=GRACE, display_name="Grace Hopper")
    await oc.accounts.request_password_reset(PasswordResetRequest(email=GRACE), CLIENT)
    await drain(oc)


class TestSendMailOverSmtp:
    async def test_the_reset_email_reaches_the_server(
        self, oc: OpenChance, mailbox: Mailbox
    ) -> None:
        await _request_reset(oc)

        [received] = mailbox.received
        assert (received.recipients, received.message["Subject"]) == (
            [GRACE],
            "Reset your OpenChance password",
        )

    async def test_both_parts_carry_the_reset_link(self, oc: OpenChance, mailbox: Mailbox) -> None:
        await _request_reset(oc)

        body = parts_of(mailbox.received[0].message)
        link = next(line for line in body["text/plain"].splitlines() if "token=" in line)
        assert link.startswith("http://127.0.0.1:8000/reset-password?token=")
        assert link.replace("&", "&amp;") in body["text/html"]

    async def test_nothing_is_kept_in_the_database_outbox(
        self, oc: OpenChance, mailbox: Mailbox
    ) -> None:
        await _request_reset(oc)

        assert await oc.mail.list_outbox(SYSTEM, OutboxFilter(to=GRACE)) == []
