"""Categories: listed for everyone; added, renamed, retired and restored by moderators and
admins, with an audit trail; retired ones take no new challenges."""

from __future__ import annotations

import uuid

import anyio
import pytest
from pydantic import ValidationError

from openchance import Conflict, InvalidInput, NotAuthenticated, NotFound, OpenChance
from openchance.actor import Actor, Role
from openchance.challenges.categories import load_assignable_category
from openchance.challenges.category_schemas import CategoryCreate, CategoryRename
from openchance.challenges.seed import SEEDED_CATEGORIES
from openchance.errors import PermissionDenied
from openchance.jobs.schemas import JobFilter
from openchance.models.challenges import ChallengeStatus, Visibility
from openchance.moderation.audit import AuditFilter
from openchance.search.sync import INDEX_CHALLENGE
from tests.factories.challenges import CATEGORY_IDS, insert_challenge
from tests.factories.users import SYSTEM, actor_for, create_user

DESIGN = "design"


@pytest.fixture
async def moderator(oc: OpenChance) -> Actor:
    await create_user(oc, email="mod@example.org", role=Role.MODERATOR)
    return await actor_for(oc, "mod@example.org")


@pytest.fixture
async def admin(oc: OpenChance) -> Actor:
    await create_user(oc, email="admin@example.org", role=Role.ADMIN)
    return await actor_for(oc, "admin@example.org")


@pytest.fixture
async def ada(oc: OpenChance) -> Actor:
    await create_user(oc, email="ada@example.org")
    return await actor_for(oc, "ada@example.org")


async def audit_actions(oc: OpenChance, category_id: uuid.UUID) -> list[str]:
    entries = await oc.audit.list_entries(SYSTEM, AuditFilter(target_id=str(category_id)))
    return [entry.action for entry in entries]


async def index_jobs(oc: OpenChance) -> set[str]:
    """The challenge ids of the pending search index jobs."""
    jobs = await oc.jobs.list_jobs(SYSTEM, JobFilter(name=INDEX_CHALLENGE.name, limit=1000))
    return {str((await oc.jobs.get_job(SYSTEM, job.id)).payload["challenge_id"]) for job in jobs}


class TestListCategories:
    async def test_the_seeded_categories_are_listed_in_their_order(self, oc: OpenChance) -> None:
        categories = await oc.categories.list_categories(Actor.anonymous())

        assert [category.slug for category in categories] == [
            category.slug for category in SEEDED_CATEGORIES
        ]
        assert len(categories) >= 8
        assert not any(category.retired for category in categories)

    async def test_only_open_public_challenges_are_counted(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        assert ada.user_id is not None
        owner = ada.user_id
        for _ in range(2):
            await insert_challenge(oc, owner, category=DESIGN, status=ChallengeStatus.OPEN)
        await insert_challenge(
            oc, owner, category=DESIGN, status=ChallengeStatus.OPEN, visibility=Visibility.PRIVATE
        )
        await insert_challenge(oc, owner, category=DESIGN, status=ChallengeStatus.DRAFT)
        await insert_challenge(oc, owner, category=DESIGN, status=ChallengeStatus.PENDING_REVIEW)
        await insert_challenge(oc, owner, category=DESIGN, status=ChallengeStatus.COMPLETED)
        await insert_challenge(oc, owner, category="social-impact", status=ChallengeStatus.OPEN)

        counts = {
            category.slug: category.open_challenges
            for category in await oc.categories.list_categories(Actor.anonymous())
        }

        assert counts[DESIGN] == 2
        assert counts["social-impact"] == 1
        assert counts["writing-content"] == 0

    async def test_equal_positions_are_ordered_by_name(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        await oc.categories.add_category(moderator, CategoryCreate(name="Zoology", position=0))
        await oc.categories.add_category(moderator, CategoryCreate(name="Acoustics", position=0))

        categories = await oc.categories.list_categories(Actor.anonymous())

        # The first seeded category is at position 0 as well.
        assert [category.name for category in categories[:3]] == [
            "Acoustics",
            "Software development",
            "Zoology",
        ]

    async def test_retired_categories_are_listed_only_on_request(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        await oc.categories.retire_category(moderator, DESIGN)

        default = await oc.categories.list_categories(Actor.anonymous())
        everything = await oc.categories.list_categories(Actor.anonymous(), include_retired=True)

        assert DESIGN not in {category.slug for category in default}
        assert {category.slug: category.retired for category in everything}[DESIGN] is True


class TestAddCategory:
    async def test_a_moderator_adds_one_with_a_slug_made_from_the_name(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        added = await oc.categories.add_category(
            moderator, CategoryCreate(name="  Games &  Interactive Média ")
        )

        assert (added.name, added.slug) == ("Games & Interactive Média", "games-interactive-media")
        assert (added.retired, added.open_challenges) == (False, 0)

    async def test_a_new_category_is_listed_last_by_default(
        self, oc: OpenChance, admin: Actor
    ) -> None:
        await oc.categories.add_category(admin, CategoryCreate(name="Education", slug="edu"))

        categories = await oc.categories.list_categories(Actor.anonymous())

        assert categories[-1].slug == "edu"
        assert categories[-1].position > categories[-2].position

    async def test_adding_is_audited(self, oc: OpenChance, moderator: Actor) -> None:
        added = await oc.categories.add_category(moderator, CategoryCreate(name="Education"))

        assert await audit_actions(oc, added.id) == ["category.add"]

    async def test_a_name_in_use_is_refused_whatever_its_case(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        with pytest.raises(Conflict) as raised:
            await oc.categories.add_category(
                moderator, CategoryCreate(name="DESIGN", slug="design-2")
            )

        assert raised.value.code == "category_name_taken"

    async def test_a_slug_in_use_is_refused(self, oc: OpenChance, moderator: Actor) -> None:
        with pytest.raises(Conflict) as raised:
            await oc.categories.add_category(
                moderator, CategoryCreate(name="Graphic design", slug=DESIGN)
            )

        assert raised.value.code == "category_slug_taken"

    async def test_a_name_that_gives_no_slug_needs_one(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.categories.add_category(moderator, CategoryCreate(name="設計"))

        assert raised.value.code == "category_slug_required"

    async def test_with_a_slug_such_a_name_is_fine(self, oc: OpenChance, moderator: Actor) -> None:
        added = await oc.categories.add_category(
            moderator, CategoryCreate(name="設計", slug="sekkei")
        )

        assert added.slug == "sekkei"

    @pytest.mark.parametrize("role", [Role.USER, Role.SUPPORT])
    async def test_users_and_support_staff_may_not_add(self, oc: OpenChance, role: Role) -> None:
        await create_user(oc, email="someone@example.org", role=role)
        someone = await actor_for(oc, "someone@example.org")

        with pytest.raises(PermissionDenied) as raised:
            await oc.categories.add_category(someone, CategoryCreate(name="Education"))

        assert raised.value.code == "not_category_manager"

    async def test_anonymous_visitors_must_sign_in(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.categories.add_category(Actor.anonymous(), CategoryCreate(name="Education"))

    @pytest.mark.parametrize(
        "values",
        [
            {"name": ""},
            {"name": "   "},
            {"name": "x" * 101},
            {"name": "x" * 10_000},
            {"name": "Bad\x00name"},
            {"name": "Fine", "slug": "Not A Slug"},
            {"name": "Fine", "slug": "double--hyphen"},
            {"name": "Fine", "slug": "-leading"},
            {"name": "Fine", "slug": "s" * 65},
            {"name": "Fine", "position": -1},
            {"name": "Fine", "colour": "red"},
        ],
    )
    def test_bad_input_is_refused_at_the_edge(self, values: dict[str, object]) -> None:
        with pytest.raises(ValidationError):
            CategoryCreate.model_validate(values)

    @pytest.mark.postgres_only
    async def test_two_adds_of_the_same_name_at_once_make_one_category(
        self, oc: OpenChance, moderator: Actor, admin: Actor
    ) -> None:
        outcomes: list[str] = []

        async def add(actor: Actor) -> None:
            try:
                await oc.categories.add_category(actor, CategoryCreate(name="Education"))
                outcomes.append("added")
            except Conflict as error:
                outcomes.append(error.code)

        async with anyio.create_task_group() as group:
            group.start_soon(add, moderator)
            group.start_soon(add, admin)

        assert sorted(outcomes) == ["added", "category_name_taken"]


class TestRenameCategory:
    async def test_renaming_keeps_the_slug(self, oc: OpenChance, moderator: Actor) -> None:
        renamed = await oc.categories.rename_category(
            moderator, DESIGN, CategoryRename(name="Design & UX")
        )

        assert (renamed.slug, renamed.name) == (DESIGN, "Design & UX")

    async def test_a_category_is_found_by_id_too(self, oc: OpenChance, moderator: Actor) -> None:
        renamed = await oc.categories.rename_category(
            moderator, str(CATEGORY_IDS[DESIGN]), CategoryRename(name="Design & UX")
        )

        assert renamed.id == CATEGORY_IDS[DESIGN]

    async def test_its_published_challenges_are_re_indexed(
        self, oc: OpenChance, moderator: Actor, ada: Actor
    ) -> None:
        assert ada.user_id is not None
        published = {
            await insert_challenge(oc, ada.user_id, category=DESIGN, status=status)
            for status in (ChallengeStatus.OPEN, ChallengeStatus.COMPLETED)
        }
        await insert_challenge(oc, ada.user_id, category=DESIGN, status=ChallengeStatus.DRAFT)
        await insert_challenge(oc, ada.user_id, category="social-impact")

        await oc.categories.rename_category(moderator, DESIGN, CategoryRename(name="Design & UX"))

        assert await index_jobs(oc) == {str(challenge_id) for challenge_id in published}

    async def test_renaming_is_audited_with_both_names(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        await oc.categories.rename_category(moderator, DESIGN, CategoryRename(name="Design & UX"))

        entries = await oc.audit.list_entries(
            SYSTEM, AuditFilter(target_id=str(CATEGORY_IDS[DESIGN]))
        )
        assert [(entry.action, entry.details) for entry in entries] == [
            ("category.rename", {"from": "Design", "to": "Design & UX"})
        ]

    async def test_the_same_name_again_changes_nothing(
        self, oc: OpenChance, moderator: Actor, ada: Actor
    ) -> None:
        assert ada.user_id is not None
        await insert_challenge(oc, ada.user_id, category=DESIGN)

        await oc.categories.rename_category(moderator, DESIGN, CategoryRename(name="Design"))

        assert await index_jobs(oc) == set()
        assert await audit_actions(oc, CATEGORY_IDS[DESIGN]) == []

    async def test_another_category_s_name_is_refused(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        with pytest.raises(Conflict) as raised:
            await oc.categories.rename_category(
                moderator, DESIGN, CategoryRename(name="social impact")
            )

        assert raised.value.code == "category_name_taken"

    async def test_an_unknown_category_is_not_found(self, oc: OpenChance, moderator: Actor) -> None:
        with pytest.raises(NotFound):
            await oc.categories.rename_category(moderator, "no-such", CategoryRename(name="X"))

    async def test_a_user_may_not_rename(self, oc: OpenChance, ada: Actor) -> None:
        with pytest.raises(PermissionDenied):
            await oc.categories.rename_category(ada, DESIGN, CategoryRename(name="Art"))


class TestRetireAndRestore:
    async def test_a_retired_category_takes_no_new_challenges(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        retired = await oc.categories.retire_category(moderator, DESIGN)

        assert retired.retired is True
        async with oc.unit_of_work(read_only=True) as uow:
            with pytest.raises(InvalidInput) as raised:
                await load_assignable_category(uow, DESIGN)
        assert raised.value.code == "category_retired"

    async def test_its_challenges_stay_where_they_are(
        self, oc: OpenChance, moderator: Actor, ada: Actor
    ) -> None:
        assert ada.user_id is not None
        await insert_challenge(oc, ada.user_id, category=DESIGN)

        retired = await oc.categories.retire_category(moderator, DESIGN)

        assert retired.open_challenges == 1

    async def test_retiring_twice_is_a_conflict(self, oc: OpenChance, moderator: Actor) -> None:
        await oc.categories.retire_category(moderator, DESIGN)

        with pytest.raises(Conflict) as raised:
            await oc.categories.retire_category(moderator, DESIGN)

        assert raised.value.code == "category_already_retired"

    async def test_the_last_category_in_use_cannot_be_retired(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        *others, last = SEEDED_CATEGORIES
        for category in others:
            await oc.categories.retire_category(moderator, category.slug)

        with pytest.raises(Conflict) as raised:
            await oc.categories.retire_category(moderator, last.slug)

        assert raised.value.code == "last_category"

    async def test_restoring_makes_it_take_challenges_again(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        await oc.categories.retire_category(moderator, DESIGN)

        restored = await oc.categories.restore_category(moderator, DESIGN)

        assert restored.retired is False
        async with oc.unit_of_work(read_only=True) as uow:
            assert (await load_assignable_category(uow, DESIGN)).id == CATEGORY_IDS[DESIGN]

    async def test_restoring_one_in_use_is_a_conflict(
        self, oc: OpenChance, moderator: Actor
    ) -> None:
        with pytest.raises(Conflict) as raised:
            await oc.categories.restore_category(moderator, DESIGN)

        assert raised.value.code == "category_not_retired"

    async def test_both_are_audited(self, oc: OpenChance, moderator: Actor) -> None:
        await oc.categories.retire_category(moderator, DESIGN)
        await oc.categories.restore_category(moderator, DESIGN)

        assert sorted(await audit_actions(oc, CATEGORY_IDS[DESIGN])) == [
            "category.restore",
            "category.retire",
        ]

    async def test_a_user_may_not_retire(self, oc: OpenChance, ada: Actor) -> None:
        with pytest.raises(PermissionDenied):
            await oc.categories.retire_category(ada, DESIGN)

    @pytest.mark.postgres_only
    async def test_retiring_the_last_two_at_once_leaves_one(
        self, oc: OpenChance, moderator: Actor, admin: Actor
    ) -> None:
        *others, second_last, last = SEEDED_CATEGORIES
        for category in others:
            await oc.categories.retire_category(moderator, category.slug)
        outcomes: list[str] = []

        async def retire(actor: Actor, slug: str) -> None:
            try:
                await oc.categories.retire_category(actor, slug)
                outcomes.append("retired")
            except Conflict as error:
                outcomes.append(error.code)

        async with anyio.create_task_group() as group:
            group.start_soon(retire, moderator, second_last.slug)
            group.start_soon(retire, admin, last.slug)

        assert sorted(outcomes) == ["last_category", "retired"]
        assert len(await oc.categories.list_categories(Actor.anonymous())) == 1


class TestLoadAssignableCategory:
    async def test_a_category_in_use_is_returned(self, oc: OpenChance) -> None:
        async with oc.unit_of_work(read_only=True) as uow:
            category = await load_assignable_category(uow, "Data-Science-AI")

        assert category.id == CATEGORY_IDS["data-science-ai"]

    async def test_an_unknown_slug_is_invalid_input(self, oc: OpenChance) -> None:
        async with oc.unit_of_work(read_only=True) as uow:
            with pytest.raises(InvalidInput) as raised:
                await load_assignable_category(uow, "astrology")

        assert raised.value.code == "unknown_category"
