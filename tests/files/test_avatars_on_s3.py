"""Avatars on the S3 backend: stored in the bucket, shown through presigned URLs."""

from __future__ import annotations

from typing import Any

import pytest

from openchance import OpenChance
from tests.factories.images import format_and_size, image_bytes
from tests.factories.users import actor_for, create_user
from tests.files.conftest import Fetch, s3_settings


@pytest.fixture
def settings_overrides(s3_endpoint: str) -> dict[str, Any]:
    return s3_settings(s3_endpoint)


class TestAvatarOnS3:
    async def test_the_avatar_url_is_a_presigned_bucket_url_serving_the_image(
        self, oc: OpenChance, fetch: Fetch, s3_endpoint: str
    ) -> None:
        await create_user(oc, email="ada@example.org")
        ada = await actor_for(oc, "ada@example.org")

        profile = await oc.profiles.set_avatar(ada, image_bytes(with_exif=True), "me.png")

        assert profile.avatar_url is not None
        assert profile.avatar_url.startswith(s3_endpoint)
        response = await fetch(profile.avatar_url)
        assert response.status_code == 200
        assert response.headers["content-type"] == "image/webp"
        assert format_and_size(response.content) == ("WEBP", (64, 48))
