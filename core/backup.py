"""Consistent backups: the database (pg_dump, or SQLite's online backup) plus uploaded files.

A backup is a folder: ``database.dump`` (PostgreSQL custom format) or ``database.sqlite3``,
``media.tar.gz`` and ``manifest.json`` (when, which database, row counts per table, so a
restore can be checked).
"""

import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.db import connection
from django.utils import timezone


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_args(db: dict) -> list[str]:
    args = ["--host", db.get("HOST") or "localhost", "--port", str(db.get("PORT") or 5432)]
    if db.get("USER"):
        args += ["--username", db["USER"]]
    return args


def row_counts() -> dict[str, int]:
    counts = {}
    for model in apps.get_models():
        if model._meta.managed and not model._meta.proxy:
            counts[model._meta.label] = model._default_manager.count()
    return counts


def backup(target: Path) -> dict:
    target.mkdir(parents=True, exist_ok=True)
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        # pg_dump reads one snapshot: the dump is consistent while the app keeps running.
        subprocess.run(
            ["pg_dump", *_pg_args(db), "--format=custom", "--no-owner",
             "--file", str(target / "database.dump"), db["NAME"]],
            check=True, env=_pg_env(db),
        )  # fmt: skip
        kind = "postgresql"
    else:
        source = sqlite3.connect(db["NAME"])
        dest = sqlite3.connect(target / "database.sqlite3")
        with dest:
            source.backup(dest)
        dest.close()
        source.close()
        kind = "sqlite"
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    manifest = {
        "created_at": timezone.now().isoformat(),
        "database": kind,
        "counts": row_counts(),
    }
    (target / "manifest.json").write_text(json.dumps(manifest, ensure_ascii=False, indent=2))
    return manifest


def restore(source: Path) -> dict:
    """Restore into the configured database, which must be empty (a fresh database), and the
    media folder. Returns the manifest, whose counts the caller can compare."""
    manifest = json.loads((source / "manifest.json").read_text())
    db = settings.DATABASES["default"]
    if manifest["database"] == "postgresql":
        if connection.vendor != "postgresql":
            raise ValueError(
                "this backup is of PostgreSQL; set DATABASE_URL to a PostgreSQL database"
            )
        if connection.introspection.table_names():
            raise ValueError(f"database {db['NAME']} is not empty: restore into a fresh database")
        connection.close()
        subprocess.run(
            ["pg_restore", *_pg_args(db), "--no-owner", "--exit-on-error",
             "--dbname", db["NAME"], str(source / "database.dump")],
            check=True, env=_pg_env(db),
        )  # fmt: skip
    else:
        if connection.vendor != "sqlite":
            raise ValueError("this backup is of SQLite; restore it with the SQLite setting")
        connection.close()
        shutil.copyfile(source / "database.sqlite3", db["NAME"])
    media = Path(settings.MEDIA_ROOT)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(source / "media.tar.gz") as tar:
        for member in tar.getmembers():
            if not member.name.startswith("media") or ".." in Path(member.name).parts:
                continue
            if not (member.isfile() or member.isdir()):
                continue
            member.name = member.name[len("media") :].lstrip("/") or "."
            tar.extract(member, media, filter="data")
    return manifest
