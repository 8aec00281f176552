#!/usr/bin/env python3
"""The Django 3.2 twin of the example site's playground (see ../../../docs in playground.md).

    /usr/bin/python3 scripts/django/playground/manage.py runserver --noreload 127.0.0.1:8001

or, with an honest META (no CONTENT_TYPE invented when the request had none) and port 0 support:

    /usr/bin/python3 scripts/django/playground/serve.py 127.0.0.1 0
"""
import os
import sys

if __name__ == "__main__":
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")
    from django.core.management import execute_from_command_line

    execute_from_command_line(sys.argv)
