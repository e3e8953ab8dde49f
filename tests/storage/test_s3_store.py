"""The S3 media store against a real S3 endpoint on this machine: moto's server (the S3 REST API
over HTTP, in a thread), so aiobotocore signs and sends real requests and reads real answers."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from moto.server import ThreadedMotoServer

from bot.config import load_settings
from storage.media_store import MediaStoreError, media_store
from storage.s3_store import S3MediaStore

PORT = 18191


@pytest.fixture(scope="module")
def endpoint() -> Iterator[str]:
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=PORT, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{PORT}"
    finally:
        server.stop()


async def test_put_get_delete_through_the_s3_api(endpoint: str) -> None:
    settings = load_settings(None, media__store="s3", media__s3_endpoint=endpoint, media__s3_bucket="photos",
                             media__s3_access_key="test", media__s3_secret_key="test")
    store = media_store(settings)
    assert isinstance(store, S3MediaStore)
    try:
        assert (await store.check())["ok"] is False  # no bucket yet: /healthz says so, nothing raises
        await (await store._s3()).create_bucket(Bucket="photos")
        assert (await store.check()) == {"store": "s3", "ok": True, "where": f"{endpoint}/photos/gridbot/"}
        await store.put("photos/ab/abc.jpg", b"\xff\xd8 picture", "image/jpeg")
        assert await store.get("photos/ab/abc.jpg") == b"\xff\xd8 picture"
        listed = await (await store._s3()).list_objects_v2(Bucket="photos")
        assert [o["Key"] for o in listed["Contents"]] == ["gridbot/photos/ab/abc.jpg"]  # under the prefix
        await store.delete("photos/ab/abc.jpg")
        with pytest.raises(FileNotFoundError):
            await store.get("photos/ab/abc.jpg")
        with pytest.raises(ValueError, match="bad media key"):
            await store.put("../x", b"", "image/jpeg")
    finally:
        await store.close()


async def test_an_unreachable_store_is_a_media_store_error() -> None:
    store = S3MediaStore(endpoint="http://127.0.0.1:18199", bucket="b", region="us-east-1", access_key="a",
                         secret_key="b")
    try:
        with pytest.raises(MediaStoreError):
            await store.put("photos/x.jpg", b"x", "image/jpeg")
        assert (await store.check())["ok"] is False
    finally:
        await store.close()


def test_s3_needs_an_endpoint_and_a_bucket() -> None:
    with pytest.raises(ValueError, match="s3_endpoint and s3_bucket"):
        media_store(load_settings(None, media__store="s3"))
