"""Backups of the three databases: create now, list, restore (staged, applied at start).

A backup is a folder `backups/<UTC timestamp>/` holding consistent copies of
portfolio.duckdb, market.duckdb and config.sqlite (DuckDB checkpointed under its write
lock, sqlite through its online backup API) and a `manifest.json`. It is built in a
hidden `.tmp-*` folder and renamed into place, so a listed backup is always complete.
API keys are never in a backup: they live in the keychain, not in these files.

Restoring over databases the running app has open is not safe, so `stage_restore`
only records the choice (`backups/restore-pending.json`); `apply_pending_restore`
runs when a data folder is opened for writing, after the lock is taken and before any
database opens. It first copies the current files into `<timestamp>-before-restore/`
(so a restore can itself be undone), then swaps the backup's files in, and leaves
`last-restore.json` saying what happened for the Settings page.
"""

from __future__ import annotations

import json
import logging
import os
import re
import shutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portfolioos import __version__
from portfolioos.errors import NotFoundError, StorageError, ValidationError
from portfolioos.paths import DataPaths
from portfolioos.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)

DB_FILES: tuple[str, ...] = ("config.sqlite", "portfolio.duckdb", "market.duckdb")
MANIFEST = "manifest.json"
PENDING = "restore-pending.json"  # DataPaths.pending_restore_file
LAST_RESTORE = "last-restore.json"
_NAME = re.compile(r"^\d{8}-\d{6}(?:-[a-z0-9-]+)?$")
# Files that belong to a database besides the file itself (journals); stale ones must
# go when the database is replaced, or they would be replayed onto the restored copy.
_SIDE_FILES = {
    "config.sqlite": ("config.sqlite-wal", "config.sqlite-shm", "config.sqlite-journal"),
    "portfolio.duckdb": ("portfolio.duckdb.wal",),
    "market.duckdb": ("market.duckdb.wal",),
}


@dataclass(frozen=True, slots=True)
class Backup:
    name: str
    created_at: datetime
    path: Path
    files: tuple[str, ...]
    size_bytes: int
    app_version: str
    reason: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "created_at": self.created_at.isoformat(timespec="seconds"),
            "path": str(self.path),
            "files": list(self.files),
            "size_bytes": self.size_bytes,
            "app_version": self.app_version,
            "reason": self.reason,
        }


@dataclass(frozen=True, slots=True)
class RestoreOutcome:
    """What the last staged restore did (shown once by Settings)."""

    backup: str
    applied_at: datetime
    ok: bool
    safety_backup: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        return {
            "backup": self.backup,
            "applied_at": self.applied_at.isoformat(timespec="seconds"),
            "ok": self.ok,
            "safety_backup": self.safety_backup,
            "message": self.message,
        }


# -- create -----------------------------------------------------------------------


def _new_folder(backups: Path, suffix: str = "") -> tuple[str, Path]:
    stamp = datetime.now(UTC).strftime("%Y%m%d-%H%M%S")
    base = f"{stamp}-{suffix}" if suffix else stamp
    name, n = base, 1
    while (backups / name).exists():
        n += 1
        name = f"{base}-{n}"
    return name, backups / name


def _finish(tmp: Path, backups: Path, name: str, reason: str) -> Backup:
    files = tuple(f for f in DB_FILES if (tmp / f).exists())
    manifest = {
        "name": name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "app_version": __version__,
        "reason": reason,
        "files": {f: (tmp / f).stat().st_size for f in files},
    }
    (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2), encoding="utf-8")
    target = backups / name
    os.replace(tmp, target)
    return _read(target)


def create_backup(
    ctx: AppContext,
    *,
    reason: str = "manual",
    progress: Progress = no_progress,
    cancel: CancelToken = NEVER_CANCELLED,
) -> Backup:
    """Copy the three databases, each consistently, into a new backups/<timestamp>/."""
    backups = ctx.paths.backups
    backups.mkdir(parents=True, exist_ok=True)
    name, _ = _new_folder(backups)
    tmp = backups / f".tmp-{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    steps: tuple[tuple[str, Callable[[Path], None]], ...] = (
        ("config.sqlite", lambda dest: ctx.config.copy_to(dest)),
        ("portfolio.duckdb", lambda dest: ctx.portfolio_db.copy_to(dest)),
        ("market.duckdb", lambda dest: ctx.market_db.copy_to(dest)),
    )
    try:
        for index, (file, copy) in enumerate(steps):
            cancel.check()
            progress(index / len(steps), f"Copying {file}")
            copy(tmp / file)
        cancel.check()
        backup = _finish(tmp, backups, name, reason)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    progress(1.0, f"Backup {name} created")
    logger.info("backup %s created (%d bytes)", name, backup.size_bytes)
    return backup


# -- list -------------------------------------------------------------------------


def _read(folder: Path) -> Backup:
    try:
        data = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
        files = data["files"]
        created = datetime.fromisoformat(str(data["created_at"]))
    except (OSError, ValueError, KeyError, TypeError):
        raise StorageError(f"{folder} is not a readable PortfolioOS backup.") from None
    return Backup(
        name=folder.name,
        created_at=created,
        path=folder,
        files=tuple(str(f) for f in files),
        size_bytes=sum(int(v) for v in files.values()),
        app_version=str(data.get("app_version", "")),
        reason=str(data.get("reason", "")),
    )


def list_backups(paths: DataPaths) -> list[Backup]:
    """Complete backups, newest first (migration copies `*.bak` are not listed)."""
    if not paths.backups.is_dir():
        return []
    found = []
    for folder in paths.backups.iterdir():
        if folder.is_dir() and _NAME.match(folder.name) and (folder / MANIFEST).exists():
            try:
                found.append(_read(folder))
            except StorageError as exc:
                logger.warning("skipping backup: %s", exc.message)
    return sorted(found, key=lambda b: (b.created_at, b.name), reverse=True)


def get_backup(paths: DataPaths, name: str) -> Backup:
    text = name.strip()
    if not _NAME.match(text):
        raise ValidationError(
            f"'{name}' is not a backup name (they look like 20260131-142500).", field="name"
        )
    folder = paths.backups / text
    if not (folder / MANIFEST).exists():
        names = ", ".join(b.name for b in list_backups(paths)[:5]) or "none yet"
        raise NotFoundError(f"No backup named '{text}' (latest: {names}).")
    backup = _read(folder)
    for file in backup.files:
        if not (folder / file).is_file():
            raise StorageError(f"Backup '{text}' is incomplete: {file} is missing.")
    return backup


# -- restore ----------------------------------------------------------------------


def stage_restore(paths: DataPaths, name: str) -> Backup:
    """Record that `name` replaces the databases at the next start; nothing else yet."""
    backup = get_backup(paths, name)
    marker = {"backup": backup.name, "staged_at": datetime.now(UTC).isoformat(timespec="seconds")}
    tmp = paths.backups / (PENDING + ".tmp")
    tmp.write_text(json.dumps(marker), encoding="utf-8")
    os.replace(tmp, paths.backups / PENDING)
    logger.info("restore of backup %s staged for the next start", backup.name)
    return backup


def pending_restore(paths: DataPaths) -> str | None:
    """The backup a restore is staged for, if any."""
    try:
        data = json.loads((paths.backups / PENDING).read_text(encoding="utf-8"))
        return str(data["backup"])
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return "(unreadable restore request)"


def cancel_restore(paths: DataPaths) -> bool:
    try:
        (paths.backups / PENDING).unlink()
    except FileNotFoundError:
        return False
    logger.info("staged restore cancelled")
    return True


def last_restore(paths: DataPaths) -> RestoreOutcome | None:
    try:
        data = json.loads((paths.backups / LAST_RESTORE).read_text(encoding="utf-8"))
        return RestoreOutcome(
            backup=str(data["backup"]),
            applied_at=datetime.fromisoformat(str(data["applied_at"])),
            ok=bool(data["ok"]),
            safety_backup=data.get("safety_backup"),
            message=str(data.get("message", "")),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError):
        return None


def _record(paths: DataPaths, outcome: RestoreOutcome) -> RestoreOutcome:
    (paths.backups / LAST_RESTORE).write_text(json.dumps(outcome.as_dict()), encoding="utf-8")
    (paths.backups / PENDING).unlink(missing_ok=True)
    return outcome


def _copy_closed_files(paths: DataPaths, backups: Path) -> str | None:
    """Copy the current (closed) database files, journals included, into a new backup."""
    present = [f for f in DB_FILES if (paths.root / f).exists()]
    if not present:
        return None
    name, _ = _new_folder(backups, "before-restore")
    tmp = backups / f".tmp-{name}-{os.getpid()}"
    shutil.rmtree(tmp, ignore_errors=True)
    tmp.mkdir()
    for file in present:
        shutil.copyfile(paths.root / file, tmp / file)
        for side in _SIDE_FILES[file]:
            if (paths.root / side).exists():
                shutil.copyfile(paths.root / side, tmp / side)
    return _finish(tmp, backups, name, "before restore").name


def apply_pending_restore(paths: DataPaths) -> RestoreOutcome | None:
    """Apply a staged restore. Call only with the data-folder lock held and no database
    of this folder open (AppContext.open does, before opening config.sqlite)."""
    staged = pending_restore(paths)
    if staged is None:
        return None
    now = datetime.now(UTC)
    try:
        backup = get_backup(paths, staged)
    except (ValidationError, NotFoundError, StorageError) as exc:
        logger.error("staged restore of %s not applied: %s", staged, exc.message)
        return _record(paths, RestoreOutcome(staged, now, False, None, exc.message))
    try:
        safety = _copy_closed_files(paths, paths.backups)
        incoming = []
        for file in backup.files:
            tmp = paths.root / f"{file}.restoring"
            shutil.copyfile(backup.path / file, tmp)
            incoming.append((file, tmp))
            for side in _SIDE_FILES[file]:
                if (backup.path / side).exists():
                    shutil.copyfile(backup.path / side, paths.root / f"{side}.restoring")
        for file, tmp in incoming:
            for side in _SIDE_FILES[file]:
                (paths.root / side).unlink(missing_ok=True)
                staged_side = paths.root / f"{side}.restoring"
                if staged_side.exists():
                    os.replace(staged_side, paths.root / side)
            os.replace(tmp, paths.root / file)
    except OSError as exc:
        # The marker stays: the next start tries again; the files are replaced one by
        # one with os.replace, so each is either the old or the restored one.
        raise StorageError(
            f"Restoring backup '{backup.name}' failed: {exc.strerror or exc}. "
            "It will be tried again at the next start."
        ) from None
    message = f"Restored backup {backup.name}" + (
        f"; the databases as they were are in backup {safety}." if safety else "."
    )
    logger.info(message)
    return _record(paths, RestoreOutcome(backup.name, now, True, safety, message))
