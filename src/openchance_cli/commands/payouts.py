"""``openchance payments payouts|hold|release-hold``: solvers' payouts, and staff holds."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from openchance import Actor, OpenChance
from openchance.db.types import Money
from openchance.models.payouts import PayoutStatus
from openchance.payments.payout_schemas import PayoutRead
from openchance_cli.output import JSON_OPTION_HELP, console, print_json, print_table
from openchance_cli.runtime import settings_or_exit, with_platform

ACTOR = Actor.system("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]
Reason = Annotated[str, typer.Option("--reason", help="Why (kept in the audit log).")]
PayoutId = Annotated[uuid.UUID, typer.Argument(help="The payout's id.")]


def list_payouts(
    status: Annotated[
        PayoutStatus | None, typer.Option("--status", help="Only payouts in this status.")
    ] = None,
    user_id: Annotated[
        uuid.UUID | None, typer.Option("--user", help="Only this solver's payouts.")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Payouts to solvers, newest first."""

    async def use(oc: OpenChance) -> list[PayoutRead]:
        return await oc.payouts.list_payouts(ACTOR, status=status, user_id=user_id)

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
        return
    print_table(
        "payouts",
        ["id", "solver", "challenge", "status", "amount", "note", "created"],
        (
            (payout.id, payout.user_id, payout.challenge_id, payout.status.value,
             Money(payout.amount_minor, payout.currency).format(), _note(payout),
             payout.created_at.isoformat(timespec="seconds"))
            for payout in result
        ),
    )  # fmt: skip


def hold(payout_id: PayoutId, reason: Reason, json_output: JsonFlag = False) -> None:
    """Hold a payout not yet sent (audited; the solver is told)."""

    async def use(oc: OpenChance) -> PayoutRead:
        return await oc.payouts.hold(ACTOR, payout_id, reason)

    _print(with_platform(settings_or_exit(), use), json_output)


def release_hold(payout_id: PayoutId, reason: Reason, json_output: JsonFlag = False) -> None:
    """Let a held payout go: it is sent once its delay is over (audited)."""

    async def use(oc: OpenChance) -> PayoutRead:
        return await oc.payouts.release_hold(ACTOR, payout_id, reason)

    _print(with_platform(settings_or_exit(), use), json_output)


def register(app: typer.Typer) -> None:
    app.command("payouts")(list_payouts)
    app.command("hold")(hold)
    app.command("release-hold")(release_hold)


def _print(payout: PayoutRead, json_output: bool) -> None:
    if json_output:
        print_json(payout)
        return
    console.print(
        f"payout {payout.id}: {payout.status.value}, "
        f"{Money(payout.amount_minor, payout.currency).format()}"
        + (f" ({_note(payout)})" if _note(payout) else ""),
        highlight=False,
    )


def _note(payout: PayoutRead) -> str:
    if payout.status is PayoutStatus.ON_HOLD:
        return f"held: {payout.hold_reason}"
    if payout.failure_code:
        return f"failed: {payout.failure_code}"
    return f"waiting for {payout.waiting_for.replace('_', ' ')}" if payout.waiting_for else ""
