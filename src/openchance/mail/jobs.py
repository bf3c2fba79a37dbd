"""The ``mail.send`` job: render a template and hand it to the configured mailer."""

from __future__ import annotations

from openchance.jobs import JobContext, JobRegistry, JobType
from openchance.mail.rendering import render
from openchance.mail.schemas import SendMail

SEND_MAIL = JobType("mail.send", SendMail, max_attempts=12, timeout_seconds=120)


async def send_mail(context: JobContext, payload: SendMail) -> None:
    message = render(
        to=payload.to, template=payload.template, context=payload.context, key=payload.key
    )
    await context.platform.mailer.send(message)


def register(registry: JobRegistry) -> None:
    registry.add_handler(SEND_MAIL, send_mail)
