"""Index integrity: checksums of a build's files (kept in its manifest) and the lock that tells builds apart.

A build records the size and SHA-256 of every file it writes. Loading compares sizes (cheap, catches the
truncated and 0-byte files a full disk or a killed copy leaves); a build compares the full checksums of the
files it would reuse and rebuilds what differs, so the repair hint "请运行 assistant build" really repairs.
"""
from __future__ import annotations

import hashlib
import logging
import os
import shutil
from pathlib import Path
from typing import Any, Iterable

log = logging.getLogger(__name__)
_CHUNK = 1 << 20


def sha256_of(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as fh:
        for block in iter(lambda: fh.read(_CHUNK), b""):
            h.update(block)
    return h.hexdigest()


def file_checksums(folder: Path, skip: Iterable[str] = ("manifest.json",)) -> dict[str, dict[str, Any]]:
    """{relative posix path: {"size", "sha256"}} of every file under folder."""
    skip = set(skip)
    out: dict[str, dict[str, Any]] = {}
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        rel = path.relative_to(folder).as_posix()
        if rel not in skip:
            out[rel] = {"size": path.stat().st_size, "sha256": sha256_of(path)}
    return out


def damaged_files(folder: Path, manifest: dict[str, Any], names: Iterable[str] | None = None,
                  full: bool = True) -> list[str]:
    """Files of the build whose size (and, when full, checksum) differ from the manifest, or that are missing.

    An index written before checksums existed has none to compare and is taken as whole.
    """
    sums = manifest.get("checksums")
    if not isinstance(sums, dict):
        return []
    wanted = list(sums) if names is None else [n for n in names if n in sums]
    out = []
    for name in wanted:
        expected = sums.get(name)
        path = folder / name
        try:
            if not isinstance(expected, dict) or path.stat().st_size != expected.get("size"):
                out.append(name)
            elif full and sha256_of(path) != expected.get("sha256"):
                out.append(name)
        except OSError:
            out.append(name)
    return out


class BuildLock:
    """A shared lock held by every running build on the index folder (POSIX flock; released by the kernel
    when the process dies, so a killed build never leaves it behind).

    `alone` says whether no other build held it when this one started: then every temporary folder in the
    index is a leftover of a killed build and can go.
    """

    def __init__(self, index_dir: Path, when_alone=None) -> None:
        self.alone = False
        self._fd: int | None = None
        try:
            import fcntl
        except ImportError:  # pragma: no cover - Windows: the writer's age-based sweep still runs
            return
        try:
            # The index folder itself is locked: no lock file to leave behind or to confuse with a build.
            self._fd = os.open(index_dir, os.O_RDONLY)
            try:
                fcntl.flock(self._fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                self.alone = True
            except OSError:
                pass  # another build runs
            if self.alone and when_alone is not None:
                when_alone()  # still exclusive: no build can be creating a folder meanwhile
            fcntl.flock(self._fd, fcntl.LOCK_SH)  # downgrade, or wait for a sweeping build to downgrade
        except OSError as exc:
            log.debug("no build lock on %s: %s", index_dir, exc)
            self.release()

    def release(self) -> None:
        if self._fd is not None:
            os.close(self._fd)  # closing the descriptor releases the lock
            self._fd = None

    def __del__(self) -> None:
        self.release()


def hold_build_lock(index_dir: Path | str, tmp_prefix: str = ".tmp-") -> BuildLock:
    """Take the shared build lock; when no other build holds it, remove temporary folders of killed builds."""
    index_dir = Path(index_dir)

    def sweep() -> None:
        for p in index_dir.glob(tmp_prefix + "*"):
            log.info("removing %s, left by a build that did not finish", p.name)
            if p.is_dir():
                shutil.rmtree(p, ignore_errors=True)
            else:
                try:
                    os.unlink(p)
                except OSError:
                    pass

    return BuildLock(index_dir, sweep)


__all__ = ["BuildLock", "damaged_files", "file_checksums", "hold_build_lock", "sha256_of"]
