"""``/api/v1/challenges/{id}/attachments``: upload, list, download through signed URLs,
remove."""

from __future__ import annotations

import time
import uuid
from typing import Any
from urllib.parse import parse_qs, urlencode, urlparse

import httpx
import pytest

from openchance import OpenChance
from openchance.models.challenges import ChallengeStatus
from openchance.providers.files import LocalFileStore
from tests.factories.challenges import insert_challenge
from tests.factories.documents import WINDOWS_EXE, pdf_bytes, png_bytes
from tests.factories.users import create_user
from tests.files.conftest import s3_endpoint, s3_settings
from tests.server.accounts import API, bearer, login

__all__ = ["s3_endpoint"]  # the moto server fixture, for the S3 class below

MAX_BYTES = 32 * 1024


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"challenge_attachment_max_bytes": MAX_BYTES, "challenge_attachments_max": 5}


@pytest.fixture
async def ada_id(oc: OpenChance) -> uuid.UUID:
    return await create_user(oc, email="ada@example.org")


@pytest.fixture
async def ada(client: httpx.AsyncClient, ada_id: uuid.UUID) -> dict[str, str]:
    """The challenger's bearer header."""
    return bearer((await login(client, "ada@example.org"))["token"])


@pytest.fixture
async def bob(client: httpx.AsyncClient, oc: OpenChance) -> dict[str, str]:
    """A solver's bearer header."""
    await create_user(oc, email="bob@example.org")
    return bearer((await login(client, "bob@example.org"))["token"])


@pytest.fixture
async def challenge_id(oc: OpenChance, ada_id: uuid.UUID) -> uuid.UUID:
    """Ada's open, public challenge."""
    return await insert_challenge(oc, ada_id, status=ChallengeStatus.OPEN)


def attachments_url(challenge_id: uuid.UUID) -> str:
    return f"{API}/challenges/{challenge_id}/attachments"


async def upload(
    client: httpx.AsyncClient,
    challenge_id: uuid.UUID,
    headers: dict[str, str],
    data: bytes,
    filename: str,
    content_type: str = "application/octet-stream",
) -> httpx.Response:
    return await client.post(
        attachments_url(challenge_id),
        headers=headers,
        files={"file": (filename, data, content_type)},
    )


def with_query(url: str, **changes: object) -> str:
    parsed = urlparse(url)
    query = {name: values[0] for name, values in parse_qs(parsed.query).items()}
    query.update({name: str(value) for name, value in changes.items()})
    return parsed._replace(query=urlencode(query)).geturl()


class TestUpload:
    async def test_the_challenger_uploads_a_file_and_gets_it_back_described(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        data = pdf_bytes()

        response = await upload(client, challenge_id, ada, data, "brief.pdf", "application/pdf")

        assert response.status_code == 201, response.text
        body = response.json()
        assert (body["filename"], body["content_type"], body["size_bytes"]) == (
            "brief.pdf",
            "application/pdf",
            len(data),
        )
        assert body["challenge_id"] == str(challenge_id)

    async def test_the_declared_type_and_name_do_not_decide_the_type(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await upload(
            client, challenge_id, ada, png_bytes(), "scan.pdf", "application/pdf"
        )

        assert (response.json()["content_type"], response.json()["filename"]) == (
            "image/png",
            "scan.png",
        )

    async def test_an_executable_named_pdf_is_422(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await upload(
            client, challenge_id, ada, WINDOWS_EXE, "brief.pdf", "application/pdf"
        )

        assert response.status_code == 422
        assert response.json()["code"] == "unsupported_file_type"

    async def test_a_body_over_the_size_limit_is_422(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await upload(client, challenge_id, ada, b"a" * (MAX_BYTES + 1), "big.txt")

        assert response.status_code == 422
        assert response.json()["code"] == "file_too_large"

    async def test_a_body_far_over_the_limit_is_refused_before_it_is_read(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await upload(client, challenge_id, ada, b"a" * (MAX_BYTES * 4), "big.txt")

        assert response.status_code == 422
        assert response.json()["code"] == "file_too_large"

    async def test_a_form_without_the_file_part_is_422(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await client.post(
            attachments_url(challenge_id), headers=ada, data={"note": "no file"}
        )

        assert response.status_code == 422
        assert response.json()["code"] == "file_missing"

    async def test_a_solver_gets_403(
        self, client: httpx.AsyncClient, bob: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await upload(client, challenge_id, bob, b"notes", "notes.txt")

        assert response.status_code == 403
        assert response.json()["code"] == "not_challenge_owner"

    async def test_anonymous_uploads_are_401(
        self, client: httpx.AsyncClient, challenge_id: uuid.UUID
    ) -> None:
        response = await upload(client, challenge_id, {}, b"notes", "notes.txt")

        assert response.status_code == 401

    async def test_a_locked_challenge_is_409(
        self, client: httpx.AsyncClient, oc: OpenChance, ada: dict[str, str], ada_id: uuid.UUID
    ) -> None:
        locked = await insert_challenge(
            oc, ada_id, status=ChallengeStatus.OPEN, application_count=2
        )

        response = await upload(client, locked, ada, b"notes", "notes.txt")

        assert response.status_code == 409
        assert response.json()["code"] == "challenge_locked"


class TestList:
    async def test_anyone_lists_a_public_challenge_s_attachments(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        await upload(client, challenge_id, ada, pdf_bytes(), "brief.pdf")

        response = await client.get(attachments_url(challenge_id))

        assert response.status_code == 200
        [item] = response.json()
        assert set(item) == {
            "id", "challenge_id", "filename", "content_type", "size_bytes", "created_at",
            "download_url",
        }  # fmt: skip

    async def test_someone_else_s_draft_is_404(
        self,
        client: httpx.AsyncClient,
        oc: OpenChance,
        ada_id: uuid.UUID,
        bob: dict[str, str],
    ) -> None:
        draft = await insert_challenge(oc, ada_id, status=ChallengeStatus.DRAFT)

        response = await client.get(attachments_url(draft), headers=bob)

        assert response.status_code == 404


class TestDownload:
    async def download_url(
        self, client: httpx.AsyncClient, challenge_id: uuid.UUID, headers: dict[str, str]
    ) -> str:
        [item] = (await client.get(attachments_url(challenge_id), headers=headers)).json()
        url: str = item["download_url"]
        return url

    async def test_the_signed_url_downloads_the_bytes_under_the_safe_name(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        data = pdf_bytes()
        await upload(client, challenge_id, ada, data, "../../Übersicht Q3.pdf")

        response = await client.get(await self.download_url(client, challenge_id, ada))

        assert response.status_code == 200
        assert response.content == data
        assert response.headers["content-type"] == "application/pdf"
        assert response.headers["content-disposition"] == (
            "attachment; filename=\"Ubersicht Q3.pdf\"; filename*=UTF-8''%C3%9Cbersicht%20Q3.pdf"
        )
        assert response.headers["x-content-type-options"] == "nosniff"

    async def test_plain_text_is_served_as_text_with_nosniff(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        await upload(client, challenge_id, ada, b"day,loaves\n1,120\n", "sales.csv")

        response = await client.get(await self.download_url(client, challenge_id, ada))

        assert response.headers["content-type"].startswith("text/plain")
        assert response.headers["content-disposition"].startswith('attachment; filename="sales')

    async def test_a_changed_download_name_is_403(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        await upload(client, challenge_id, ada, pdf_bytes(), "brief.pdf")
        url = await self.download_url(client, challenge_id, ada)

        response = await client.get(with_query(url, name="brief.html"))

        assert response.status_code == 403
        assert response.json()["code"] == "invalid_signature"

    async def test_dropping_the_name_to_get_it_inline_is_403(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        await upload(client, challenge_id, ada, pdf_bytes(), "brief.pdf")
        parsed = urlparse(await self.download_url(client, challenge_id, ada))
        query = {k: v[0] for k, v in parse_qs(parsed.query).items() if k != "name"}

        response = await client.get(parsed._replace(query=urlencode(query)).geturl())

        assert response.status_code == 403
        assert response.json()["code"] == "invalid_signature"

    async def test_an_expired_url_is_403(
        self,
        client: httpx.AsyncClient,
        oc: OpenChance,
        ada: dict[str, str],
        challenge_id: uuid.UUID,
    ) -> None:
        await upload(client, challenge_id, ada, pdf_bytes(), "brief.pdf")
        url = await self.download_url(client, challenge_id, ada)
        store = oc.file_store
        assert isinstance(store, LocalFileStore)
        key = urlparse(url).path.removeprefix(f"{API}/files/")
        expired = store.signed_url(key, int(time.time()) - 1, download_name="brief.pdf")

        response = await client.get(expired)

        assert response.status_code == 403
        assert response.json()["code"] == "url_expired"


class TestRemove:
    async def test_the_challenger_removes_an_attachment(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        added = (await upload(client, challenge_id, ada, b"notes", "notes.txt")).json()

        response = await client.delete(
            f"{attachments_url(challenge_id)}/{added['id']}", headers=ada
        )

        assert response.status_code == 204
        assert (await client.get(attachments_url(challenge_id))).json() == []

    async def test_a_solver_gets_403(
        self,
        client: httpx.AsyncClient,
        ada: dict[str, str],
        bob: dict[str, str],
        challenge_id: uuid.UUID,
    ) -> None:
        added = (await upload(client, challenge_id, ada, b"notes", "notes.txt")).json()

        response = await client.delete(
            f"{attachments_url(challenge_id)}/{added['id']}", headers=bob
        )

        assert response.status_code == 403

    async def test_an_unknown_attachment_is_404(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        response = await client.delete(
            f"{attachments_url(challenge_id)}/{uuid.uuid4()}", headers=ada
        )

        assert response.status_code == 404


class TestDownloadFromS3:
    """With the S3 backend the URL is presigned by the bucket, the download name included."""

    @pytest.fixture
    def settings_overrides(self, s3_endpoint: str) -> dict[str, Any]:
        return s3_settings(s3_endpoint) | {"challenge_attachment_max_bytes": MAX_BYTES}

    async def test_the_presigned_url_downloads_under_the_safe_name(
        self,
        client: httpx.AsyncClient,
        ada: dict[str, str],
        challenge_id: uuid.UUID,
        s3_endpoint: str,
    ) -> None:
        data = pdf_bytes()
        await upload(client, challenge_id, ada, data, "Übersicht.pdf")
        [item] = (await client.get(attachments_url(challenge_id))).json()
        assert item["download_url"].startswith(s3_endpoint)

        async with httpx.AsyncClient() as outside:
            response = await outside.get(item["download_url"])

        assert response.status_code == 200
        assert response.content == data
        assert response.headers["content-disposition"] == (
            "attachment; filename=\"Ubersicht.pdf\"; filename*=UTF-8''%C3%9Cbersicht.pdf"
        )

    async def test_the_download_name_is_part_of_the_presigned_query(
        self, client: httpx.AsyncClient, ada: dict[str, str], challenge_id: uuid.UUID
    ) -> None:
        # SigV4 signs every query parameter, so the name cannot be changed without
        # breaking the signature (moto does not check signatures: see tests/files/s3_server).
        await upload(client, challenge_id, ada, pdf_bytes(), "brief.pdf")
        [item] = (await client.get(attachments_url(challenge_id))).json()

        query = parse_qs(urlparse(item["download_url"]).query)

        assert query["response-content-disposition"] == [
            "attachment; filename=\"brief.pdf\"; filename*=UTF-8''brief.pdf"
        ]
        assert "X-Amz-Signature" in query
