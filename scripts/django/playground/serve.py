#!/usr/bin/env python3
"""Serves the playground twin with Django's own development server classes (threaded, HTTP/1.1,
headers with "_" dropped as runserver drops them), with two differences that matter for the
differential test:

- port 0 picks a free port; the chosen one is printed as "listening on HOST:PORT";
- META gets CONTENT_TYPE and CONTENT_LENGTH only when the request had those headers (wsgiref
  invents "text/plain" and "" otherwise, which Django then shows; the request had no such header).

    /usr/bin/python3 scripts/django/playground/serve.py [HOST] [PORT]
"""
import os
import socketserver
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "playground.settings")

import django  # noqa: E402

django.setup()


def prepare_database():
    """The tables (migrate; --fake-initial accepts the ones the example site created) and alice."""
    from django.conf import settings
    from django.contrib.auth.models import User
    from django.core.management import call_command

    call_command("migrate", verbosity=0, fake_initial=True, interactive=False)
    if not User.objects.filter(username="alice").exists():
        User.objects.create(username="alice", password=settings.ALICE_PASSWORD, is_active=True)


prepare_database()

from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer  # noqa: E402
from django.core.wsgi import get_wsgi_application  # noqa: E402


class Handler(WSGIRequestHandler):
    def get_environ(self):
        had_content_type = self.headers.get("content-type") is not None
        had_content_length = self.headers.get("content-length") is not None
        environ = super().get_environ()
        if not had_content_type:
            environ.pop("CONTENT_TYPE", None)
        if not had_content_length:
            environ.pop("CONTENT_LENGTH", None)
        return environ

    def log_message(self, format, *args):
        if os.environ.get("PLAYGROUND_QUIET") != "1":
            super().log_message(format, *args)


class Server(socketserver.ThreadingMixIn, WSGIServer):
    daemon_threads = True


def main():
    host = sys.argv[1] if len(sys.argv) > 1 else os.environ.get("HOST", "127.0.0.1")
    port = int(sys.argv[2] if len(sys.argv) > 2 else os.environ.get("PORT", "8000"))
    httpd = Server((host, port), Handler, ipv6=":" in host)
    httpd.set_app(get_wsgi_application())
    print("listening on %s:%d" % (host, httpd.server_address[1]), flush=True)
    try:
        httpd.serve_forever()
    except KeyboardInterrupt:
        pass


if __name__ == "__main__":
    main()
