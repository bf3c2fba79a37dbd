"""``openchance users``: create accounts (the first admin), find them, change roles, suspend."""

from __future__ import annotations

import contextlib
import uuid
from typing import Annotated

import typer

from openchance import Actor, InvalidInput, NotFound, OpenChance, Role
from openchance.accounts.emails import normalise_email
from openchance.accounts.schemas import (
    RoleChange,
    StatusChange,
    UserAdminRead,
    UserCreate,
    UserFilter,
)
from openchance.actor import ClientInfo
from openchance.models.accounts import UserStatus
from openchance_cli.output import JSON_OPTION_HELP, print_fields, print_json, print_table
from openchance_cli.runtime import settings_or_exit, validated, with_platform

app = typer.Typer(no_args_is_help=True, help="Create, find, re-role and suspend user accounts.")

ACTOR = Actor.system("cli")
CLIENT = ClientInfo.local("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]
UserRef = Annotated[str, typer.Argument(help="The user's id or e-mail address.")]
ReasonOption = Annotated[
    str, typer.Option("--reason", help="Why (at least 3 characters); kept in the audit log.")
]


async def resolve_user(oc: OpenChance, reference: str) -> uuid.UUID:
    """The id of the user ``reference`` names: an id as is, or an e-mail address looked up."""
    with contextlib.suppress(ValueError):
        return uuid.UUID(reference)
    try:
        email = normalise_email(reference)
    except InvalidInput:
        raise NotFound("user", reference) from None
    candidates = await oc.users.list_users(ACTOR, UserFilter(query=email, limit=500))
    for user in candidates:
        if user.email == email:
            return user.id
    raise NotFound("user", email)


def _print_user(title: str, user: UserAdminRead, json_output: bool) -> None:
    if json_output:
        print_json(user)
        return
    print_fields(title, user.model_dump())


@app.command("create")
def create(
    email: Annotated[str, typer.Argument(help="The new account's e-mail address.")],
    name: Annotated[str, typer.Option("--name", help="Display name.")],
    password: Annotated[
        str,
        typer.Option(
            prompt=True,
            hide_input=True,
            confirmation_prompt=True,
            help="The password. Leave it out to be asked (hidden, twice): a password on the "
            "command line stays in the shell history and shows in the process list.",
        ),
    ],
    role: Annotated[Role | None, typer.Option(help="The account's role (default: user).")] = None,
    admin: Annotated[
        bool, typer.Option("--admin", help="Make an admin (same as --role admin): the first one.")
    ] = False,
    unverified: Annotated[
        bool,
        typer.Option(
            "--unverified", help="Leave the e-mail address unverified (default: verified)."
        ),
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """Create an account directly; with --admin, the first admin."""
    if admin and role not in (None, Role.ADMIN):
        raise typer.BadParameter(f"--admin contradicts --role {role}", param_hint="--role")
    data = validated(
        UserCreate,
        email=email,
        password=password,
        display_name=name,
        role=Role.ADMIN if admin else (role or Role.USER),
        email_verified=not unverified,
    )

    async def use(oc: OpenChance) -> UserAdminRead:
        return await oc.users.create_user(ACTOR, data, CLIENT)

    user = with_platform(settings_or_exit(), use)
    _print_user(f"Created user {user.email}", user, json_output)


@app.command("list")
def list_users(
    query: Annotated[
        str | None, typer.Option("--query", "-q", help="Part of the e-mail or name.")
    ] = None,
    role: Annotated[Role | None, typer.Option(help="Only users with this role.")] = None,
    status: Annotated[UserStatus | None, typer.Option(help="Only users in this status.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=500, help="At most this many.")] = 50,
    json_output: JsonFlag = False,
) -> None:
    """List accounts, newest first."""
    query_filter = validated(UserFilter, query=query, role=role, status=status, limit=limit)

    async def use(oc: OpenChance) -> list[UserAdminRead]:
        return await oc.users.list_users(ACTOR, query_filter)

    users = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(users)
        return
    print_table(
        f"Users ({len(users)})",
        ["id", "e-mail", "name", "role", "status", "verified", "created"],
        [
            (
                user.id,
                user.email,
                user.display_name,
                user.role.value,
                user.status.value,
                "yes" if user.email_verified else "no",
                user.created_at,
            )
            for user in users
        ],
    )


@app.command("show")
def show(user: UserRef, json_output: JsonFlag = False) -> None:
    """Everything staff may see of one account."""

    async def use(oc: OpenChance) -> UserAdminRead:
        return await oc.users.get_user(ACTOR, await resolve_user(oc, user))

    found = with_platform(settings_or_exit(), use)
    _print_user(f"User {found.email}", found, json_output)


@app.command("set-role")
def set_role(
    user: UserRef,
    role: Annotated[Role, typer.Argument(help="The new role.")],
    reason: ReasonOption,
    json_output: JsonFlag = False,
) -> None:
    """Give an account another role (recorded in the audit log)."""
    change = validated(RoleChange, role=role, reason=reason)

    async def use(oc: OpenChance) -> UserAdminRead:
        return await oc.users.set_role(ACTOR, await resolve_user(oc, user), change, CLIENT)

    changed = with_platform(settings_or_exit(), use)
    _print_user(f"{changed.email} is now {changed.role}", changed, json_output)


@app.command("suspend")
def suspend(user: UserRef, reason: ReasonOption, json_output: JsonFlag = False) -> None:
    """Lock an account and end all its sessions at once (recorded in the audit log)."""
    change = validated(StatusChange, reason=reason)

    async def use(oc: OpenChance) -> UserAdminRead:
        return await oc.users.suspend(ACTOR, await resolve_user(oc, user), change, CLIENT)

    changed = with_platform(settings_or_exit(), use)
    _print_user(f"Suspended {changed.email}", changed, json_output)


@app.command("unsuspend")
def unsuspend(user: UserRef, reason: ReasonOption, json_output: JsonFlag = False) -> None:
    """Let a suspended account sign in again (recorded in the audit log)."""
    change = validated(StatusChange, reason=reason)

    async def use(oc: OpenChance) -> UserAdminRead:
        return await oc.users.unsuspend(ACTOR, await resolve_user(oc, user), change, CLIENT)

    changed = with_platform(settings_or_exit(), use)
    _print_user(f"Unsuspended {changed.email}", changed, json_output)


@app.command("delete")
def delete(
    user: UserRef,
    reason: ReasonOption,
    yes: Annotated[bool, typer.Option("--yes", help="Do not ask for confirmation.")] = False,
    json_output: JsonFlag = False,
) -> None:
    """Delete an account on its holder's behalf: personal data is anonymised, every session
    ends; audit rows stay (recorded in the audit log)."""
    change = validated(StatusChange, reason=reason)
    if not yes:
        typer.confirm(f"Delete the account {user}? This cannot be undone", abort=True)

    async def use(oc: OpenChance) -> UserAdminRead:
        return await oc.users.delete_user(ACTOR, await resolve_user(oc, user), change, CLIENT)

    deleted = with_platform(settings_or_exit(), use)
    _print_user("Deleted the account (now anonymised)", deleted, json_output)
