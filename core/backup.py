"""Consistent backups: the database (pg_dump, or SQLite's online backup) plus uploaded files.

A backup is a folder: ``database.dump`` (PostgreSQL custom format) or ``database.sqlite3``,
``media.tar.gz`` and ``manifest.json`` (when, which database, row counts per table, so a
restore can be checked). The counts are of the very data the dump holds: on PostgreSQL they are
taken in the snapshot that pg_dump is handed (``--snapshot``), on SQLite from the copy itself,
so a backup taken while people work still passes its own restore check. The folder and its
files are readable by their owner only (they hold every resident's personal data).
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
from django.db import connection, transaction
from django.utils import timezone
from psycopg.conninfo import make_conninfo


def _pg_env(db: dict) -> dict:
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]
    return env


def _pg_conninfo(db: dict) -> str:
    """The whole connection as libpq reads it (sslmode, sslrootcert … from DATABASE_URL's
    query string), without the password, which goes in PGPASSWORD, not on a command line."""
    options = {k: v for k, v in (db.get("OPTIONS") or {}).items() if k != "options"}
    return make_conninfo(
        dbname=db["NAME"],
        host=db.get("HOST") or "localhost",
        port=str(db.get("PORT") or 5432),
        **({"user": db["USER"]} if db.get("USER") else {}),
        **{k: str(v) for k, v in options.items() if isinstance(v, str | int)},
    )


def _models():
    return [m for m in apps.get_models() if m._meta.managed and not m._meta.proxy]


def row_counts() -> dict[str, int]:
    return {model._meta.label: model._default_manager.count() for model in _models()}


def _sqlite_counts(path: Path) -> dict[str, int]:
    con = sqlite3.connect(path)
    try:
        return {
            m._meta.label: con.execute(f'SELECT COUNT(*) FROM "{m._meta.db_table}"').fetchone()[0]
            for m in _models()
        }
    finally:
        con.close()


def backup(target: Path) -> dict:
    old_umask = os.umask(0o077)
    try:
        target.mkdir(parents=True, exist_ok=True)
        target.chmod(0o700)
        return _backup(target)
    finally:
        os.umask(old_umask)


def _backup(target: Path) -> dict:
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        with transaction.atomic():
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
                cursor.execute("SET LOCAL idle_in_transaction_session_timeout = 0")
                cursor.execute("SELECT pg_export_snapshot()")
                snapshot = cursor.fetchone()[0]
            counts = row_counts()
            # pg_dump reads this transaction's snapshot: the counts above are of what it dumps.
            subprocess.run(
                ["pg_dump", "--format=custom", "--no-owner", f"--snapshot={snapshot}",
                 "--file", str(target / "database.dump"), "--dbname", _pg_conninfo(db)],
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
        counts = _sqlite_counts(target / "database.sqlite3")
        kind = "sqlite"
    media = Path(settings.MEDIA_ROOT)
    with tarfile.open(target / "media.tar.gz", "w:gz") as tar:
        if media.exists():
            tar.add(media, arcname="media")
    manifest = {"created_at": timezone.now().isoformat(), "database": kind, "counts": counts}
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
            ["pg_restore", "--no-owner", "--exit-on-error",
             "--dbname", _pg_conninfo(db), str(source / "database.dump")],
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
