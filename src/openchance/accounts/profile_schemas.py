"""What the profile use cases take and return.

``ProfileEdit`` holds only what a user may say about themselves: no user id (you edit your
own profile), no role, no verified flag, no status, no avatar key.
"""

from __future__ import annotations

import re
import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field, HttpUrl, StringConstraints, field_validator

from openchance.db.types import Money, normalise_currency
from openchance.errors import InvalidInput
from openchance.models.profiles import Availability

MAX_LINKS = 5
MAX_SKILLS = 30
MAX_SKILL_LENGTH = 40
MAX_BIO_LENGTH = 5000
MAX_HOURLY_RATE_MINOR = 10**12

_SKILL_CHARACTERS = re.compile(r"[\w+#.-]+")

Headline = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
Location = Annotated[str, StringConstraints(strip_whitespace=True, max_length=100)]
OrganisationName = Annotated[str, StringConstraints(strip_whitespace=True, max_length=120)]
Bio = Annotated[str, StringConstraints(max_length=MAX_BIO_LENGTH)]
Link = Annotated[HttpUrl, Field(max_length=2048)]


def normalise_skill(tag: str) -> str:
    """``"  Machine Learning "`` → ``"machine-learning"``."""
    return re.sub(r"[\s_-]+", "-", tag.strip().lower()).strip("-")


def normalise_skills(tags: list[str]) -> list[str]:
    """Lower-case, trimmed, spaces as hyphens, without empties and repeats, in order given."""
    skills: list[str] = []
    for tag in tags:
        skill = normalise_skill(tag)
        if not skill or skill in skills:
            continue
        if len(skill) > MAX_SKILL_LENGTH:
            raise ValueError(f"{skill!r} is longer than {MAX_SKILL_LENGTH} characters")
        if not _SKILL_CHARACTERS.fullmatch(skill):
            raise ValueError(f"{skill!r} may hold only letters, digits and + # . -")
        skills.append(skill)
    if len(skills) > MAX_SKILLS:
        raise ValueError(f"at most {MAX_SKILLS} skills")
    return skills


class HourlyRate(BaseModel):
    """An amount in integer minor units (cents) of an ISO 4217 currency."""

    model_config = ConfigDict(extra="forbid")

    amount_minor: int = Field(ge=0, le=MAX_HOURLY_RATE_MINOR, strict=True)
    currency: str = Field(min_length=3, max_length=3, examples=["EUR"])

    @field_validator("currency")
    @classmethod
    def _iso_4217(cls, currency: str) -> str:
        try:
            return normalise_currency(currency)
        except InvalidInput as error:
            raise ValueError(error.message) from None

    def to_money(self) -> Money:
        return Money(self.amount_minor, self.currency)


class HourlyRateRead(HourlyRate):
    formatted: str = Field(examples=["85.00 EUR"])

    @classmethod
    def of(cls, money: Money) -> HourlyRateRead:
        return cls(
            amount_minor=money.amount_minor, currency=money.currency, formatted=money.format()
        )


class ProfileEdit(BaseModel):
    """Only the fields sent change; ``null`` (or an empty string or list) clears one."""

    model_config = ConfigDict(extra="forbid")

    headline: Headline | None = None
    bio: Bio | None = Field(default=None, description="Markdown; rendered as `bio_html`.")
    location: Location | None = None
    links: list[Link] | None = Field(default=None, max_length=MAX_LINKS)
    skills: list[Annotated[str, StringConstraints(max_length=100)]] | None = Field(
        default=None,
        max_length=100,
        description=f"Tags, normalised: lower case, spaces as hyphens, no repeats, at most "
        f"{MAX_SKILLS} of at most {MAX_SKILL_LENGTH} characters.",
    )
    hourly_rate: HourlyRate | None = Field(default=None, description="As a solver.")
    availability: Availability | None = Field(default=None, description="As a solver.")
    organisation_name: OrganisationName | None = Field(default=None, description="As a challenger.")
    organisation_website: Link | None = Field(default=None, description="As a challenger.")

    @field_validator("skills")
    @classmethod
    def _normalise_skills(cls, skills: list[str] | None) -> list[str] | None:
        return None if skills is None else normalise_skills(skills)


class ProfileRead(BaseModel):
    """A profile as everyone sees it (its owner included)."""

    user_id: uuid.UUID
    display_name: str
    headline: str | None
    bio: str | None = Field(description="The Markdown source.")
    bio_html: str = Field(description="The bio rendered and sanitised: safe to insert.")
    location: str | None
    links: list[str]
    skills: list[str]
    hourly_rate: HourlyRateRead | None
    availability: Availability | None
    organisation_name: str | None
    organisation_website: str | None
    avatar_url: str | None = Field(description="Signed and expiring: fetch a fresh profile.")
    updated_at: datetime | None = Field(description="Null until the profile is first edited.")
