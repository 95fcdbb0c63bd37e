"""The disk side of a profile after a kill: the SQLite file's own checks, and the media folder
against the rows that name its files."""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from app.evidence.store import blob_path, hash_file, is_sha256
from app.paths import MEDIA_DIR
from app.profile import RENAMED_INTO
from db.queries import evidence as eq


def unfinished(root: Path) -> list[Path]:
    """Temporary files of unfinished writes (hidden names) in the media and thumbnail folders."""
    return sorted(p for name in RENAMED_INTO if (root / name).is_dir()
                  for p in (root / name).rglob(".*") if p.is_file())


def database_problems(db: Any) -> list[str]:
    problems = [f"integrity_check: {r[0]}" for r in db.execute("PRAGMA integrity_check") if r[0] != "ok"]
    problems += [f"foreign_key_check: {tuple(r)}" for r in db.execute("PRAGMA foreign_key_check")]
    return problems


@dataclass
class MediaCheck:
    """Re-hashes each media file once: stored files are read-only and only ever replaced by a
    rename, which gives the path a new inode, so (size, inode, mtime) says when to hash again."""

    hashed: dict[Path, tuple[tuple[int, int, int], str]] = field(default_factory=dict)
    orphans: set[Path] = field(default_factory=set)

    def digest(self, path: Path) -> str:
        st = path.stat()
        stamp = (st.st_size, st.st_ino, st.st_mtime_ns)
        known = self.hashed.get(path)
        if known is None or known[0] != stamp:
            known = (stamp, hash_file(path))
            self.hashed[path] = known
        return known[1]

    def problems(self, root: Path, db: Any) -> list[str]:
        """Every row's file is there and hashes to its name; every file in the media folder is a
        whole one named by its hash, or is reported (a half file, a stray name)."""
        media = root / MEDIA_DIR
        found: list[str] = []
        named = {r["sha256"] for r in eq.media_references(db)}
        for sha in sorted(named):
            path = blob_path(media, sha)
            if not path.is_file():
                found.append(f"a row names {sha} but the media folder has no such file")
            elif self.digest(path) != sha:
                found.append(f"{path.relative_to(root)} does not hash to its name: a half or damaged file")
        self.orphans = set()
        for dirpath, _, files in os.walk(media):
            for name in files:
                path = Path(dirpath) / name
                if not is_sha256(name) or path.parent != media / name[:2]:
                    found.append(f"{path.relative_to(root)} is not a stored photo's name (an unfinished write?)")
                elif name not in named:
                    if self.digest(path) != name:
                        found.append(f"{path.relative_to(root)}, named by no row, does not hash to its name")
                    self.orphans.add(path)
        return found
