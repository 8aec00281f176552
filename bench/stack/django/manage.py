#!/usr/bin/env python3
"""The Django 3.2 side of bench/stack: `python3 manage.py sqlmigrate notes 0001` prints the DDL of
notes_note that bench/stack/schema.ts creates; gunicorn serves `stacksite.wsgi` (bench/stack/run.ts)."""
import os
import sys

if __name__ == "__main__":
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "stacksite.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
