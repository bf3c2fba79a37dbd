"""The mail port: the database outbox (embedded default) or an SMTP server (aiosmtplib)."""

from __future__ import annotations

import hashlib
from email.message import EmailMessage
from email.utils import formatdate, parseaddr
from typing import TYPE_CHECKING, Protocol

import aiosmtplib
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from openchance.config import Settings, SmtpSecurity
from openchance.db.types import utcnow
from openchance.errors import ProviderUnavailable
from openchance.mail.schemas import MailMessage
from openchance.models.mail import OutboundMail

if TYPE_CHECKING:
    from openchance.platform import OpenChance


class Mailer(Protocol):
    async def send(self, message: MailMessage) -> None:
        """Deliver ``message``; a repeated key must not deliver a second copy where the
        backend can tell (the database can; SMTP servers dedupe by Message-ID at best)."""
        ...


class DatabaseMailer:
    """Keeps each message in ``outbound_mail``; `openchance mail outbox` reads it."""

    def __init__(self, platform: OpenChance) -> None:
        self._platform = platform

    async def send(self, message: MailMessage) -> None:
        async with self._platform.unit_of_work() as uow:
            dialect = uow.session.get_bind().dialect.name
            insert = pg_insert if dialect == "postgresql" else sqlite_insert
            await uow.session.execute(
                insert(OutboundMail)
                .values(
                    to_address=message.to,
                    from_address=self._platform.settings.mail_from,
                    subject=message.subject,
                    text_body=message.text,
                    html_body=message.html,
                    template=message.template,
                    message_key=message.key,
                    created_at=utcnow(),
                )
                .on_conflict_do_nothing(index_elements=["message_key"])
            )


class SmtpMailer:
    """Sends through an SMTP server: multipart/alternative, text first then HTML."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    def build(self, message: MailMessage) -> EmailMessage:
        email = EmailMessage()
        email["From"] = self._settings.mail_from
        email["To"] = message.to
        email["Subject"] = message.subject
        email["Date"] = formatdate(localtime=False)
        domain = parseaddr(self._settings.mail_from)[1].rpartition("@")[2] or "openchance"
        digest = hashlib.sha256(message.key.encode()).hexdigest()[:32]
        email["Message-ID"] = f"<{digest}@{domain}>"
        email.set_content(message.text)
        email.add_alternative(message.html, subtype="html")
        return email

    async def send(self, message: MailMessage) -> None:
        settings = self._settings
        password = settings.smtp_password.get_secret_value() if settings.smtp_password else None
        try:
            await aiosmtplib.send(
                self.build(message),
                hostname=settings.smtp_host,
                port=settings.smtp_port,
                username=settings.smtp_username,
                password=password,
                use_tls=settings.smtp_security is SmtpSecurity.TLS,
                start_tls=settings.smtp_security is SmtpSecurity.STARTTLS,
                timeout=settings.smtp_timeout_seconds,
            )
        except (aiosmtplib.SMTPException, OSError) as exc:
            raise ProviderUnavailable("smtp", f"could not send e-mail: {exc}") from exc
