"""Where photos' bytes live: one small interface (`MediaStore`) with a folder on this machine
(`LocalMediaStore`, the default) and any S3-compatible object store (`S3MediaStore`: MinIO,
Tencent COS, Aliyun OSS, AWS) behind it. The database holds only the keys (storage.photo_store).

Keys are relative paths such as ``photos/ab/ab12….jpg`` (content addressed: the same picture is
stored once). Every call is async; the local store's file system work runs in a thread."""

from __future__ import annotations

import asyncio
import contextlib
import os
import tempfile
from pathlib import Path
from typing import Any, Protocol

from bot.config import Settings


class MediaStoreError(Exception):
    """The store could not be reached or refused the operation."""


class MediaStore(Protocol):
    kind: str  # "local" or "s3", for /healthz

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        """Store `data` under `key` (replacing what was there). MediaStoreError on failure."""
        ...

    async def get(self, key: str) -> bytes:
        """The bytes under `key`; FileNotFoundError when there are none, MediaStoreError otherwise."""
        ...

    async def delete(self, key: str) -> None:
        """Remove `key`; a key already gone is not an error."""
        ...

    async def check(self) -> dict[str, Any]:
        """For /healthz: {"store", "ok", "where", "error"?}; never raises."""
        ...

    async def close(self) -> None:
        """Give back connections (shutdown)."""
        ...


def _safe(key: str) -> str:
    """Keys are our own, but a key must never climb out of the store."""
    parts = key.split("/")
    if not key or key.startswith("/") or any(p in ("", ".", "..") for p in parts):
        raise ValueError(f"bad media key {key!r}")
    return key


class LocalMediaStore:
    """A folder on this machine (created on first write). Writes go to a temporary file in the
    same folder and are renamed into place, so a crash never leaves half a picture under a key."""

    kind = "local"

    def __init__(self, root: Path) -> None:
        self.root = root

    def path(self, key: str) -> Path:
        return self.root / _safe(key)

    async def put(self, key: str, data: bytes, content_type: str) -> None:
        try:
            await asyncio.to_thread(self._write, self.path(key), data)
        except OSError as exc:
            raise MediaStoreError(f"cannot write {key}: {exc.strerror or exc}") from exc

    @staticmethod
    def _write(path: Path, data: bytes) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".part-")
        try:
            with os.fdopen(fd, "wb") as out:
                out.write(data)
            os.replace(tmp, path)
        except BaseException:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
            raise

    async def get(self, key: str) -> bytes:
        try:
            return await asyncio.to_thread(self.path(key).read_bytes)
        except FileNotFoundError:
            raise
        except OSError as exc:
            raise MediaStoreError(f"cannot read {key}: {exc.strerror or exc}") from exc

    async def delete(self, key: str) -> None:
        with contextlib.suppress(FileNotFoundError):
            await asyncio.to_thread(self.path(key).unlink)

    async def check(self) -> dict[str, Any]:
        def writable() -> bool:
            self.root.mkdir(parents=True, exist_ok=True)
            return os.access(self.root, os.W_OK)

        try:
            ok = await asyncio.to_thread(writable)
        except OSError as exc:
            return {"store": self.kind, "ok": False, "where": str(self.root), "error": exc.strerror or str(exc)}
        return {"store": self.kind, "ok": ok, "where": str(self.root)} | ({} if ok else {"error": "not writable"})

    async def close(self) -> None:
        return None


def media_store(settings: Settings) -> MediaStore:
    """The store `[media]` configures."""
    if settings.media.store == "s3":
        from storage.s3_store import S3MediaStore  # botocore is loaded only when S3 is configured

        return S3MediaStore.from_settings(settings)
    return LocalMediaStore(settings.media_dir)
