"""``openchance categories``: list, add, rename, retire and restore challenge categories."""

from __future__ import annotations

from typing import Annotated

import typer

from openchance import Actor, OpenChance
from openchance.challenges.category_schemas import CategoryCreate, CategoryRead, CategoryRename
from openchance_cli.output import JSON_OPTION_HELP, print_fields, print_json, print_table
from openchance_cli.runtime import settings_or_exit, validated, with_platform

app = typer.Typer(no_args_is_help=True, help="List and manage the categories of challenges.")

ACTOR = Actor.system("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]
CategoryRef = Annotated[str, typer.Argument(help="The category's id or slug.")]


def _print_category(title: str, category: CategoryRead, json_output: bool) -> None:
    if json_output:
        print_json(category)
        return
    print_fields(title, category.model_dump())


@app.command("list")
def list_categories(
    include_retired: Annotated[
        bool, typer.Option("--all", help="Also list retired categories.")
    ] = False,
    json_output: JsonFlag = False,
) -> None:
    """The categories in the order they are shown, with their open public challenges
    (--json adds their ids)."""

    async def use(oc: OpenChance) -> list[CategoryRead]:
        return await oc.categories.list_categories(ACTOR, include_retired=include_retired)

    categories = with_platform(settings_or_exit(), use)
    if json_output:
        print_json(categories)
        return
    print_table(
        f"Categories ({len(categories)})",
        ["slug", "name", "position", "open challenges", "retired"],
        [
            (
                category.slug,
                category.name,
                category.position,
                category.open_challenges,
                "yes" if category.retired else "no",
            )
            for category in categories
        ],
    )


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="The name everyone sees.")],
    slug: Annotated[
        str | None, typer.Option("--slug", help="The URL name (default: made from the name).")
    ] = None,
    position: Annotated[
        int | None, typer.Option("--position", help="Where it is listed (default: last).")
    ] = None,
    json_output: JsonFlag = False,
) -> None:
    """Add a category (recorded in the audit log)."""
    data = validated(CategoryCreate, name=name, slug=slug, position=position)

    async def use(oc: OpenChance) -> CategoryRead:
        return await oc.categories.add_category(ACTOR, data)

    category = with_platform(settings_or_exit(), use)
    _print_category(f"Added category {category.slug}", category, json_output)


@app.command("rename")
def rename(
    category: CategoryRef,
    name: Annotated[str, typer.Argument(help="The new name (the slug stays).")],
    json_output: JsonFlag = False,
) -> None:
    """Rename a category; its published challenges are re-indexed (audit log)."""
    data = validated(CategoryRename, name=name)

    async def use(oc: OpenChance) -> CategoryRead:
        return await oc.categories.rename_category(ACTOR, category, data)

    renamed = with_platform(settings_or_exit(), use)
    _print_category(f"Renamed {renamed.slug} to {renamed.name}", renamed, json_output)


@app.command("retire")
def retire(category: CategoryRef, json_output: JsonFlag = False) -> None:
    """Stop filing new challenges under a category; its challenges stay (audit log)."""

    async def use(oc: OpenChance) -> CategoryRead:
        return await oc.categories.retire_category(ACTOR, category)

    retired = with_platform(settings_or_exit(), use)
    _print_category(f"Retired {retired.slug}", retired, json_output)


@app.command("restore")
def restore(category: CategoryRef, json_output: JsonFlag = False) -> None:
    """Let a retired category take new challenges again (audit log)."""

    async def use(oc: OpenChance) -> CategoryRead:
        return await oc.categories.restore_category(ACTOR, category)

    restored = with_platform(settings_or_exit(), use)
    _print_category(f"Restored {restored.slug}", restored, json_output)
