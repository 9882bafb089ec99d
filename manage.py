#!/usr/bin/env python3
import os
import sys


def main() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kpitracker.settings")
    # The web process cancels statements and lock waits that run long (settings.py); commands
    # (migrations, summary rebuilds, large imports, backups) may legitimately take longer.
    # runserver is the web process in development and keeps the limits.
    if sys.argv[1:2] != ["runserver"]:
        os.environ.setdefault("DB_STATEMENT_TIMEOUT", "0")
        os.environ.setdefault("DB_LOCK_TIMEOUT", "0")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)


if __name__ == "__main__":
    main()
