"""``openchance search``: search challenges as staff do, and rebuild the search index."""

from __future__ import annotations

from typing import Annotated

import typer
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from openchance import Actor, OpenChance
from openchance.models.challenges import ChallengeStatus, Difficulty
from openchance.search.query import DEFAULT_LIMIT, MAX_LIMIT, SearchQuery, SearchSort
from openchance.search.schemas import SearchResults
from openchance_cli.output import JSON_OPTION_HELP, console, print_json, print_table
from openchance_cli.runtime import settings_or_exit, validated, with_platform

app = typer.Typer(no_args_is_help=True, help="Search challenges and rebuild the search index.")

ACTOR = Actor.system("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]


@app.command("query")
def query(
    text: Annotated[
        str | None, typer.Argument(help="Free text; typos tolerated, the last word a prefix.")
    ] = None,
    category: Annotated[
        list[str] | None, typer.Option("--category", help="A category slug (repeatable).")
    ] = None,
    difficulty: Annotated[
        list[Difficulty] | None, typer.Option("--difficulty", help="Repeatable.")
    ] = None,
    status: Annotated[
        list[ChallengeStatus] | None,
        typer.Option("--status", help="Repeatable (default: open)."),
    ] = None,
    skill: Annotated[
        list[str] | None, typer.Option("--skill", help="A required skill (repeatable).")
    ] = None,
    sort: Annotated[SearchSort, typer.Option(help="The order.")] = SearchSort.RELEVANCE,
    limit: Annotated[
        int, typer.Option(min=1, max=MAX_LIMIT, help="At most this many.")
    ] = DEFAULT_LIMIT,
    json_output: JsonFlag = False,
) -> None:
    """Search published challenges, private ones included (as staff see them)."""
    search = validated(
        SearchQuery,
        q=text,
        category=category or [],
        difficulty=difficulty or [],
        status=status or [],  # none given: the core's default (open)
        skills=skill or [],
        sort=sort,
        limit=limit,
    )
    results = with_platform(settings_or_exit(), lambda oc: oc.search.search(ACTOR, search))
    if json_output:
        print_json(results)
        return
    _print_results(results)


def _print_results(results: SearchResults) -> None:
    print_table(
        f"Challenges ({len(results.items)} of {results.estimated_total})",
        ["id", "title", "category", "difficulty", "status", "reward", "deadline"],
        [
            (
                hit.id,
                hit.title,
                hit.category,
                hit.difficulty.value,
                hit.status.value,
                hit.reward.formatted,
                hit.deadline,
            )
            for hit in results.items
        ],
    )
    facets = results.facets
    for name, counts in (("categories", facets.category), ("difficulties", facets.difficulty)):
        if counts:
            listed = ", ".join(f"{key} {count}" for key, count in sorted(counts.items()))
            console.print(f"{name}: {listed}", highlight=False)


@app.command("reindex")
def reindex(json_output: JsonFlag = False) -> None:
    """Rebuild the search index (and its vocabulary) from the challenges, in batches.

    Searches keep working meanwhile, finding what is indexed so far.
    """
    progress = Progress(
        TextColumn("indexing challenges"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        disable=json_output,
    )
    task = progress.add_task("reindex", total=None)

    def report(done: int, total: int) -> None:
        progress.update(task, completed=done, total=total)

    async def use(oc: OpenChance) -> int:
        with progress:
            return await oc.search.reindex(report)

    count = with_platform(settings_or_exit(), use)
    if json_output:
        print_json({"indexed": count})
        return
    console.print(f"Indexed {count} challenges.", highlight=False)
