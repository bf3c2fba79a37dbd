"""Categories in and out: what staff send to add or rename one, what everyone reads."""

from __future__ import annotations

import re
import unicodedata
import uuid
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

MAX_NAME_LENGTH = 100
MAX_SLUG_LENGTH = 64
SLUG_PATTERN = r"^[a-z0-9]+(?:-[a-z0-9]+)*$"


def clean_name(value: str) -> str:
    """One line of visible text: white space collapsed, no control characters."""
    value = " ".join(unicodedata.normalize("NFC", value).split())
    if any(unicodedata.category(char)[0] == "C" for char in value):
        raise ValueError("the name may not contain control characters")
    if not value:
        raise ValueError("the name may not be empty")
    if len(value) > MAX_NAME_LENGTH:
        raise ValueError(f"the name has at most {MAX_NAME_LENGTH} characters")
    return value


def slug_from_name(name: str) -> str:
    """``Data science & AI`` → ``data-science-ai``: ASCII letters and digits joined by
    hyphens ("" when nothing of the name is ASCII)."""
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.lower()).strip("-")
    return slug[:MAX_SLUG_LENGTH].rstrip("-")


CategoryName = Annotated[
    str,
    # A generous bound on the raw text (white space is collapsed before the real limit).
    Field(max_length=4 * MAX_NAME_LENGTH, description="Shown to everyone; unique."),
    AfterValidator(clean_name),
]


class CategoryCreate(BaseModel):
    """A new category (staff)."""

    model_config = ConfigDict(extra="forbid")

    name: CategoryName
    slug: str | None = Field(
        default=None,
        max_length=MAX_SLUG_LENGTH,
        pattern=SLUG_PATTERN,
        description="Lower-case letters, digits and single hyphens; derived from the name "
        "when left out. It never changes, so links and saved searches keep working.",
    )
    position: int | None = Field(
        default=None, ge=0, le=10_000, description="Where it is listed; default: last."
    )


class CategoryRename(BaseModel):
    """A new name for a category (staff); its slug stays."""

    model_config = ConfigDict(extra="forbid")

    name: CategoryName


class CategoryRead(BaseModel):
    """A category as everyone sees it."""

    id: uuid.UUID
    slug: str
    name: str
    position: int
    retired: bool = Field(description="Retired categories take no new challenges.")
    open_challenges: int = Field(description="Open public challenges filed under it.")
