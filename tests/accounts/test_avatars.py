"""Avatars: checked by content, re-encoded without metadata, stored under fresh keys."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from openchance import InvalidInput, NotAuthenticated, NotFound, OpenChance
from openchance.accounts.profile_schemas import ProfileEdit
from openchance.accounts.profiles import erase_profile
from openchance.accounts.schemas import StatusChange
from openchance.actor import Actor
from openchance.models.profiles import Profile
from tests.factories.images import (
    CAMERA_MAKER,
    SCRIPT,
    exif_of,
    forged_png,
    format_and_size,
    image_bytes,
    noise_png,
)
from tests.factories.users import actor_for, create_user
from tests.support.jobs import drain


@pytest.fixture
async def ada(oc: OpenChance) -> Actor:
    await create_user(oc, email="ada@example.org")
    return await actor_for(oc, "ada@example.org")


async def avatar_key(oc: OpenChance, user_id: uuid.UUID | None) -> str | None:
    async with oc.unit_of_work(read_only=True) as uow:
        return await uow.session.scalar(
            select(Profile.avatar_key).where(Profile.user_id == user_id)
        )


async def stored_avatar(oc: OpenChance, actor: Actor) -> bytes:
    key = await avatar_key(oc, actor.user_id)
    assert key is not None
    return await oc.file_store.get(key)


class TestSetAvatar:
    async def test_a_png_with_exif_is_stored_re_encoded_without_it(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        upload = image_bytes(with_exif=True)
        assert CAMERA_MAKER.encode() in upload

        profile = await oc.profiles.set_avatar(ada, upload, "me.png")

        stored = await stored_avatar(oc, ada)
        assert profile.avatar_url is not None
        assert format_and_size(stored) == ("WEBP", (64, 48))
        assert exif_of(stored) == {}
        assert CAMERA_MAKER.encode() not in stored

    @pytest.mark.parametrize("image_format", ["JPEG", "WEBP", "GIF"])
    async def test_jpeg_webp_and_gif_are_accepted(
        self, oc: OpenChance, ada: Actor, image_format: str
    ) -> None:
        await oc.profiles.set_avatar(ada, image_bytes(format=image_format), "me")

        assert format_and_size(await stored_avatar(oc, ada))[0] == "WEBP"

    async def test_a_large_picture_is_scaled_down_to_512_px(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        await oc.profiles.set_avatar(ada, image_bytes((2048, 1024)), "big.png")

        assert format_and_size(await stored_avatar(oc, ada)) == ("WEBP", (512, 256))

    async def test_a_script_named_png_is_refused(self, oc: OpenChance, ada: Actor) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.profiles.set_avatar(ada, SCRIPT, "cute-cat.png")

        assert raised.value.code == "unsupported_image"

    async def test_a_truncated_image_is_refused(self, oc: OpenChance, ada: Actor) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.profiles.set_avatar(ada, image_bytes((300, 300))[:120], "cut.png")

        assert raised.value.code == "unsupported_image"

    async def test_an_svg_is_refused(self, oc: OpenChance, ada: Actor) -> None:
        svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'

        with pytest.raises(InvalidInput) as raised:
            await oc.profiles.set_avatar(ada, svg, "logo.svg")

        assert raised.value.code == "unsupported_image"

    async def test_a_file_over_5_mb_is_refused(self, oc: OpenChance, ada: Actor) -> None:
        upload = noise_png((1400, 1300))
        assert len(upload) > 5 * 1024 * 1024

        with pytest.raises(InvalidInput) as raised:
            await oc.profiles.set_avatar(ada, upload, "huge.png")

        assert raised.value.code == "file_too_large"

    async def test_a_picture_over_4096_px_is_refused(self, oc: OpenChance, ada: Actor) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.profiles.set_avatar(ada, image_bytes((4097, 8)), "wide.png")

        assert raised.value.code == "image_too_large"

    @pytest.mark.parametrize("side", [10_000, 100_000])
    async def test_a_decompression_bomb_is_refused_before_decoding(
        self, oc: OpenChance, ada: Actor, side: int
    ) -> None:
        with pytest.raises(InvalidInput) as raised:
            await oc.profiles.set_avatar(ada, forged_png(side, side), "bomb.png")

        assert raised.value.code == "image_too_large"

    async def test_a_refused_upload_keeps_the_current_avatar(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        await oc.profiles.set_avatar(ada, image_bytes(), "me.png")
        before = await avatar_key(oc, ada.user_id)

        with pytest.raises(InvalidInput):
            await oc.profiles.set_avatar(ada, SCRIPT, "me.png")

        assert await avatar_key(oc, ada.user_id) == before

    async def test_each_upload_gets_a_fresh_random_key(self, oc: OpenChance, ada: Actor) -> None:
        await oc.profiles.set_avatar(ada, image_bytes(), "me.png")
        first = await avatar_key(oc, ada.user_id)

        await oc.profiles.set_avatar(ada, image_bytes(), "me.png")

        second = await avatar_key(oc, ada.user_id)
        assert first != second
        assert second is not None
        assert second.startswith("avatars/")
        assert str(ada.user_id) not in second

    async def test_the_old_file_is_deleted_when_replaced(self, oc: OpenChance, ada: Actor) -> None:
        await oc.profiles.set_avatar(ada, image_bytes(), "first.png")
        old = await avatar_key(oc, ada.user_id)
        assert old is not None

        await oc.profiles.set_avatar(ada, image_bytes((32, 32)), "second.png")
        await drain(oc)

        with pytest.raises(NotFound):
            await oc.file_store.get(old)
        assert format_and_size(await stored_avatar(oc, ada)) == ("WEBP", (32, 32))

    async def test_an_anonymous_visitor_cannot_upload(self, oc: OpenChance) -> None:
        with pytest.raises(NotAuthenticated):
            await oc.profiles.set_avatar(Actor.anonymous(), image_bytes(), "me.png")

    async def test_the_public_profile_shows_the_avatar(self, oc: OpenChance, ada: Actor) -> None:
        assert ada.user_id is not None
        await oc.profiles.set_avatar(ada, image_bytes(), "me.png")

        profile = await oc.profiles.get_public_profile(Actor.anonymous(), ada.user_id)

        assert profile.avatar_url is not None
        assert "signature=" in profile.avatar_url


class TestRemoveAvatar:
    async def test_the_avatar_and_its_file_go(self, oc: OpenChance, ada: Actor) -> None:
        await oc.profiles.set_avatar(ada, image_bytes(), "me.png")
        key = await avatar_key(oc, ada.user_id)
        assert key is not None

        profile = await oc.profiles.remove_avatar(ada)
        await drain(oc)

        assert profile.avatar_url is None
        with pytest.raises(NotFound):
            await oc.file_store.get(key)

    async def test_removing_no_avatar_is_no_error(self, oc: OpenChance, ada: Actor) -> None:
        profile = await oc.profiles.remove_avatar(ada)

        assert profile.avatar_url is None


class TestEraseProfile:
    async def test_the_profile_and_its_avatar_file_go(self, oc: OpenChance, ada: Actor) -> None:
        assert ada.user_id is not None
        await oc.profiles.update_my_profile(ada, ProfileEdit(headline="Engines"))
        await oc.profiles.set_avatar(ada, image_bytes(), "me.png")
        key = await avatar_key(oc, ada.user_id)
        assert key is not None

        async with oc.unit_of_work() as uow:
            await erase_profile(uow, ada.user_id)
        await drain(oc)

        assert (await oc.profiles.get_my_profile(ada)).headline is None
        with pytest.raises(NotFound):
            await oc.file_store.get(key)


class TestAccountDeletionErasesTheProfile:
    async def test_deleting_the_account_removes_the_profile_and_the_avatar(
        self, oc: OpenChance, ada: Actor
    ) -> None:
        assert ada.user_id is not None
        await oc.profiles.update_my_profile(ada, ProfileEdit(headline="Engines"))
        await oc.profiles.set_avatar(ada, image_bytes(), "me.png")
        key = await avatar_key(oc, ada.user_id)
        assert key is not None

        await oc.users.delete_user(
            Actor.system("tests"), ada.user_id, StatusChange(reason="erasure request")
        )
        await drain(oc)

        assert await avatar_key(oc, ada.user_id) is None
        with pytest.raises(NotFound):
            await oc.file_store.get(key)
