"""The search contract: what every backend answers, written once and run against each
(``search_backend`` in ``conftest.py``). Each test puts documents straight into the backend
and asks it; the job that keeps the index in step is tested in ``test_index_sync.py``."""

from __future__ import annotations

import uuid
from datetime import timedelta
from typing import Any

from openchance.models.challenges import ChallengeStatus, Difficulty, RewardKind, Visibility
from openchance.search.backend import SearchBackend
from openchance.search.query import (
    SearchDocument,
    SearchPage,
    SearchQuery,
    SearchSort,
    SearchViewer,
    encode_cursor,
)
from tests.search.conftest import BASE_TIME, document

ANONYMOUS = SearchViewer()
STAFF = SearchViewer(is_staff=True)

MACHINE_LEARNING = "Machine learning for crop yield forecasts"


async def search(
    backend: SearchBackend, viewer: SearchViewer = ANONYMOUS, **query: Any
) -> SearchPage:
    return await backend.search(SearchQuery(**query), viewer)


async def found(
    backend: SearchBackend, viewer: SearchViewer = ANONYMOUS, **query: Any
) -> list[str]:
    """Titles of the first page, in order."""
    return [d.title for d in (await search(backend, viewer, **query)).documents]


async def put(backend: SearchBackend, *documents: SearchDocument) -> None:
    await backend.upsert(list(documents))


class TestText:
    async def test_a_word_of_the_title_finds_the_challenge(
        self, search_backend: SearchBackend
    ) -> None:
        await put(search_backend, document(title="Forecast bakery demand"), document(title="Logo"))

        assert await found(search_backend, q="bakery") == ["Forecast bakery demand"]

    async def test_summary_description_and_skills_are_searched(
        self, search_backend: SearchBackend
    ) -> None:
        await put(
            search_backend,
            document(title="A", summary="Count penguins on the ice"),
            document(title="B", description="Markdown text about **glaciers**"),
            document(title="C", skills=["rust", "embedded-systems"]),
        )

        assert await found(search_backend, q="penguins") == ["A"]
        assert await found(search_backend, q="glaciers") == ["B"]
        assert await found(search_backend, q="embedded") == ["C"]

    async def test_every_word_must_match(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="Bakery demand forecast", skills=[]),
            document(title="Bakery logo design", skills=[]),
        )

        assert await found(search_backend, q="bakery forecast") == ["Bakery demand forecast"]

    async def test_case_and_diacritics_do_not_matter(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title="Menu for a Café in Zürich"))

        assert await found(search_backend, q="CAFE zurich") == ["Menu for a Café in Zürich"]

    async def test_an_unknown_word_finds_nothing(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title="Forecast bakery demand"))

        page = await search(search_backend, q="zeppelin")

        assert page.documents == []
        assert page.estimated_total == 0

    async def test_a_title_match_ranks_above_a_description_match(
        self, search_backend: SearchBackend
    ) -> None:
        await put(
            search_backend,
            document(title="Sales report", description="Includes a small volcano section."),
            document(
                title="Volcano monitoring dashboard", published_at=BASE_TIME - timedelta(days=9)
            ),
        )

        titles = await found(search_backend, q="volcano")

        assert titles == ["Volcano monitoring dashboard", "Sales report"]


class TestTypos:
    async def test_machine_lerning_finds_machine_learning(
        self, search_backend: SearchBackend
    ) -> None:
        await put(search_backend, document(title=MACHINE_LEARNING), document(title="Logo design"))

        assert await found(search_backend, q="machine lerning") == [MACHINE_LEARNING]

    async def test_one_typo_in_a_word_of_five_letters(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title="Python scraper", skills=[]))

        assert await found(search_backend, q="pyhton scraper") == ["Python scraper"]

    async def test_two_typos_in_a_word_of_nine_letters(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title="Forecasting rainfall", skills=[]))

        assert await found(search_backend, q="forcastinng rainfall") == ["Forecasting rainfall"]

    async def test_no_typo_in_a_word_of_four_letters(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title="Data cleaning job", skills=[]))

        assert await found(search_backend, q="dota cleaning") == []

    async def test_two_typos_in_a_word_of_eight_letters_are_too_many(
        self, search_backend: SearchBackend
    ) -> None:
        await put(search_backend, document(title="Learning platform", skills=[]))

        assert await found(search_backend, q="laerninj platform") == []


class TestPrefix:
    async def test_the_last_word_matches_as_a_prefix(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title=MACHINE_LEARNING), document(title="Machine shop"))

        assert await found(search_backend, q="machine lear") == [MACHINE_LEARNING]

    async def test_earlier_words_match_whole(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title=MACHINE_LEARNING))

        assert await found(search_backend, q="mach learning") == []

    async def test_a_misspelt_last_word_is_corrected_as_a_prefix(
        self, search_backend: SearchBackend
    ) -> None:
        await put(search_backend, document(title="Forecasting rainfall", skills=[]))

        assert await found(search_backend, q="rainfall forcasting") == ["Forecasting rainfall"]


class TestOperatorsArePlainText:
    async def test_quotes_stars_and_brackets_only_separate_words(
        self, search_backend: SearchBackend
    ) -> None:
        await put(search_backend, document(title=MACHINE_LEARNING))

        for q in ['"machine" learning*', "machine* (learning", "-machine :learning", 'machine"']:
            assert await found(search_backend, q=q) == [MACHINE_LEARNING], q

    async def test_or_and_near_are_words_to_find(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title="Machine learning"), document(title="Logo design"))

        assert await found(search_backend, q="machine OR logo") == []
        assert await found(search_backend, q="NEAR(machine learning)") == []
        assert await found(search_backend, q='" * OR NEAR( ) - : ^ "logo') == []

    async def test_a_query_of_operators_and_words_answers(
        self, search_backend: SearchBackend
    ) -> None:
        await put(search_backend, document(title="Logo design"))

        page = await search(search_backend, q='logo"* OR NEAR(design, 5) AND NOT {title}: ^x')

        assert page.documents == []


class TestFilters:
    async def test_by_category(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="A", category="design"),
            document(title="B", category="writing-content"),
            document(title="C", category="data-science-ai"),
        )

        titles = await found(search_backend, category=["design", "writing-content"])

        assert sorted(titles) == ["A", "B"]

    async def test_by_difficulty(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="A", difficulty=Difficulty.BEGINNER),
            document(title="B", difficulty=Difficulty.EXPERT),
        )

        assert await found(search_backend, difficulty=[Difficulty.EXPERT]) == ["B"]

    async def test_by_reward_range_overlap_in_the_currency(
        self, search_backend: SearchBackend
    ) -> None:
        await put(
            search_backend,
            document(title="fixed 500", reward_min_minor=50_000, reward_max_minor=50_000),
            document(
                title="range 800-1500",
                reward_kind=RewardKind.RANGE,
                reward_min_minor=80_000,
                reward_max_minor=150_000,
            ),
            document(title="fixed 3000", reward_min_minor=300_000, reward_max_minor=300_000),
            document(title="dollars 1000", reward_currency="USD", reward_min_minor=100_000),
        )

        titles = await found(search_backend, currency="EUR", reward_min=100_000, reward_max=200_000)
        at_least = await found(search_backend, currency="EUR", reward_min=200_000)
        at_most = await found(search_backend, currency="EUR", reward_max=60_000)
        dollars = await found(search_backend, currency="usd", reward_min=1)

        assert titles == ["range 800-1500"]
        assert at_least == ["fixed 3000"]
        assert at_most == ["fixed 500"]
        assert dollars == ["dollars 1000"]

    async def test_by_deadline(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="soon", deadline=BASE_TIME + timedelta(days=3)),
            document(title="later", deadline=BASE_TIME + timedelta(days=40)),
        )

        before = await found(search_backend, deadline_before=BASE_TIME + timedelta(days=10))
        after = await found(search_backend, deadline_after=BASE_TIME + timedelta(days=10))

        assert before == ["soon"]
        assert after == ["later"]

    async def test_open_challenges_by_default(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="open"),
            document(title="done", status=ChallengeStatus.COMPLETED),
            document(title="gone", status=ChallengeStatus.CANCELLED),
        )

        by_default = await found(search_backend)
        finished = await found(
            search_backend, status=[ChallengeStatus.COMPLETED, ChallengeStatus.CANCELLED]
        )

        assert by_default == ["open"]
        assert sorted(finished) == ["done", "gone"]

    async def test_every_skill_asked_for_is_required(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="A", skills=["python", "sql"]),
            document(title="B", skills=["python"]),
            document(title="C", skills=["sql", "python", "dbt"]),
        )

        titles = await found(search_backend, skills=["Python", "SQL"])

        assert sorted(titles) == ["A", "C"]

    async def test_a_skill_is_matched_whole(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title="A", skills=["machine-learning"]))

        assert await found(search_backend, skills=["machine"]) == []
        assert await found(search_backend, skills=["Machine Learning"]) == ["A"]

    async def test_filters_and_text_combine(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="Bakery forecast", category="data-science-ai"),
            document(title="Bakery logo", category="design"),
            document(title="Bakery menu", category="design", difficulty=Difficulty.EXPERT),
        )

        titles = await found(
            search_backend, q="bakery", category=["design"], difficulty=[Difficulty.INTERMEDIATE]
        )

        assert titles == ["Bakery logo"]


class TestSorts:
    async def _three(self, backend: SearchBackend) -> None:
        await put(
            backend,
            document(
                title="old, late, cheap",
                published_at=BASE_TIME - timedelta(days=3),
                deadline=BASE_TIME + timedelta(days=90),
                reward_min_minor=10_000,
                reward_max_minor=10_000,
            ),
            document(
                title="new, soon, mid range",
                published_at=BASE_TIME,
                deadline=BASE_TIME + timedelta(days=5),
                reward_kind=RewardKind.RANGE,
                reward_min_minor=5_000,
                reward_max_minor=90_000,
            ),
            document(
                title="middle, middle, dear",
                published_at=BASE_TIME - timedelta(days=1),
                deadline=BASE_TIME + timedelta(days=20),
                reward_min_minor=50_000,
                reward_max_minor=50_000,
            ),
        )

    async def test_newest_first(self, search_backend: SearchBackend) -> None:
        await self._three(search_backend)

        assert await found(search_backend, sort=SearchSort.NEWEST) == [
            "new, soon, mid range",
            "middle, middle, dear",
            "old, late, cheap",
        ]

    async def test_relevance_without_text_is_newest_first(
        self, search_backend: SearchBackend
    ) -> None:
        await self._three(search_backend)

        assert await found(search_backend) == await found(search_backend, sort=SearchSort.NEWEST)

    async def test_soonest_deadline_first(self, search_backend: SearchBackend) -> None:
        await self._three(search_backend)

        assert await found(search_backend, sort=SearchSort.DEADLINE) == [
            "new, soon, mid range",
            "middle, middle, dear",
            "old, late, cheap",
        ]

    async def test_highest_reward_first_by_its_maximum(self, search_backend: SearchBackend) -> None:
        await self._three(search_backend)

        assert await found(search_backend, sort=SearchSort.REWARD_DESC) == [
            "new, soon, mid range",
            "middle, middle, dear",
            "old, late, cheap",
        ]

    async def test_lowest_reward_first_by_its_minimum(self, search_backend: SearchBackend) -> None:
        await self._three(search_backend)

        assert await found(search_backend, sort=SearchSort.REWARD_ASC) == [
            "new, soon, mid range",
            "old, late, cheap",
            "middle, middle, dear",
        ]

    async def test_a_sort_applies_to_text_matches(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="Bakery A", deadline=BASE_TIME + timedelta(days=9)),
            document(title="Bakery B", deadline=BASE_TIME + timedelta(days=2)),
            document(title="Logo", deadline=BASE_TIME + timedelta(days=1)),
        )

        titles = await found(search_backend, q="bakery", sort=SearchSort.DEADLINE)

        assert titles == ["Bakery B", "Bakery A"]


class TestVisibility:
    async def _private_and_public(self, backend: SearchBackend) -> tuple[uuid.UUID, uuid.UUID]:
        owner, invitee = uuid.uuid4(), uuid.uuid4()
        await put(
            backend,
            document(title="public"),
            document(title="private", visibility=Visibility.PRIVATE, viewer_ids=[owner, invitee]),
        )
        return owner, invitee

    async def test_anonymous_visitors_find_public_challenges_only(
        self, search_backend: SearchBackend
    ) -> None:
        await self._private_and_public(search_backend)

        page = await search(search_backend, ANONYMOUS)

        assert [d.title for d in page.documents] == ["public"]
        assert page.estimated_total == 1

    async def test_a_user_not_listed_finds_public_challenges_only(
        self, search_backend: SearchBackend
    ) -> None:
        await self._private_and_public(search_backend)

        assert await found(search_backend, SearchViewer(user_id=uuid.uuid4())) == ["public"]

    async def test_the_owner_and_an_invitee_find_the_private_challenge(
        self, search_backend: SearchBackend
    ) -> None:
        owner, invitee = await self._private_and_public(search_backend)

        for user_id in (owner, invitee):
            titles = await found(search_backend, SearchViewer(user_id=user_id), q="private")
            assert titles == ["private"]

    async def test_staff_find_every_challenge(self, search_backend: SearchBackend) -> None:
        await self._private_and_public(search_backend)

        assert sorted(await found(search_backend, STAFF)) == ["private", "public"]

    async def test_the_document_comes_back_with_its_viewers(
        self, search_backend: SearchBackend
    ) -> None:
        owner, invitee = await self._private_and_public(search_backend)

        page = await search(search_backend, STAFF, q="private")

        assert set(page.documents[0].viewer_ids) == {owner, invitee}


class TestFacets:
    async def test_counts_per_category_and_difficulty_over_every_page(
        self, search_backend: SearchBackend
    ) -> None:
        await put(
            search_backend,
            document(title="Bakery 1", category="design", difficulty=Difficulty.BEGINNER),
            document(title="Bakery 2", category="design", difficulty=Difficulty.EXPERT),
            document(title="Bakery 3", category="data-science-ai", difficulty=Difficulty.EXPERT),
            document(title="Logo", category="design", difficulty=Difficulty.EXPERT),
            document(title="Bakery closed", category="design", status=ChallengeStatus.COMPLETED),
        )

        page = await search(search_backend, q="bakery", limit=1)

        assert page.facets.category == {"design": 2, "data-science-ai": 1}
        assert page.facets.difficulty == {"beginner": 1, "expert": 2}
        assert page.estimated_total == 3

    async def test_facets_count_within_the_filters(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="A", category="design", difficulty=Difficulty.BEGINNER),
            document(title="B", category="design", difficulty=Difficulty.EXPERT),
            document(title="C", category="writing-content", difficulty=Difficulty.EXPERT),
        )

        page = await search(search_backend, difficulty=[Difficulty.EXPERT])

        assert page.facets.category == {"design": 1, "writing-content": 1}
        assert page.facets.difficulty == {"expert": 2}

    async def test_facets_leave_out_what_the_viewer_may_not_see(
        self, search_backend: SearchBackend
    ) -> None:
        await put(
            search_backend,
            document(title="A", category="design"),
            document(title="B", category="design", visibility=Visibility.PRIVATE, viewer_ids=[]),
        )

        page = await search(search_backend, ANONYMOUS)

        assert page.facets.category == {"design": 1}


class TestPagination:
    async def test_cursors_cover_every_result_exactly_once(
        self, search_backend: SearchBackend
    ) -> None:
        # Equal sort keys everywhere: only the tie-break keeps the pages apart.
        documents = [document(title=f"Bakery {n}") for n in range(23)]
        await put(search_backend, *documents)
        seen: list[uuid.UUID] = []
        query = SearchQuery(q="bakery", limit=5, sort=SearchSort.NEWEST)
        offset = 0
        while True:
            page = await search_backend.search(query, ANONYMOUS)
            seen.extend(d.id for d in page.documents)
            offset += len(page.documents)
            if offset >= page.estimated_total:
                break
            query = query.model_copy(update={"cursor": encode_cursor(offset, query.fingerprint())})

        assert sorted(seen) == sorted(d.id for d in documents)
        assert len(seen) == 23

    async def test_a_page_holds_at_most_the_limit(self, search_backend: SearchBackend) -> None:
        await put(search_backend, *(document(title=f"T{n}") for n in range(4)))

        page = await search(search_backend, limit=3)

        assert len(page.documents) == 3
        assert page.estimated_total == 4


class TestAutocomplete:
    async def test_titles_of_open_challenges_by_prefix(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title=MACHINE_LEARNING, skills=[]),
            document(title="Machine learning retrospective", status=ChallengeStatus.COMPLETED),
            document(title="Logo design", skills=[]),
        )

        suggestions = await search_backend.autocomplete("machine le", ANONYMOUS, 8)

        assert [(s.kind, s.text) for s in suggestions] == [("title", MACHINE_LEARNING)]
        assert suggestions[0].challenge_id is not None

    async def test_typos_are_tolerated(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title=MACHINE_LEARNING, skills=[]))

        suggestions = await search_backend.autocomplete("machnie", ANONYMOUS, 8)

        assert [s.text for s in suggestions] == [MACHINE_LEARNING]

    async def test_only_titles_match_for_title_suggestions(
        self, search_backend: SearchBackend
    ) -> None:
        await put(search_backend, document(title="Logo", summary="machine learning", skills=[]))

        assert await search_backend.autocomplete("machine", ANONYMOUS, 8) == []

    async def test_skills_by_prefix(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            document(title="A", skills=["postgresql", "python"]),
            document(title="B", skills=["postgresql"]),
            document(title="C", skills=["pottery"], status=ChallengeStatus.EXPIRED),
        )

        suggestions = await search_backend.autocomplete("Po", ANONYMOUS, 8)

        assert [(s.kind, s.text) for s in suggestions] == [("skill", "postgresql")]

    async def test_private_challenges_only_for_their_viewers(
        self, search_backend: SearchBackend
    ) -> None:
        invitee = uuid.uuid4()
        await put(
            search_backend,
            document(
                title="Secret robot",
                skills=["robotics"],
                visibility=Visibility.PRIVATE,
                viewer_ids=[invitee],
            ),
        )

        hidden = await search_backend.autocomplete("robot", ANONYMOUS, 8)
        shown = await search_backend.autocomplete("robot", SearchViewer(user_id=invitee), 8)

        assert hidden == []
        assert [(s.kind, s.text) for s in shown] == [
            ("title", "Secret robot"),
            ("skill", "robotics"),
        ]

    async def test_at_most_the_limit(self, search_backend: SearchBackend) -> None:
        await put(
            search_backend,
            *(document(title=f"Data task {n}", skills=[f"data-{n}"]) for n in range(6)),
        )

        suggestions = await search_backend.autocomplete("data", ANONYMOUS, 4)

        assert len(suggestions) == 4
        assert {s.kind for s in suggestions} == {"title", "skill"}


class TestWriting:
    async def test_upserting_again_replaces_the_document(
        self, search_backend: SearchBackend
    ) -> None:
        first = document(title="Old title", skills=["cobol"])
        await put(search_backend, first)

        await put(search_backend, first.model_copy(update={"title": "New title", "skills": ["go"]}))

        assert await found(search_backend, q="old") == []
        assert await found(search_backend, q="new") == ["New title"]
        assert await found(search_backend, skills=["cobol"]) == []
        assert await found(search_backend, skills=["go"]) == ["New title"]

    async def test_a_status_change_moves_it_between_filters(
        self, search_backend: SearchBackend
    ) -> None:
        challenge = document(title="Bakery")
        await put(search_backend, challenge)

        await put(
            search_backend, challenge.model_copy(update={"status": ChallengeStatus.CANCELLED})
        )

        assert await found(search_backend, q="bakery") == []
        assert await found(search_backend, q="bakery", status=[ChallengeStatus.CANCELLED]) == [
            "Bakery"
        ]

    async def test_delete_removes_documents_and_ignores_unknown_ids(
        self, search_backend: SearchBackend
    ) -> None:
        kept, removed = document(title="Kept"), document(title="Removed")
        await put(search_backend, kept, removed)

        await search_backend.delete([removed.id, uuid.uuid4()])

        assert await found(search_backend) == ["Kept"]

    async def test_clear_removes_everything(self, search_backend: SearchBackend) -> None:
        await put(search_backend, document(title="A"), document(title="B"))

        await search_backend.clear()

        assert (await search(search_backend, STAFF)).estimated_total == 0

    async def test_a_document_comes_back_as_it_was_put(self, search_backend: SearchBackend) -> None:
        original = document(
            title="Round trip",
            reward_kind=RewardKind.RANGE,
            reward_min_minor=1_000,
            reward_max_minor=2_500,
            skills=["c++", "node.js"],
        )
        await put(search_backend, original)

        page = await search(search_backend, q="round trip")

        assert page.documents == [original]

    async def test_ping_answers(self, search_backend: SearchBackend) -> None:
        await search_backend.ping()
