"""``openchance search query`` and ``openchance search reindex``."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from openchance import OpenChance, Settings
from openchance.models.challenges import ChallengeStatus, Difficulty, Visibility
from tests.cli.conftest import Invoke, on_platform
from tests.factories.challenges import insert_challenge
from tests.factories.users import create_user


def challenges(settings: Settings, *specs: dict[str, Any], index: bool = True) -> list[uuid.UUID]:
    """Insert challenges (and index them, unless ``index`` is False)."""

    async def make(oc: OpenChance) -> list[uuid.UUID]:
        owner = await create_user(oc, email=f"owner-{uuid.uuid4().hex[:6]}@example.org")
        ids = [await insert_challenge(oc, owner, **spec) for spec in specs]
        if index:
            for challenge_id in ids:
                await oc.search.index_challenge(challenge_id)
        return ids

    return on_platform(settings, make)


class TestSearchQuery:
    def test_finds_by_text_with_a_typo_as_json(self, invoke: Invoke, settings: Settings) -> None:
        [wanted, _] = challenges(
            settings, {"title": "Machine learning for bees"}, {"title": "Logo design"}
        )

        result = invoke("search", "query", "machine lerning", "--json")

        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert [item["id"] for item in body["items"]] == [str(wanted)]
        assert body["estimated_total"] == 1
        assert body["facets"]["category"] == {"data-science-ai": 1}

    def test_filters_sort_and_limit(self, invoke: Invoke, settings: Settings) -> None:
        challenges(
            settings,
            {"title": "A", "category": "design", "reward_min_minor": 10_000},
            {"title": "B", "category": "design", "reward_min_minor": 90_000},
            {"title": "C", "category": "design", "difficulty": Difficulty.EXPERT},
            {"title": "D", "category": "writing-content"},
        )

        result = invoke(
            "search",
            "query",
            "--category",
            "design",
            "--difficulty",
            "intermediate",
            "--sort",
            "reward_desc",
            "--limit",
            "1",
            "--json",
        )

        assert result.exit_code == 0, result.output
        body = json.loads(result.stdout)
        assert [item["title"] for item in body["items"]] == ["B"]
        assert body["estimated_total"] == 2
        assert body["next_cursor"] is not None

    def test_staff_see_private_and_closed_challenges_when_asked(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        challenges(
            settings,
            {"title": "Secret", "visibility": Visibility.PRIVATE},
            {"title": "Finished", "status": ChallengeStatus.COMPLETED},
        )

        result = invoke("search", "query", "--status", "open", "--status", "completed", "--json")

        assert sorted(item["title"] for item in json.loads(result.stdout)["items"]) == [
            "Finished",
            "Secret",
        ]

    def test_the_table_shows_titles_rewards_and_facets(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        challenges(settings, {"title": "Bakery forecast", "reward_min_minor": 123_456})

        result = invoke("search", "query", "bakery")

        assert result.exit_code == 0, result.output
        assert "Bakery" in result.stdout  # the table folds long cells over lines
        assert "1234.56" in result.stdout
        assert "categories: data-science-ai 1" in result.stdout

    def test_text_without_words_is_invalid_input(self, invoke: Invoke) -> None:
        result = invoke("search", "query", '"*()')

        assert result.exit_code == 6
        assert "search text has no letters or digits" in result.output

    @pytest.mark.parametrize("option", [["--sort", "cheapest"], ["--difficulty", "godlike"]])
    def test_an_unknown_choice_is_a_usage_error(self, invoke: Invoke, option: list[str]) -> None:
        assert invoke("search", "query", *option).exit_code == 2


class TestReindex:
    def test_rebuilds_the_index_with_a_progress_bar(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        challenges(
            settings,
            {"title": "Zeppelin mooring"},
            {"title": "Draft", "status": ChallengeStatus.DRAFT},
            {"title": "Airship hangar"},
            index=False,
        )

        result = invoke("search", "reindex")
        found = invoke("search", "query", "zepelin", "--json")

        assert result.exit_code == 0, result.output
        assert "2/2" in result.stdout
        assert "Indexed 2 challenges." in result.stdout
        assert [item["title"] for item in json.loads(found.stdout)["items"]] == ["Zeppelin mooring"]

    def test_json_output(self, invoke: Invoke, settings: Settings) -> None:
        challenges(settings, {"title": "One"}, index=False)

        result = invoke("search", "reindex", "--json")

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout) == {"indexed": 1}
