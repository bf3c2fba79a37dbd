"""``openchance applications``: list and show applications, as the operator."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from openchance import Actor, OpenChance
from openchance.applications.schemas import ApplicationFilter, ApplicationPage, ApplicationRead
from openchance.models.applications import ApplicationStatus
from openchance_cli.commands.users import resolve_user
from openchance_cli.output import JSON_OPTION_HELP, print_fields, print_json, print_table
from openchance_cli.runtime import settings_or_exit, validated, with_platform

app = typer.Typer(no_args_is_help=True, help="List and show applications to challenges.")

ACTOR = Actor.system("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]


@app.command("list")
def list_applications(
    challenge: Annotated[
        uuid.UUID | None, typer.Option("--challenge", help="Only this challenge's (its id).")
    ] = None,
    solver: Annotated[
        str | None, typer.Option("--solver", help="Only this solver's (id or e-mail).")
    ] = None,
    status: Annotated[ApplicationStatus | None, typer.Option(help="Only this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many.")] = 50,
    cursor: Annotated[
        str | None, typer.Option(help="Continue after a previous page (its next cursor).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Every application, newest first."""
    query = validated(
        ApplicationFilter, challenge_id=challenge, status=status, limit=limit, cursor=cursor
    )

    async def use(oc: OpenChance) -> ApplicationPage:
        solver_id = await resolve_user(oc, solver) if solver else None
        return await oc.applications.list_applications(
            ACTOR, query.model_copy(update={"solver_id": solver_id})
        )

    page = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(page)
        return
    print_table(
        f"Applications ({len(page.items)})",
        ["id", "status", "challenge", "solver", "bid", "days", "sent"],
        [
            (
                item.id,
                item.status.value,
                item.challenge.title,
                item.solver.display_name,
                item.bid.formatted,
                item.estimated_days,
                item.created_at,
            )
            for item in page.items
        ],
    )
    if page.next_cursor:
        print(f"More: --cursor {page.next_cursor}")


@app.command("show")
def show(
    application_id: Annotated[uuid.UUID, typer.Argument(help="The application's id.")],
    json_output: JsonFlag = False,
) -> None:
    """Everything about one application."""

    async def use(oc: OpenChance) -> ApplicationRead:
        return await oc.applications.get_application(ACTOR, application_id)

    application = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(application)
        return
    fields = application.model_dump(
        exclude={"proposal_html", "challenge", "solver", "bid", "milestone_bids", "attachments"}
    )
    fields |= {
        "challenge": f"{application.challenge.title} ({application.challenge.id}, "
        f"{application.challenge.status.value})",
        "solver": f"{application.solver.display_name} ({application.solver.id})",
        "bid": application.bid.formatted,
        "milestone_bids": [
            f"{b.position}. {b.title}: {b.amount.formatted}" for b in application.milestone_bids
        ],
        "attachments": [f"{a.filename} ({a.size_bytes} bytes)" for a in application.attachments],
    }
    print_fields(f"Application to {application.challenge.title}", fields)
