"""The ``files.delete`` job: remove a stored file once the change that dropped it commits.

A use case that replaces or removes a file enqueues this in its own transaction, so the
file goes exactly when the change is kept (and stays when it is rolled back).
"""

from __future__ import annotations

from pydantic import BaseModel, Field

from openchance.jobs import JobContext, JobRegistry, JobType


class DeleteFile(BaseModel):
    key: str = Field(max_length=512)


DELETE_FILE = JobType("files.delete", DeleteFile, max_attempts=12, timeout_seconds=60)


async def delete_file(context: JobContext, payload: DeleteFile) -> None:
    await context.platform.file_store.delete(payload.key)


def register(registry: JobRegistry) -> None:
    registry.add_handler(DELETE_FILE, delete_file)
