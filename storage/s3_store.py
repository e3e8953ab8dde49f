"""Photos in an S3-compatible object store (MinIO, Tencent COS, Aliyun OSS, AWS S3), through
aiobotocore: botocore's request signing (SigV4), retries and error model on aiohttp, so it is
async like the rest of the bot and speaks every S3 dialect botocore does. One client is opened on
first use and kept until `close`."""

from __future__ import annotations

import contextlib
from typing import Any

from aiobotocore.config import AioConfig
from aiobotocore.session import get_session
from botocore.exceptions import BotoCoreError, ClientError

from bot.config import Settings
from storage.media_store import MediaStoreError, _safe

_MISSING = {"NoSuchKey", "404", "NotFound"}


class S3MediaStore:
    kind = "s3"

    def __init__(self, *, endpoint: str, bucket: str, region: str, access_key: str | None,
                 secret_key: str | None, prefix: str = "", path_style: bool = True) -> None:
        self.endpoint, self.bucket, self.region, self.prefix = endpoint, bucket, region, prefix
        self._credentials = (access_key, secret_key)
        self._config = AioConfig(s3={"addressing_style": "path" if path_style else "virtual"},
                                 retries={"max_attempts": 3, "mode": "standard"},
                                 connect_timeout=5, read_timeout=30)
        self._stack: contextlib.AsyncExitStack | None = None
        self._client: Any = None

    @classmethod
    def from_settings(cls, settings: Settings) -> S3MediaStore:
        m = settings.media
        if not (m.s3_endpoint and m.s3_bucket):
            raise ValueError("[media] store = \"s3\" needs s3_endpoint and s3_bucket")
        return cls(endpoint=m.s3_endpoint, bucket=m.s3_bucket, region=m.s3_region,
                   access_key=m.s3_access_key.get_secret_value() if m.s3_access_key else None,
                   secret_key=m.s3_secret_key.get_secret_value() if m.s3_secret_key else None,
                   prefix=m.s3_prefix, path_style=m.s3_path_style)

    async def _s3(self) -> Any:
        if self._client is None:
            stack = contextlib.AsyncExitStack()
            access, secret = self._credentials
            self._client = await stack.enter_async_context(get_session().create_client(
                "s3", endpoint_url=self.endpoint, region_name=self.region, aws_access_key_id=access,
                aws_secret_access_key=secret, config=self._config))
            self._stack = stack
        return self._client

    def _key(self, key: str) -> str:
        return self.prefix + _safe(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await (await self._s3()).put_object(Bucket=self.bucket, Key=self._key(key), Body=data,
                                                ContentType=content_type)
        except (BotoCoreError, ClientError) as exc:
            raise MediaStoreError(f"cannot store {key}: {exc}") from exc

    async def get(self, key: str) -> bytes:
        try:
            answer = await (await self._s3()).get_object(Bucket=self.bucket, Key=self._key(key))
            async with answer["Body"] as body:
                return bytes(await body.read())
        except ClientError as exc:
            if exc.response.get("Error", {}).get("Code") in _MISSING:
                raise FileNotFoundError(key) from None
            raise MediaStoreError(f"cannot read {key}: {exc}") from exc
        except BotoCoreError as exc:
            raise MediaStoreError(f"cannot read {key}: {exc}") from exc

    async def delete(self, key: str) -> None:
        try:
            await (await self._s3()).delete_object(Bucket=self.bucket, Key=self._key(key))
        except (BotoCoreError, ClientError) as exc:
            raise MediaStoreError(f"cannot delete {key}: {exc}") from exc

    async def check(self) -> dict[str, Any]:
        where = f"{self.endpoint}/{self.bucket}/{self.prefix}"
        try:
            await (await self._s3()).head_bucket(Bucket=self.bucket)
        except (BotoCoreError, ClientError) as exc:
            return {"store": self.kind, "ok": False, "where": where, "error": type(exc).__name__}
        return {"store": self.kind, "ok": True, "where": where}

    async def close(self) -> None:
        stack, self._stack, self._client = self._stack, None, None
        if stack is not None:
            await stack.aclose()
