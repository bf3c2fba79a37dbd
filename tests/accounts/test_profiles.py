"""Profiles: your own to edit, anyone's to read (active accounts only)."""

from __future__ import annotations

import uuid

import anyio
import pytest
from pydantic import ValidationError
from sqlalchemy import update

from openchance import NotAuthenticated, NotFound, OpenChance, Role
from openchance.accounts.profile_schemas import HourlyRate, ProfileEdit
from openchance.actor import Actor
from openchance.models.accounts import User, UserStatus
from tests.factories.users import actor_for, create_user


@pytest.fixture
async def ada(oc: OpenChance) -> Actor:
    await create_user(oc, email="ada@example.org", display_name="Ada Lovelace")
    return await actor_for(oc, "ada@example.org")


class TestGetMyProfile:
    async def test_a_new_account_has_an_empty_profile(self, oc: OpenChance, ada: Actor) -> None:
        profile = await oc.profiles.get_my_profile(ada)

        assert profile.user_id == ada.user_id
        assert profile.display_name == "Ada Lovelace"
        assert (profile.headline, profile.bio, profile.bio_html) == (None, None, "")
        assert (profile.links, profile.skills, profile.hourly_rate) == ([], [], None)
        assert profile.avatar_url is None
        assert profile.updated_at is None

    async def test_an_anonymous_visitor_has_no_profile(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.profiles.get_my_profile(Actor.anonymous())


class TestUpdateMyProfile:
    async def test_every_field_is_saved_and_read_back(self, oc: OpenChance, ada: Actor) -> None:
        await oc.profiles.update_my_profile(
            ada,
            ProfileEdit(
                headline="Analytical engines",
                bio="I write *programs*.",
                location="London",
                links=["https://ada.example.org/"],
                skills=["Mathematics"],
                hourly_rate=HourlyRate(amount_minor=8500, currency="EUR"),
                availability="limited",
                organisation_name="Analytical Society",
                organisation_website="https://society.example.org/",
            ),
        )

        profile = await oc.profiles.get_my_profile(ada)
        assert profile.headline == "Analytical engines"
        assert profile.bio == "I write *programs*."
        assert profile.location == "London"
        assert profile.links == ["https://ada.example.org/"]
        assert profile.skills == ["mathematics"]
        assert profile.hourly_rate is not None
        assert profile.hourly_rate.model_dump() == {
            "amount_minor": 8500,
            "currency": "EUR",
            "formatted": "85.00 EUR",
        }
        assert profile.availability == "limited"
        assert profile.organisation_name == "Analytical Society"
        assert profile.organisation_website == "https://society.example.org/"
        assert profile.updated_at is not None

    async def test_only_the_fields_sent_change(self, oc: OpenChance, ada: Actor) -> None:
        await oc.profiles.update_my_profile(ada, ProfileEdit(headline="Engines", location="London"))

        profile = await oc.profiles.update_my_profile(ada, ProfileEdit(location="Paris"))

        assert (profile.headline, profile.location) == ("Engines", "Paris")

    async def test_null_or_blank_clears_a_field(self, oc: OpenChance, ada: Actor) -> None:
        await oc.profiles.update_my_profile(
            ada,
            ProfileEdit(
                headline="Engines",
                location="London",
                hourly_rate=HourlyRate(amount_minor=100, currency="EUR"),
            ),
        )

        profile = await oc.profiles.update_my_profile(
            ada, ProfileEdit(headline=None, location="   ", hourly_rate=None)
        )

        assert (profile.headline, profile.location, profile.hourly_rate) == (None, None, None)

    async def test_you_edit_your_own_profile_and_nobody_else_s(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        """There is no user id to point at: the actor's profile is the one that changes."""
        await create_user(oc, email="bob@example.org", display_name="Bob")
        bob = await actor_for(oc, "bob@example.org")

        await oc.profiles.update_my_profile(bob, ProfileEdit(headline="Bob's headline"))

        assert (await oc.profiles.get_my_profile(ada)).headline is None
        assert (await oc.profiles.get_my_profile(bob)).headline == "Bob's headline"

    async def test_staff_edit_only_their_own_profile_too(self, oc: OpenChance, ada: Actor) -> None:
        await create_user(oc, email="boss@example.org", role=Role.ADMIN)
        boss = await actor_for(oc, "boss@example.org")

        await oc.profiles.update_my_profile(boss, ProfileEdit(headline="Admin"))

        assert (await oc.profiles.get_my_profile(ada)).headline is None

    @pytest.mark.parametrize("field", ["user_id", "role", "status", "email_verified", "avatar_key"])
    def test_fields_you_may_not_set_are_not_in_the_schema(self, field: str) -> None:
        with pytest.raises(ValidationError):
            ProfileEdit.model_validate({field: "x"})

    async def test_an_anonymous_visitor_cannot_edit(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.profiles.update_my_profile(Actor.anonymous(), ProfileEdit(headline="x"))


class TestSkills:
    def test_skills_are_trimmed_lower_cased_hyphenated_and_deduplicated(self) -> None:
        edit = ProfileEdit(
            skills=["  Machine Learning ", "machine-learning", "Python", "C++", "", "Node.js"]
        )

        assert edit.skills == ["machine-learning", "python", "c++", "node.js"]

    def test_more_than_thirty_skills_are_refused(self) -> None:
        with pytest.raises(ValidationError, match="at most 30 skills"):
            ProfileEdit(skills=[f"skill-{n}" for n in range(31)])

    def test_thirty_skills_after_removing_repeats_are_fine(self) -> None:
        edit = ProfileEdit(skills=[f"skill-{n % 30}" for n in range(60)])

        assert edit.skills is not None
        assert len(edit.skills) == 30

    def test_a_skill_over_forty_characters_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="longer than 40"):
            ProfileEdit(skills=["x" * 41])

    def test_a_skill_with_markup_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="only letters"):
            ProfileEdit(skills=["<b>bold</b>"])


class TestLinks:
    def test_up_to_five_http_links_are_accepted(self) -> None:
        edit = ProfileEdit(links=[f"https://example.org/{n}" for n in range(5)])

        assert edit.links is not None
        assert len(edit.links) == 5

    def test_a_sixth_link_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            ProfileEdit(links=[f"https://example.org/{n}" for n in range(6)])

    @pytest.mark.parametrize(
        "link", ["javascript:alert(1)", "ftp://example.org/x", "example.org", "data:text/html,x"]
    )
    def test_a_link_that_is_not_http_is_refused(self, link: str) -> None:
        with pytest.raises(ValidationError):
            ProfileEdit(links=[link])

    def test_a_website_that_is_not_http_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            ProfileEdit(organisation_website="javascript:alert(1)")

    async def test_repeated_links_are_kept_once(self, oc: OpenChance, ada: Actor) -> None:
        profile = await oc.profiles.update_my_profile(
            ada, ProfileEdit(links=["https://a.example.org/", "https://a.example.org/"])
        )

        assert profile.links == ["https://a.example.org/"]


class TestHourlyRate:
    def test_a_lower_case_currency_is_normalised(self) -> None:
        assert HourlyRate(amount_minor=100, currency="eur").currency == "EUR"

    def test_an_unknown_currency_is_refused(self) -> None:
        with pytest.raises(ValidationError, match="ISO 4217"):
            HourlyRate(amount_minor=100, currency="XYZ")

    def test_a_negative_amount_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            HourlyRate(amount_minor=-1, currency="EUR")

    @pytest.mark.parametrize("amount", [12.5, "1000", True])
    def test_an_amount_that_is_not_an_integer_is_refused(self, amount: object) -> None:
        with pytest.raises(ValidationError):
            HourlyRate.model_validate({"amount_minor": amount, "currency": "EUR"})

    async def test_a_currency_without_minor_units_is_formatted_whole(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        profile = await oc.profiles.update_my_profile(
            ada, ProfileEdit(hourly_rate=HourlyRate(amount_minor=9000, currency="JPY"))
        )

        assert profile.hourly_rate is not None
        assert profile.hourly_rate.formatted == "9000 JPY"

    def test_an_unknown_availability_is_refused(self) -> None:
        with pytest.raises(ValidationError):
            ProfileEdit.model_validate({"availability": "sometimes"})


class TestBio:
    async def bio_html(self, oc: OpenChance, actor: Actor, bio: str) -> str:
        return (await oc.profiles.update_my_profile(actor, ProfileEdit(bio=bio))).bio_html

    async def test_markdown_is_rendered(self, oc: OpenChance, ada: Actor) -> None:
        html = await self.bio_html(oc, ada, "I like **engines**.\n\n- one\n- two")

        assert html == (
            "<p>I like <strong>engines</strong>.</p>\n<ul>\n<li>one</li>\n<li>two</li>\n</ul>"
        )

    async def test_a_script_is_removed_with_its_content(self, oc: OpenChance, ada: Actor) -> None:
        html = await self.bio_html(oc, ada, "Hello <script>alert('x')</script> world")

        assert "script" not in html
        assert "alert" not in html
        assert "Hello" in html

    async def test_an_event_handler_is_removed(self, oc: OpenChance, ada: Actor) -> None:
        html = await self.bio_html(
            oc, ada, '<p onclick="steal()">Click</p> <em onmouseover="x()">me</em>'
        )

        assert "onclick" not in html
        assert "onmouseover" not in html
        assert "steal" not in html

    async def test_a_link_gets_rel_nofollow(self, oc: OpenChance, ada: Actor) -> None:
        html = await self.bio_html(oc, ada, "See [my site](https://ada.example.org)")

        assert html == (
            '<p>See <a href="https://ada.example.org" rel="nofollow noopener noreferrer">'
            "my site</a></p>"
        )

    async def test_a_javascript_link_loses_its_target(self, oc: OpenChance, ada: Actor) -> None:
        html = await self.bio_html(oc, ada, '<a href="javascript:alert(1)">x</a>')

        assert "javascript" not in html

    async def test_images_and_unlisted_tags_are_not_kept(self, oc: OpenChance, ada: Actor) -> None:
        html = await self.bio_html(
            oc, ada, '<img src="https://t.example/p.gif"><iframe src="x"></iframe>'
        )

        assert "<img" not in html
        assert "<iframe" not in html

    async def test_the_source_is_kept_as_written(self, oc: OpenChance, ada: Actor) -> None:
        bio = "Hello <script>alert('x')</script>"

        profile = await oc.profiles.update_my_profile(ada, ProfileEdit(bio=bio))

        assert profile.bio == bio


class TestGetPublicProfile:
    async def test_anyone_may_read_a_profile(self, oc: OpenChance, ada: Actor) -> None:
        assert ada.user_id is not None
        await oc.profiles.update_my_profile(ada, ProfileEdit(headline="Engines"))

        profile = await oc.profiles.get_public_profile(Actor.anonymous(), ada.user_id)

        assert profile.headline == "Engines"
        assert profile.display_name == "Ada Lovelace"

    async def test_a_suspended_account_is_not_found(self, oc: OpenChance) -> None:
        user_id = await create_user(oc, suspended=True)

        with pytest.raises(NotFound):
            await oc.profiles.get_public_profile(Actor.anonymous(), user_id)

    async def test_a_deleted_account_is_not_found(self, oc: OpenChance, ada: Actor) -> None:
        assert ada.user_id is not None
        async with oc.unit_of_work() as uow:
            await uow.session.execute(
                update(User).where(User.id == ada.user_id).values(status=UserStatus.DELETED)
            )

        with pytest.raises(NotFound):
            await oc.profiles.get_public_profile(Actor.anonymous(), ada.user_id)

    async def test_an_unknown_user_is_not_found(self, oc: OpenChance) -> None:
        with pytest.raises(NotFound):
            await oc.profiles.get_public_profile(Actor.anonymous(), uuid.uuid4())


class TestConcurrentFirstEdits:
    @pytest.mark.postgres_only
    async def test_two_first_edits_at_once_both_land_on_one_row(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        async with anyio.create_task_group() as group:
            group.start_soon(oc.profiles.update_my_profile, ada, ProfileEdit(headline="One"))
            group.start_soon(oc.profiles.update_my_profile, ada, ProfileEdit(location="Two"))

        profile = await oc.profiles.get_my_profile(ada)
        assert (profile.headline, profile.location) == ("One", "Two")
