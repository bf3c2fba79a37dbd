"""``openchance mail``: read the e-mail the database backend kept instead of sending it."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.markup import escape

from openchance import Actor, OpenChance
from openchance.config import MailBackend
from openchance.mail.schemas import MailRead, OutboxFilter
from openchance_cli.output import JSON_OPTION_HELP, console, format_value, print_json
from openchance_cli.runtime import errors, settings_or_exit, validated, with_platform

app = typer.Typer(no_args_is_help=True, help="Read outgoing e-mail kept in the database.")

ACTOR = Actor.system("cli")


@app.command("outbox")
def outbox(
    to: Annotated[str | None, typer.Option("--to", help="Only mail to this address.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 20,
    json_output: Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)] = False,
) -> None:
    """Mail kept by the database backend, newest first, with the links in each message
    (verification and reset links: open them to follow a flow without a mail server)."""
    query = validated(OutboxFilter, to=to, limit=limit)
    settings = settings_or_exit()

    async def use(oc: OpenChance) -> list[MailRead]:
        return await oc.mail.list_outbox(ACTOR, query)

    messages = with_platform(settings, use)
    if json_output:
        print_json(messages)
        return
    if settings.mail_backend is not MailBackend.DATABASE:
        errors.print(
            f"note: OPENCHANCE_MAIL_BACKEND is {settings.mail_backend}: new mail is sent, "
            "not kept here",
            highlight=False,
            soft_wrap=True,
        )
    if not messages:
        console.print("no mail" + (f" to {escape(to)}" if to else ""), highlight=False)
        return
    for number, message in enumerate(messages):
        if number:
            console.print()
        _print_message(message)


def _print_message(message: MailRead) -> None:
    # soft_wrap: a long link stays one line, so the terminal keeps it clickable.
    console.print(
        f"[bold]{format_value(message.created_at)}[/]  to [bold]{escape(message.to_address)}[/]",
        highlight=False,
        soft_wrap=True,
    )
    console.print(
        f"  {escape(message.subject)}  [dim]({escape(message.template)})[/]",
        highlight=False,
        soft_wrap=True,
    )
    for link in message.links:
        console.print(f"  {escape(link)}", highlight=False, soft_wrap=True)
