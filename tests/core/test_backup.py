"""A backup restores into an empty database with every record (run as separate processes, the
way an operator would, against a throwaway database of the same kind as the suite's)."""

import contextlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import psycopg
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]


def _manage(env, *args):
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=300,
    )  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


@contextlib.contextmanager
def _writing(database_url):
    """A second connection inserting a row every few milliseconds until the block ends."""
    stop, written = threading.Event(), {"rows": 0}

    def connect():
        if database_url.startswith("sqlite"):
            return sqlite3.connect(database_url.removeprefix("sqlite:///"), timeout=30)
        return psycopg.connect(database_url, autocommit=True)

    def run():
        con = connect()
        placeholder = "?" if database_url.startswith("sqlite") else "%s"
        while not stop.is_set():
            con.execute(
                "INSERT INTO django_session (session_key, session_data, expire_date) "
                f"VALUES ({placeholder}, 'x', {placeholder})",
                (uuid.uuid4().hex, "2099-01-01 00:00:00+00:00"),
            )
            if database_url.startswith("sqlite"):
                con.commit()
            written["rows"] += 1
            time.sleep(0.005)
        con.close()

    thread = threading.Thread(target=run)
    thread.start()
    time.sleep(0.3)
    try:
        yield written
    finally:
        stop.set()
        thread.join(30)


def test_a_backup_restores_into_an_empty_database(tmp_path, db):
    base = {
        k: v
        for k, v in os.environ.items()
        # The browser tests switch Django's async-safety check off for their session.
        if k not in ("DATABASE_URL", "DJANGO_ALLOW_ASYNC_UNSAFE")
    }
    media = tmp_path / "media"
    (media / "evidence").mkdir(parents=True)
    (media / "evidence" / "plan.pdf").write_bytes(b"%PDF evidence")
    if connection.vendor == "postgresql":
        settings_dict = connection.settings_dict
        server = f"postgres://{settings_dict['USER']}@{settings_dict['HOST']}:{settings_dict['PORT'] or 5432}"
        names = [f"kpi_bk_{uuid.uuid4().hex[:8]}" for _ in range(2)]
        admin = psycopg.connect(f"{server}/postgres", autocommit=True)
        for name in names:
            admin.execute(f'CREATE DATABASE "{name}"')
        urls = [f"{server}/{name}" for name in names]
    else:
        admin, names = None, []
        urls = [
            f"sqlite:///{tmp_path / 'live.sqlite3'}",
            f"sqlite:///{tmp_path / 'restored.sqlite3'}",
        ]
    try:
        live = base | {"DATABASE_URL": urls[0], "MEDIA_ROOT": str(media)}
        _manage(live, "migrate", "--noinput", "-v0")
        _manage(live, "demo")
        # People keep working while the backup runs: a writer adds sessions all the while.
        with _writing(urls[0]) as written:
            _manage(live, "backup", "--output", str(tmp_path / "bk"))
        assert written["rows"] > 0, "the writer wrote during the backup"
        for path in [tmp_path / "bk", *(tmp_path / "bk").iterdir()]:
            assert path.stat().st_mode & 0o077 == 0, f"{path} is readable by others"
        restored_media = tmp_path / "restored-media"
        restored = base | {"DATABASE_URL": urls[1], "MEDIA_ROOT": str(restored_media)}
        out = _manage(restored, "restore", str(tmp_path / "bk"))
        assert "counts match" in out
        assert (restored_media / "evidence" / "plan.pdf").read_bytes() == b"%PDF evidence"
        kpi = _manage(restored, "kpi", "--year", "2563", "--json")
        assert '"fiscal_year": 2563' in kpi
    finally:
        if admin is not None:
            for name in names:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
            admin.close()
