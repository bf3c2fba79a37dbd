"""``openchance categories …``: the operator manages categories from a shell."""

from __future__ import annotations

import json

from openchance import Actor, OpenChance, Settings
from openchance.challenges.category_schemas import CategoryRead
from openchance.challenges.seed import SEEDED_CATEGORIES
from openchance.moderation.audit import AuditEntryRead, AuditFilter
from tests.cli.conftest import Invoke, on_platform


def _categories(settings: Settings) -> list[CategoryRead]:
    async def use(oc: OpenChance) -> list[CategoryRead]:
        return await oc.categories.list_categories(Actor.anonymous(), include_retired=True)

    return on_platform(settings, use)


def _audit(settings: Settings, action: str) -> list[AuditEntryRead]:
    async def use(oc: OpenChance) -> list[AuditEntryRead]:
        return await oc.audit.list_entries(Actor.system(), AuditFilter(action=action))

    return on_platform(settings, use)


class TestList:
    def test_json_lists_the_categories_in_order(self, invoke: Invoke) -> None:
        result = invoke("categories", "list", "--json")

        assert result.exit_code == 0, result.output
        listed = json.loads(result.stdout)
        assert [item["slug"] for item in listed] == [c.slug for c in SEEDED_CATEGORIES]
        assert {"open_challenges", "retired", "position"} <= set(listed[0])

    def test_the_table_shows_names_and_slugs(self, invoke: Invoke) -> None:
        result = invoke("categories", "list")

        assert result.exit_code == 0, result.output
        assert "Categories (8)" in result.stdout
        assert "data-science-ai" in result.stdout

    def test_all_includes_retired_ones(self, invoke: Invoke) -> None:
        invoke("categories", "retire", "design")

        default = json.loads(invoke("categories", "list", "--json").stdout)
        everything = json.loads(invoke("categories", "list", "--all", "--json").stdout)

        assert "design" not in {item["slug"] for item in default}
        assert "design" in {item["slug"] for item in everything}


class TestAdd:
    def test_adds_a_category_with_a_derived_slug(self, invoke: Invoke, settings: Settings) -> None:
        result = invoke("categories", "add", "Education & Training", "--json")

        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["slug"] == "education-training"
        assert "education-training" in {category.slug for category in _categories(settings)}

    def test_the_operator_is_recorded_in_the_audit_log(
        self, invoke: Invoke, settings: Settings
    ) -> None:
        invoke("categories", "add", "Education", "--slug", "edu")

        [entry] = _audit(settings, "category.add")
        assert entry.actor_label == "cli"

    def test_a_taken_name_exits_with_the_conflict_code(self, invoke: Invoke) -> None:
        result = invoke("categories", "add", "Design", "--slug", "design-2")

        assert result.exit_code == 5
        assert "category_name_taken" in result.stderr

    def test_a_malformed_slug_exits_with_the_invalid_input_code(self, invoke: Invoke) -> None:
        result = invoke("categories", "add", "Education", "--slug", "Not A Slug")

        assert result.exit_code == 6
        assert "slug" in result.stderr


class TestRenameRetireRestore:
    def test_rename_keeps_the_slug(self, invoke: Invoke) -> None:
        result = invoke("categories", "rename", "design", "Design & UX", "--json")

        assert result.exit_code == 0, result.output
        assert (json.loads(result.stdout)["slug"], json.loads(result.stdout)["name"]) == (
            "design",
            "Design & UX",
        )

    def test_retire_then_restore(self, invoke: Invoke, settings: Settings) -> None:
        retired = invoke("categories", "retire", "design", "--json")
        restored = invoke("categories", "restore", "design", "--json")

        assert json.loads(retired.stdout)["retired"] is True
        assert json.loads(restored.stdout)["retired"] is False

    def test_an_unknown_category_exits_with_the_not_found_code(self, invoke: Invoke) -> None:
        result = invoke("categories", "retire", "astrology")

        assert result.exit_code == 3

    def test_restoring_one_in_use_exits_with_the_conflict_code(self, invoke: Invoke) -> None:
        result = invoke("categories", "restore", "design")

        assert result.exit_code == 5
        assert "category_not_retired" in result.stderr
