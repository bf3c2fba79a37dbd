"""``openchance conversations …``: the operator lists conversations and reads one."""

from __future__ import annotations

import json
import uuid

from openchance import Actor, OpenChance, Settings
from openchance.moderation.audit import AuditEntryRead, AuditFilter
from tests.cli.conftest import Invoke, on_platform
from tests.factories.messaging import ConversationIds, insert_conversation, post_text
from tests.factories.users import create_user

SYSTEM = Actor.system("tests")


def _conversation(settings: Settings, *, messages: int = 2) -> ConversationIds:
    async def use(oc: OpenChance) -> ConversationIds:
        challenger = await create_user(oc, email="grace@example.org", display_name="Grace")
        solver = await create_user(oc, display_name="Sam")
        ids = await insert_conversation(oc, challenger, solver)
        for n in range(messages):
            await post_text(oc, Actor.user(solver), ids.conversation_id, f"message {n + 1}")
        return ids

    return on_platform(settings, use)


def _audit(settings: Settings, action: str) -> list[AuditEntryRead]:
    async def use(oc: OpenChance) -> list[AuditEntryRead]:
        return await oc.audit.list_entries(SYSTEM, AuditFilter(action=action))

    return on_platform(settings, use)


class TestList:
    def test_it_lists_every_conversation_as_json(self, invoke: Invoke, settings: Settings) -> None:
        ids = _conversation(settings)

        result = invoke("conversations", "list", "--json")

        assert result.exit_code == 0, result.output
        (item,) = json.loads(result.stdout)["items"]
        assert (item["id"], item["last_seq"]) == (str(ids.conversation_id), 2)

    def test_it_lists_one_users_by_email(self, invoke: Invoke, settings: Settings) -> None:
        ids = _conversation(settings)

        mine = invoke("conversations", "list", "--user", "grace@example.org", "--json")
        nobody = invoke("conversations", "list", "--user", str(uuid.uuid4()), "--json")

        assert [i["id"] for i in json.loads(mine.stdout)["items"]] == [str(ids.conversation_id)]
        assert json.loads(nobody.stdout)["items"] == []

    def test_the_table_shows_the_challenge_and_participants(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        _conversation(settings)

        result = invoke("conversations", "list")

        assert result.exit_code == 0, result.output
        # Narrow terminal: the table folds long cells, so look for single words.
        assert "Conversations (1)" in result.stdout
        assert {"Forecast", "Grace"} <= set(result.stdout.split())


class TestShow:
    def test_it_shows_the_newest_messages(self, invoke: Invoke, settings: Settings) -> None:
        ids = _conversation(settings, messages=3)

        result = invoke("conversations", "show", str(ids.conversation_id), "--limit", "2", "--json")

        assert result.exit_code == 0, result.output
        shown = json.loads(result.stdout)
        assert [m["body"] for m in shown["messages"]["items"]] == ["message 2", "message 3"]
        assert shown["conversation"]["id"] == str(ids.conversation_id)

    def test_showing_is_audited_as_the_operator_reading(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        ids = _conversation(settings)

        result = invoke("conversations", "show", str(ids.conversation_id))

        assert result.exit_code == 0, result.output
        assert "message 1" in result.stdout
        (entry,) = _audit(settings, "conversation.read")
        assert (entry.actor_label, entry.target_id) == ("cli", str(ids.conversation_id))

    def test_an_unknown_conversation_exits_3(self, invoke: Invoke) -> None:
        result = invoke("conversations", "show", str(uuid.uuid4()))

        assert result.exit_code == 3
        assert "not_found" in result.stderr
