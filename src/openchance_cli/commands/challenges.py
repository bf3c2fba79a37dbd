"""``openchance challenges``: list and show challenges, approve or reject those pending
review, cancel one, and expire those past their deadline."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from openchance import Actor, OpenChance
from openchance.actor import ClientInfo
from openchance.challenges.schemas import (
    ChallengeCancellation,
    ChallengeFilter,
    ChallengePage,
    ChallengeRead,
    ChallengeRejection,
)
from openchance.models.challenges import CancelReason, ChallengeStatus
from openchance_cli.commands.users import resolve_user
from openchance_cli.output import JSON_OPTION_HELP, print_fields, print_json, print_table
from openchance_cli.runtime import settings_or_exit, validated, with_platform

app = typer.Typer(
    no_args_is_help=True,
    help="List and show challenges; approve, reject, cancel and expire them.",
)

ACTOR = Actor.system("cli")
CLIENT = ClientInfo.local("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]
ChallengeId = Annotated[uuid.UUID, typer.Argument(help="The challenge's id.")]


def _print_challenge(title: str, challenge: ChallengeRead, json_output: bool) -> None:
    if json_output:
        print_json(challenge)
        return
    fields = challenge.model_dump(
        exclude={"description_html", "clarifications", "reward", "owner", "category"}
    )
    fields |= {
        "category": challenge.category.name,
        "owner": f"{challenge.owner.display_name} ({challenge.owner.id})",
        "reward": challenge.reward.formatted,
        "milestones": [
            f"{m.position}. {m.title}: {m.amount.formatted}" for m in challenge.reward.milestones
        ],
        "clarifications": [f"{c.created_at:%Y-%m-%d} {c.body}" for c in challenge.clarifications],
    }
    print_fields(title, fields)


@app.command("list")
def list_challenges(
    status: Annotated[
        ChallengeStatus | None,
        typer.Option(help="Only this status (pending_review: the moderation queue)."),
    ] = None,
    owner: Annotated[
        str | None, typer.Option("--owner", help="Only this challenger (id or e-mail).")
    ] = None,
    category: Annotated[str | None, typer.Option(help="Only this category (slug).")] = None,
    limit: Annotated[int, typer.Option(min=1, max=100, help="At most this many.")] = 50,
    cursor: Annotated[
        str | None, typer.Option(help="Continue after a previous page (its next cursor).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Every challenge, in any state; pending review: longest waiting first."""
    query = validated(ChallengeFilter, status=status, category=category, limit=limit, cursor=cursor)

    async def use(oc: OpenChance) -> ChallengePage:
        owner_id = await resolve_user(oc, owner) if owner else None
        return await oc.challenges.list_challenges(
            ACTOR, query.model_copy(update={"owner_id": owner_id})
        )

    page = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(page)
        return
    print_table(
        f"Challenges ({len(page.items)})",
        ["id", "status", "title", "category", "reward", "deadline", "challenger"],
        [
            (
                item.id,
                item.status.value,
                item.title,
                item.category.slug,
                item.reward.formatted,
                item.deadline,
                item.owner.display_name,
            )
            for item in page.items
        ],
    )
    if page.next_cursor:
        print(f"More: --cursor {page.next_cursor}")


@app.command("show")
def show(challenge_id: ChallengeId, json_output: JsonFlag = False) -> None:
    """Everything about one challenge."""

    async def use(oc: OpenChance) -> ChallengeRead:
        return await oc.challenges.get_challenge(ACTOR, challenge_id)

    challenge = with_platform(settings_or_exit(), use)
    _print_challenge(challenge.title, challenge, json_output)


@app.command("approve")
def approve(challenge_id: ChallengeId, json_output: JsonFlag = False) -> None:
    """Publish a challenge pending review (recorded in the audit log)."""

    async def use(oc: OpenChance) -> ChallengeRead:
        return await oc.challenges.approve_challenge(ACTOR, challenge_id, CLIENT)

    challenge = with_platform(settings_or_exit(), use)
    _print_challenge(f"Approved: {challenge.title} is {challenge.status}", challenge, json_output)


@app.command("reject")
def reject(
    challenge_id: ChallengeId,
    reason: Annotated[
        str, typer.Option("--reason", help="What to change; the challenger sees it.")
    ],
    json_output: JsonFlag = False,
) -> None:
    """Send a challenge pending review back to its challenger as a draft, with a reason."""
    rejection = validated(ChallengeRejection, reason=reason)

    async def use(oc: OpenChance) -> ChallengeRead:
        return await oc.challenges.reject_challenge(ACTOR, challenge_id, rejection, CLIENT)

    challenge = with_platform(settings_or_exit(), use)
    _print_challenge(f"Sent back: {challenge.title}", challenge, json_output)


@app.command("cancel")
def cancel(
    challenge_id: ChallengeId,
    reason: Annotated[CancelReason, typer.Option("--reason", help="Why it is cancelled.")],
    note: Annotated[
        str | None, typer.Option("--note", help="More words (required with --reason other).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Cancel a challenge as staff (recorded in the audit log; the challenger is told)."""
    cancellation = validated(ChallengeCancellation, reason=reason, note=note)

    async def use(oc: OpenChance) -> ChallengeRead:
        return await oc.challenges.cancel_challenge(ACTOR, challenge_id, cancellation, CLIENT)

    challenge = with_platform(settings_or_exit(), use)
    _print_challenge(f"Cancelled: {challenge.title}", challenge, json_output)


@app.command("expire-due")
def expire_due(json_output: JsonFlag = False) -> None:
    """Expire every open or pending challenge whose deadline has passed (the workers do
    this on their own at each deadline; this is the manual sweep)."""

    async def use(oc: OpenChance) -> int:
        return await oc.challenges.expire_due(ACTOR)

    expired = with_platform(settings_or_exit(), use)
    if json_output:
        print_json({"expired": expired})
        return
    print(f"Expired {expired} challenge{'s' if expired != 1 else ''}.")
