from __future__ import annotations

import pytest

from openchance import Actor, OpenChance, Role
from tests.factories.messaging import ConversationIds, insert_conversation
from tests.factories.users import create_user


@pytest.fixture
async def conversation(oc: OpenChance) -> ConversationIds:
    challenger = await create_user(oc, display_name="Grace Challenger")
    solver = await create_user(oc, display_name="Sam Solver")
    return await insert_conversation(oc, challenger, solver)


@pytest.fixture
def challenger(conversation: ConversationIds) -> Actor:
    return Actor.user(conversation.challenger_id)


@pytest.fixture
def solver(conversation: ConversationIds) -> Actor:
    return Actor.user(conversation.solver_id)


@pytest.fixture
async def stranger(oc: OpenChance) -> Actor:
    return Actor.user(await create_user(oc, display_name="Nosy Parker"))


@pytest.fixture
async def support(oc: OpenChance) -> Actor:
    user_id = await create_user(oc, display_name="Sue Support", role=Role.SUPPORT)
    return Actor.user(user_id, {Role.SUPPORT})
