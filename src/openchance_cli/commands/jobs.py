"""``openchance jobs``: look at and steer the durable job queue."""

from __future__ import annotations

import uuid
from typing import Annotated

import typer

from openchance import Actor, OpenChance
from openchance.jobs.schemas import JobDetail, JobFilter
from openchance.models.jobs import JobState
from openchance_cli.output import JSON_OPTION_HELP, print_fields, print_json, print_table
from openchance_cli.runtime import settings_or_exit, with_platform

app = typer.Typer(no_args_is_help=True, help="Inspect, retry and cancel background jobs.")

ACTOR = Actor.system("cli")
JsonFlag = Annotated[bool, typer.Option("--json", help=JSON_OPTION_HELP)]
JobId = Annotated[uuid.UUID, typer.Argument(help="The job's id.")]


@app.command("list")
def list_jobs(
    state: Annotated[JobState | None, typer.Option(help="Only jobs in this state.")] = None,
    name: Annotated[str | None, typer.Option(help="Only jobs of this name.")] = None,
    limit: Annotated[int, typer.Option(min=1, max=1000, help="At most this many.")] = 50,
    json_output: JsonFlag = False,
) -> None:
    """List jobs, newest first."""
    query = JobFilter(state=state, name=name, limit=limit)
    jobs = with_platform(settings_or_exit(), lambda oc: oc.jobs.list_jobs(ACTOR, query))
    if json_output:
        print_json(jobs)
        return
    print_table(
        f"Jobs ({len(jobs)})",
        ["id", "name", "state", "attempts", "run at", "last error"],
        [
            (
                job.id,
                job.name,
                job.state.value,
                f"{job.attempts}/{job.max_attempts}",
                job.run_at,
                (job.last_error or "").strip().splitlines()[-1:] or None,
            )
            for job in jobs
        ],
    )


@app.command("counts")
def counts(json_output: JsonFlag = False) -> None:
    """How many jobs are in each state."""
    result = with_platform(settings_or_exit(), lambda oc: oc.jobs.count_jobs(ACTOR))
    if json_output:
        print_json(result)
        return
    print_table(
        "Jobs by state", ["state", "count"], [(s.value, n) for s, n in result.counts.items()]
    )


def _print_detail(job: JobDetail, json_output: bool) -> None:
    if json_output:
        print_json(job)
        return
    print_fields(f"Job {job.id}", job.model_dump())


@app.command("show")
def show(job_id: JobId, json_output: JsonFlag = False) -> None:
    """Everything about one job, including its payload and last error."""
    job = with_platform(settings_or_exit(), lambda oc: oc.jobs.get_job(ACTOR, job_id))
    _print_detail(job, json_output)


@app.command("retry")
def retry(job_id: JobId, json_output: JsonFlag = False) -> None:
    """Give a dead or cancelled job a fresh set of attempts, due now."""

    async def use(oc: OpenChance) -> JobDetail:
        return await oc.jobs.retry_job(ACTOR, job_id)

    _print_detail(with_platform(settings_or_exit(), use), json_output)


@app.command("cancel")
def cancel(job_id: JobId, json_output: JsonFlag = False) -> None:
    """Call off a pending or dead job."""

    async def use(oc: OpenChance) -> JobDetail:
        return await oc.jobs.cancel_job(ACTOR, job_id)

    _print_detail(with_platform(settings_or_exit(), use), json_output)
