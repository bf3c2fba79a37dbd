"""The files port on S3-compatible storage (AWS S3, Cloudflare R2, MinIO) through boto3.

boto3 is blocking: every call that talks to the bucket runs in a worker thread. Presigning
is a local computation (no request), so URLs cost nothing to make.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, TypeVar

import anyio
import boto3
from botocore.config import Config
from botocore.exceptions import BotoCoreError, ClientError

from openchance.config import Settings
from openchance.errors import NotFound, ProviderUnavailable
from openchance.files.filenames import content_disposition
from openchance.providers.files import check_content_type, check_key

if TYPE_CHECKING:
    from mypy_boto3_s3 import S3Client

T = TypeVar("T")

_MISSING_CODES = frozenset({"NoSuchKey", "404", "NotFound"})


class S3FileStore:
    """Objects in one bucket; URLs are presigned (SigV4) GETs that expire."""

    def __init__(
        self,
        bucket: str,
        *,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
    ) -> None:
        self._bucket = bucket
        config = Config(
            signature_version="s3v4",
            # Custom endpoints (R2, MinIO, a test server) are reached by path, not by a
            # bucket sub-domain that may not resolve.
            s3={"addressing_style": "path" if endpoint_url else "auto"},
            retries={"max_attempts": 3, "mode": "standard"},
            connect_timeout=10,
            read_timeout=60,
        )
        self._client: S3Client = boto3.session.Session().client(
            "s3",
            endpoint_url=endpoint_url,
            region_name=region,
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            config=config,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> S3FileStore:
        assert settings.s3_bucket, "checked by Settings"
        secret = settings.s3_secret_access_key
        return cls(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=settings.s3_access_key_id,
            secret_access_key=secret.get_secret_value() if secret else None,
        )

    async def _call(self, function: Callable[[], T]) -> T:
        try:
            return await anyio.to_thread.run_sync(function)
        except ClientError as exc:
            raise ProviderUnavailable("s3", f"the bucket refused: {_error_code(exc)}") from exc
        except BotoCoreError as exc:
            raise ProviderUnavailable("s3", f"the bucket does not answer: {exc}") from exc

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        check_key(key)
        media_type = check_content_type(content_type)
        await self._call(
            lambda: self._client.put_object(
                Bucket=self._bucket, Key=key, Body=data, ContentType=media_type
            )
        )

    async def get(self, key: str) -> bytes:
        check_key(key)

        def read() -> bytes:
            try:
                response = self._client.get_object(Bucket=self._bucket, Key=key)
            except ClientError as exc:
                if _error_code(exc) in _MISSING_CODES:
                    raise NotFound("file", key) from None
                raise
            with response["Body"] as body:
                return body.read()

        return await self._call(read)

    async def delete(self, key: str) -> None:
        check_key(key)
        await self._call(lambda: self._client.delete_object(Bucket=self._bucket, Key=key))

    async def url(self, key: str, expires_in: int, *, download_name: str | None = None) -> str:
        check_key(key)
        if download_name is None:
            filename = key.rsplit("/", 1)[-1]
            disposition = f'inline; filename="{filename}"'
        else:  # signed with the rest: the name cannot be changed without breaking the URL
            disposition = content_disposition("attachment", download_name)
        return self._client.generate_presigned_url(
            "get_object",
            Params={
                "Bucket": self._bucket,
                "Key": key,
                "ResponseContentDisposition": disposition,
            },
            ExpiresIn=expires_in,
        )

    async def close(self) -> None:
        self._client.close()


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", "unknown"))
