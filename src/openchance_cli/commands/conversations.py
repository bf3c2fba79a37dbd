"""``openchance conversations``: list conversations and show one's messages, as the
operator (each ``show`` of a conversation is audited as the operator reading it)."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer
from pydantic import BaseModel

from openchance import Actor, OpenChance
from openchance.actor import ClientInfo
from openchance.messaging.schemas import (
    CONVERSATION_LIMIT_MAX,
    PAGE_LIMIT_MAX,
    ConversationPage,
    ConversationQuery,
    ConversationRead,
    MessagePage,
    MessageQuery,
)
from openchance_cli.commands.users import resolve_user
from openchance_cli.output import JSON_OPTION_HELP, console, print_fields, print_json, print_table
from openchance_cli.runtime import settings_or_exit, validated, with_platform

app = typer.Typer(no_args_is_help=True, help="List conversations and read their messages.")

ACTOR = Actor.system("cli")
CLIENT = ClientInfo.local("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]


class ConversationShown(BaseModel):
    """What ``show --json`` prints."""

    conversation: ConversationRead
    messages: MessagePage


def _participants(conversation: ConversationRead) -> str:
    return ", ".join(f"{p.display_name} ({p.role.value})" for p in conversation.participants)


@app.command("list")
def list_conversations(
    user: Annotated[
        str | None, typer.Option("--user", help="Only this user's (id or e-mail).")
    ] = None,
    limit: Annotated[
        int, typer.Option(min=1, max=CONVERSATION_LIMIT_MAX, help="At most this many.")
    ] = 20,
    cursor: Annotated[
        str | None, typer.Option(help="Continue after a previous page (its next cursor).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Conversations, most recent activity first (everyone's, or one user's)."""
    query = validated(ConversationQuery, limit=limit, cursor=cursor)

    async def use(oc: OpenChance) -> ConversationPage:
        participant_id = await resolve_user(oc, user) if user else None
        return await oc.messaging.list_conversations(
            ACTOR, query.model_copy(update={"participant_id": participant_id})
        )

    page = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(page)
        return
    print_table(
        f"Conversations ({len(page.items)})",
        ["id", "challenge", "participants", "messages", "last activity", "last message"],
        [
            (
                item.id,
                item.challenge_title,
                _participants(item),
                item.last_seq,
                item.last_activity_at,
                item.last_message.preview if item.last_message else None,
            )
            for item in page.items
        ],
    )
    if page.next_cursor:
        print(f"More: --cursor {page.next_cursor}")


@app.command("show")
def show(
    conversation_id: Annotated[uuid.UUID, typer.Argument(help="The conversation's id.")],
    limit: Annotated[
        int, typer.Option(min=1, max=PAGE_LIMIT_MAX, help="The newest this many messages.")
    ] = 50,
    json_output: JsonFlag = False,
) -> None:
    """One conversation and its newest messages (audited as the operator reading it)."""
    query = validated(MessageQuery, limit=limit)

    async def use(oc: OpenChance) -> ConversationShown:
        conversation = await oc.messaging.get_conversation(ACTOR, conversation_id, client=CLIENT)
        messages = await oc.messaging.list_messages(ACTOR, conversation_id, query, client=CLIENT)
        return ConversationShown(conversation=conversation, messages=messages)

    shown = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(shown)
        return
    conversation = shown.conversation
    names = {p.user_id: p.display_name for p in conversation.participants}
    print_fields(
        f"Conversation about {conversation.challenge_title}",
        {
            "id": conversation.id,
            "challenge": conversation.challenge_id,
            "application": conversation.application_id,
            "participants": _participants(conversation),
            "messages": conversation.last_seq,
            "last activity": conversation.last_activity_at,
        },
    )
    if shown.messages.has_more:
        console.print(f"(older messages before #{shown.messages.items[0].seq}: raise --limit)")
    print_table(
        "Messages",
        ["#", "sent", "from", "message", "files"],
        [
            (
                message.seq,
                message.created_at,
                names.get(message.sender_id, "former participant")
                if message.sender_id
                else "OpenChance",
                message.body,
                [a.filename for a in message.attachments],
            )
            for message in shown.messages.items
        ],
    )
