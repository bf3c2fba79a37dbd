"""The SMTP mailer against a real SMTP server (aiosmtpd) on loopback."""

from __future__ import annotations

import socket
import time
from collections.abc import AsyncIterator, Iterator
from email.utils import parseaddr
from pathlib import Path
from typing import Any

import pytest

from openchance import ProviderUnavailable, Settings
from openchance.mail.rendering import render
from openchance.mail.schemas import MailMessage
from openchance.providers.mail import SmtpMailer
from tests.mail.conftest import PASSWORD, USERNAME
from tests.mail.smtp_server import (
    HOST,
    Certificates,
    Credentials,
    LoopbackController,
    Mailbox,
    open_connections_closed,
    parts_of,
)

TO = "grace@example.org"


def _settings(port: int, **values: Any) -> Settings:
    options: dict[str, Any] = {
        "mail_backend": "smtp",
        "smtp_host": HOST,
        "smtp_port": port,
        "smtp_security": "none",
        "smtp_timeout_seconds": 5.0,
    }
    return Settings(_env_file=None, **(options | values))


def _message(key: str = "password_reset:test-1") -> MailMessage:
    return render(
        to=TO,
        template="password_reset",
        context={
            "display_name": "Grace Hopper",
            "link": "http://127.0.0.1:8000/reset-password?token=oce_abc",
            "valid_for": "1 hour",
        },
        key=key,
    )


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def silent_server() -> Iterator[int]:
    """A port that accepts TCP connections but never says a word (no SMTP greeting)."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        sock.listen(8)
        yield int(sock.getsockname()[1])


@pytest.fixture
def starttls_server(mailbox: Mailbox, certificates: Certificates) -> Iterator[LoopbackController]:
    """A submission server (port 587 style): STARTTLS required, AUTH only after it."""
    controller = LoopbackController(
        mailbox,
        tls_context=certificates.server_context(),
        require_starttls=True,
        authenticator=Credentials(USERNAME, PASSWORD),
    )
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def implicit_tls_server(
    mailbox: Mailbox, certificates: Certificates
) -> Iterator[LoopbackController]:
    """TLS from the first byte (port 465 style)."""
    controller = LoopbackController(mailbox, ssl_context=certificates.server_context())
    controller.start()
    yield controller
    controller.stop()


@pytest.fixture
def untrusted_starttls_server(
    mailbox: Mailbox, untrusted_certificates: Certificates
) -> Iterator[LoopbackController]:
    controller = LoopbackController(
        mailbox, tls_context=untrusted_certificates.server_context(), require_starttls=True
    )
    controller.start()
    yield controller
    controller.stop()


class TestDelivery:
    async def test_the_message_reaches_the_recipient(
        self, smtp_server: LoopbackController, mailbox: Mailbox
    ) -> None:
        settings = _settings(smtp_server.port)

        await SmtpMailer(settings).send(_message())

        [received] = mailbox.received
        assert received.recipients == [TO]
        assert received.mail_from == parseaddr(settings.mail_from)[1]

    async def test_has_a_plain_text_and_an_html_part(
        self, smtp_server: LoopbackController, mailbox: Mailbox
    ) -> None:
        message = _message()

        await SmtpMailer(_settings(smtp_server.port)).send(message)

        received = mailbox.received[0].message
        assert received.get_content_type() == "multipart/alternative"
        assert parts_of(received) == {"text/plain": message.text, "text/html": message.html}

    async def test_from_to_and_subject_are_set(
        self, smtp_server: LoopbackController, mailbox: Mailbox
    ) -> None:
        settings = _settings(smtp_server.port, mail_from="Desk <desk@openchance.example>")

        await SmtpMailer(settings).send(_message())

        received = mailbox.received[0].message
        assert (received["From"], received["To"], received["Subject"]) == (
            "Desk <desk@openchance.example>",
            TO,
            "Reset your OpenChance password",
        )

    async def test_the_message_id_is_in_the_senders_domain(
        self, smtp_server: LoopbackController, mailbox: Mailbox
    ) -> None:
        settings = _settings(smtp_server.port, mail_from="Desk <desk@openchance.example>")

        await SmtpMailer(settings).send(_message())

        assert str(mailbox.received[0].message["Message-ID"]).endswith("@openchance.example>")

    async def test_the_message_id_is_the_same_for_the_same_key(
        self, smtp_server: LoopbackController, mailbox: Mailbox
    ) -> None:
        mailer = SmtpMailer(_settings(smtp_server.port))

        await mailer.send(_message(key="password_reset:same"))
        await mailer.send(_message(key="password_reset:same"))

        first, second = (received.message["Message-ID"] for received in mailbox.received)
        assert first == second

    async def test_the_message_id_differs_for_another_key(
        self, smtp_server: LoopbackController, mailbox: Mailbox
    ) -> None:
        mailer = SmtpMailer(_settings(smtp_server.port))

        await mailer.send(_message(key="password_reset:one"))
        await mailer.send(_message(key="password_reset:two"))

        first, second = (received.message["Message-ID"] for received in mailbox.received)
        assert first != second


class TestAuthentication:
    async def test_signs_in_with_the_configured_user_name_and_password(
        self, smtp_auth_server: LoopbackController, mailbox: Mailbox
    ) -> None:
        settings = _settings(smtp_auth_server.port, smtp_username=USERNAME, smtp_password=PASSWORD)

        await SmtpMailer(settings).send(_message())

        assert mailbox.received[0].login == USERNAME

    async def test_a_wrong_password_is_provider_unavailable(
        self, smtp_auth_server: LoopbackController, mailbox: Mailbox
    ) -> None:
        settings = _settings(
            smtp_auth_server.port, smtp_username=USERNAME, smtp_password="not-the-password"
        )

        with pytest.raises(ProviderUnavailable) as raised:
            await SmtpMailer(settings).send(_message())

        assert raised.value.provider == "smtp"
        assert mailbox.received == []

    async def test_the_password_is_not_in_the_error(
        self, smtp_auth_server: LoopbackController
    ) -> None:
        settings = _settings(
            smtp_auth_server.port, smtp_username=USERNAME, smtp_password="not-the-password"
        )

        with pytest.raises(ProviderUnavailable) as raised:
            await SmtpMailer(settings).send(_message())

        assert "not-the-password" not in str(raised.value.to_dict())


class TestTls:
    @pytest.fixture(autouse=True)
    async def _tls_connections_end_with_the_test(self) -> AsyncIterator[None]:
        """Set up before the servers, so torn down after they stopped, on the test's loop."""
        yield
        await open_connections_closed()

    async def test_starttls_upgrades_the_connection_before_signing_in(
        self, starttls_server: LoopbackController, mailbox: Mailbox, trust_test_ca: Path
    ) -> None:
        settings = _settings(
            starttls_server.port,
            smtp_host="localhost",
            smtp_security="starttls",
            smtp_username=USERNAME,
            smtp_password=PASSWORD,
        )

        await SmtpMailer(settings).send(_message())

        [received] = mailbox.received
        assert (received.tls, received.login) == (True, USERNAME)

    async def test_implicit_tls_encrypts_from_the_first_byte(
        self, implicit_tls_server: LoopbackController, mailbox: Mailbox, trust_test_ca: Path
    ) -> None:
        settings = _settings(implicit_tls_server.port, smtp_security="tls")

        await SmtpMailer(settings).send(_message())

        assert mailbox.received[0].tls

    async def test_a_certificate_from_an_unknown_authority_is_refused(
        self,
        untrusted_starttls_server: LoopbackController,
        mailbox: Mailbox,
        trust_test_ca: Path,
    ) -> None:
        settings = _settings(untrusted_starttls_server.port, smtp_security="starttls")

        with pytest.raises(ProviderUnavailable):
            await SmtpMailer(settings).send(_message())

        assert mailbox.received == []


class TestUnavailableServer:
    async def test_a_closed_port_fails_at_once(self) -> None:
        settings = _settings(_free_port(), smtp_timeout_seconds=30.0)
        started = time.monotonic()

        with pytest.raises(ProviderUnavailable):
            await SmtpMailer(settings).send(_message())

        assert time.monotonic() - started < 5

    async def test_a_server_that_never_answers_times_out(self, silent_server: int) -> None:
        settings = _settings(silent_server, smtp_timeout_seconds=0.5)
        started = time.monotonic()

        with pytest.raises(ProviderUnavailable):
            await SmtpMailer(settings).send(_message())

        assert time.monotonic() - started < 5
