"""``openchance payments``: the operator's view of payments into escrow and of the ledger."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Annotated

import typer
from rich.markup import escape
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from openchance import Actor, OpenChance
from openchance.db.types import Money
from openchance.models.payments import FundingStatus
from openchance.payments.fees import FeeBreakdown
from openchance.payments.funding_schemas import EscrowRead, FundingRead, RefundRead, RefundRequest
from openchance.payments.reconciliation import ReconciliationReport
from openchance.payments.schemas import InvariantReport
from openchance_cli.commands import payouts
from openchance_cli.output import JSON_OPTION_HELP, console, print_json, print_table
from openchance_cli.runtime import settings_or_exit, with_platform

app = typer.Typer(no_args_is_help=True, help="Payments into escrow, and the ledger.")

ACTOR = Actor.system("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]
VIOLATIONS_EXIT = 1


@app.command("check")
def check(json_output: JsonFlag = False) -> None:
    """Verify every ledger invariant over the whole database; exit 1 when one is violated.

    Every transaction balances per currency; postings are in their account's currency;
    cached balances equal the sums of the postings; no account is below its floor;
    reversals undo an existing transaction exactly, at most once.
    """
    progress = Progress(
        TextColumn("checking transactions"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=json_output,
        transient=True,
    )
    task = progress.add_task("check", total=None)

    def report(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    async def use(oc: OpenChance) -> InvariantReport:
        with progress:
            return await oc.ledger.check_invariants(ACTOR, report)

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
    else:
        _print_report(result)
    if not result.ok:
        raise typer.Exit(VIOLATIONS_EXIT)


def _print_report(result: InvariantReport) -> None:
    for invariant in result.checks:
        status = (
            "[green]ok[/]"
            if invariant.ok
            else f"[bold red]{invariant.violation_count} violation(s)[/]"
        )
        console.print(
            f"{escape(invariant.name)}: {status} ({invariant.checked} checked)", highlight=False
        )
        for violation in invariant.violations:
            console.print(
                f"  {escape(violation.subject)}: {escape(violation.detail)}",
                highlight=False,
                soft_wrap=True,
            )
        hidden = invariant.violation_count - len(invariant.violations)
        if hidden > 0:
            console.print(f"  … and {hidden} more", highlight=False)
    console.print(
        "ledger: ok" if result.ok else "[bold red]ledger: invariants violated[/]", highlight=False
    )


@app.command("preview")
def preview(
    challenge_id: Annotated[uuid.UUID, typer.Argument(help="The challenge's id.")],
    amount: Annotated[
        int | None,
        typer.Option("--amount", help="Minor units within a range reward; default its maximum."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """The fee preview of funding a challenge."""

    async def use(oc: OpenChance) -> FeeBreakdown:
        return await oc.payments.preview_funding(ACTOR, challenge_id, amount)

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
        return
    lines = [
        ("prize", result.prize_minor),
        ("platform fee (challenger)", result.challenger_fee_minor),
        ("fixed fee", result.fixed_fee_minor),
        ("processor fee (estimate)", result.processor_fee_minor),
        ("total charged", result.total_charged_minor),
        ("platform fee (solver)", result.solver_fee_minor),
        ("solvers receive", result.solver_receives_minor),
    ]
    for label, value in lines:
        console.print(f"{label}: {_money(value, result)}", highlight=False)
    if len(result.winners) > 1:
        print_table(
            "winners",
            ["rank", "share", "share amount", "solver fee", "receives"],
            (
                (line.rank, f"{line.percent} %", _money(line.share_minor, result),
                 _money(line.solver_fee_minor, result), _money(line.net_minor, result))
                for line in result.winners
            ),
        )  # fmt: skip
    if result.milestones:
        print_table(
            "milestones",
            ["#", "title", "amount", "solver fee", "receives"],
            (
                (line.position, line.title, _money(line.amount_minor, result),
                 _money(line.solver_fee_minor, result), _money(line.net_minor, result))
                for line in result.milestones
            ),
        )  # fmt: skip


def _money(amount_minor: int, breakdown: FeeBreakdown) -> str:
    return Money(amount_minor, breakdown.currency).format()


@app.command("list")
def list_payments(
    status: Annotated[
        FundingStatus | None, typer.Option("--status", help="Only fundings in this status.")
    ] = None,
    challenge_id: Annotated[
        uuid.UUID | None, typer.Option("--challenge", help="Only this challenge's fundings.")
    ] = None,
    limit: Annotated[int, typer.Option("--limit", min=1, max=500)] = 50,
    json_output: JsonFlag = False,
) -> None:
    """Payments into escrow, newest first."""

    async def use(oc: OpenChance) -> list[FundingRead]:
        return await oc.escrow.list_fundings(
            ACTOR, status=status, challenge_id=challenge_id, limit=limit
        )

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
        return
    print_table(
        "payments",
        ["id", "challenge", "milestone", "status", "charged", "escrowed", "created"],
        (
            (funding.id, funding.challenge_id, funding.milestone_position or "",
             _funding_status(funding), _money(funding.total_minor, funding.breakdown),
             "yes" if funding.escrowed else "no", funding.created_at.isoformat(timespec="seconds"))
            for funding in result
        ),
    )  # fmt: skip


@app.command("show")
def show(
    funding_id: Annotated[uuid.UUID, typer.Argument(help="The funding's id.")],
    json_output: JsonFlag = False,
) -> None:
    """One payment into escrow, with the fee breakdown it was charged by."""

    async def use(oc: OpenChance) -> FundingRead:
        return await oc.escrow.get_funding(ACTOR, funding_id)

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
        return
    breakdown = result.breakdown
    for label, value in (
        ("funding", result.id),
        ("challenge", result.challenge_id),
        ("milestone", result.milestone_position or "the whole prize"),
        ("status", _funding_status(result)),
        ("processor", f"{result.processor.value} {result.processor_payment_id or ''}".strip()),
        ("prize", _money(breakdown.prize_minor, breakdown)),
        ("platform fee (challenger)", _money(breakdown.challenger_fee_minor, breakdown)),
        ("fixed fee", _money(breakdown.fixed_fee_minor, breakdown)),
        ("processor fee (estimate)", _money(breakdown.processor_fee_minor, breakdown)),
        ("total charged", _money(result.total_minor, breakdown)),
        ("escrowed", "yes" if result.escrowed else "no"),
    ):
        console.print(f"{label}: {escape(str(value))}", highlight=False)
    if result.failure_message:
        console.print(f"note: {escape(result.failure_message)}", highlight=False)


@app.command("escrow")
def escrow(
    challenge_id: Annotated[uuid.UUID, typer.Argument(help="The challenge's id.")],
    json_output: JsonFlag = False,
) -> None:
    """A challenge's escrow: what is funded, the fee policy it carries, and its payments."""

    async def use(oc: OpenChance) -> EscrowRead:
        return await oc.escrow.get_escrow(ACTOR, challenge_id)

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
        return
    console.print(
        f"funded: {'yes' if result.funded else 'no'}; prize in escrow "
        f"{Money(result.prize_funded_minor, result.currency).format()} of "
        f"{Money(result.prize_minor, result.currency).format()}",
        highlight=False,
    )
    if result.milestones_funded:
        console.print(
            "milestones funded: " + ", ".join(map(str, result.milestones_funded)),
            highlight=False,
        )
    if result.fee_policy is not None:
        policy = result.fee_policy
        console.print(
            f"fee policy: challenger {policy.challenger_fee_bps} bps, solver "
            f"{policy.solver_fee_bps} bps, fixed {policy.fixed_fee}, auto-release after "
            f"{policy.auto_release_days} days",
            highlight=False,
        )
    print_table(
        "payments",
        ["id", "milestone", "status", "charged", "escrowed"],
        (
            (funding.id, funding.milestone_position or "", _funding_status(funding),
             _money(funding.total_minor, funding.breakdown),
             "yes" if funding.escrowed else "no")
            for funding in result.fundings
        ),
    )  # fmt: skip


@app.command("refund")
def refund(
    funding_id: Annotated[uuid.UUID, typer.Argument(help="The funding to refund.")],
    reason: Annotated[str, typer.Option("--reason", help="Why; shown to the payer.")],
    amount: Annotated[
        int | None,
        typer.Option("--amount", min=1, help="Minor units; default all that is refundable."),
    ] = None,
    idempotency_key: Annotated[
        str | None,
        typer.Option("--idempotency-key", help="Run again with the same key to retry safely."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Give a funding's money back to the payer's card."""

    async def use(oc: OpenChance) -> RefundRead:
        return await oc.refunds.refund_funding(
            ACTOR, funding_id, RefundRequest(amount_minor=amount, reason=reason),
            idempotency_key=idempotency_key,
        )  # fmt: skip

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
        return
    console.print(
        f"refund {result.id}: {result.status.value}, "
        f"{Money(result.amount_minor, result.currency).format()} to the card "
        f"(processor fee returned: {Money(result.processor_fee_minor, result.currency).format()})",
        highlight=False,
    )


@app.command("reconcile")
def reconcile(
    since: Annotated[
        datetime | None,
        typer.Option("--since", help="Only records created since then (ISO 8601, UTC)."),
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Compare the ledger with the processor's payments and refunds; exit 1 on a mismatch.

    The result is stored: staff see the last one (the daily job runs it too)."""

    async def use(oc: OpenChance) -> ReconciliationReport:
        moment = since.replace(tzinfo=UTC) if since and since.tzinfo is None else since
        return await oc.reconciliation.run(ACTOR, since=moment)

    result = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(result)
    else:
        console.print(
            f"{result.processor}: {result.payments_checked} payments, "
            f"{result.refunds_checked} refunds, {result.transfers_checked} transfers, "
            f"{result.payouts_checked} payouts checked, "
            f"{result.mismatch_count} mismatch(es)",
            highlight=False,
        )
        print_table(
            "mismatches",
            ["kind", "subject", "detail"],
            ((m.kind, m.subject, m.detail) for m in result.mismatches),
        )
    if not result.ok:
        raise typer.Exit(VIOLATIONS_EXIT)


def _funding_status(funding: FundingRead) -> str:
    if funding.failure_code and funding.status is not FundingStatus.FAILED:
        return f"{funding.status.value} ({funding.failure_code})"
    return funding.status.value


payouts.register(app)
