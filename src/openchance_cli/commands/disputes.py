"""``openchance disputes``: support's queue of disputes, and their decision."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from rich.markup import escape

from openchance import Actor, OpenChance
from openchance.models.payments import DisputeOutcome, DisputeStatus
from openchance.payments.dispute_schemas import DisputeDecision, DisputeRead
from openchance_cli.output import JSON_OPTION_HELP, console, print_json, print_table
from openchance_cli.runtime import settings_or_exit, with_platform

app = typer.Typer(no_args_is_help=True, help="Disputes over milestones: the queue and decisions.")

ACTOR = Actor.system("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]


@app.command("list")
def list_disputes(
    status: Annotated[
        DisputeStatus | None, typer.Option("--status", help="Only disputes in this status.")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Disputes, oldest first."""

    async def use(oc: OpenChance) -> list[DisputeRead]:
        return await oc.disputes.list_disputes(ACTOR, status=status)

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
        return
    print_table(
        "disputes",
        ["id", "challenge", "milestone", "status", "outcome", "opened", "reason"],
        (
            (d.id, d.challenge_id, d.milestone_id, d.status.value,
             d.outcome.value if d.outcome else "", d.created_at.isoformat(timespec="seconds"),
             d.reason[:60])
            for d in result
        ),
    )  # fmt: skip


@app.command("show")
def show(
    dispute_id: Annotated[uuid.UUID, typer.Argument(help="The dispute's id.")],
    json_output: JsonFlag = False,
) -> None:
    """One dispute with its evidence and, once decided, the decision."""

    async def use(oc: OpenChance) -> DisputeRead:
        return await oc.disputes.get_dispute(ACTOR, dispute_id)

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
        return
    _print(result)


@app.command("decide")
def decide(
    dispute_id: Annotated[uuid.UUID, typer.Argument(help="The dispute's id.")],
    outcome: Annotated[
        DisputeOutcome, typer.Option("--outcome", help="What happens to the money.")
    ],
    note: Annotated[str, typer.Option("--note", help="Why; both sides see it.")],
    release: Annotated[
        int | None, typer.Option("--release", min=0, help="A split: the solver's minor units.")
    ] = None,
    refund: Annotated[
        int | None, typer.Option("--refund", min=0, help="A split: the challenger's minor units.")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Decide a dispute: the money moves at once, the card refund follows by a job."""

    async def use(oc: OpenChance) -> DisputeRead:
        data = DisputeDecision(
            outcome=outcome, note=note, release_minor=release, refund_minor=refund
        )
        return await oc.disputes.decide_dispute(ACTOR, dispute_id, data)

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
        return
    _print(result)


def _print(dispute: DisputeRead) -> None:
    lines: list[tuple[str, object]] = [
        ("dispute", dispute.id),
        ("challenge", dispute.challenge_id),
        ("milestone", dispute.milestone_id),
        ("status", dispute.status.value),
        ("reason", dispute.reason),
        ("evidence", dispute.evidence or "—"),
        ("messages cited", ", ".join(map(str, dispute.message_ids)) or "—"),
    ]
    if dispute.outcome is not None:
        lines += [
            ("outcome", dispute.outcome.value),
            ("released to the solver (minor units)", dispute.released_minor),
            ("refunded to the challenger (minor units)", dispute.refunded_minor),
            ("decision", dispute.decision_note or ""),
        ]
    if dispute.refund is not None:
        lines.append(("refund", f"{dispute.refund.id} {dispute.refund.status.value}"))
    for label, value in lines:
        console.print(f"{label}: {escape(str(value))}", highlight=False, soft_wrap=True)
