from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from django.core.cache import cache

from baton.core.testing import free_port
from baton.integrations.outbox import forget_subscriptions


class Receiver:
    """A real HTTP server on loopback that keeps every request and answers with the queued codes."""

    def __init__(self) -> None:
        self.requests: list[dict[str, Any]] = []
        self.codes: list[int] = []
        self.default = 200
        self.port = free_port()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                receiver.requests.append({"headers": dict(self.headers), "body": body, "path": self.path})
                code = receiver.codes.pop(0) if receiver.codes else receiver.default
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.end_headers()
                self.wfile.write(json.dumps({"got": len(receiver.requests)}).encode())

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", self.port), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks/baton"


@pytest.fixture
def receiver(settings):
    settings.BATON_WEBHOOK_ALLOW_PRIVATE = True  # the receiver is on loopback
    r = Receiver()
    r.thread.start()
    yield r
    r.server.shutdown()
    r.server.server_close()


@pytest.fixture(autouse=True)
def _fresh_subscriptions():
    # The subscription cache outlives each test's rolled-back database: start and end empty.
    cache.delete("integrations:webhook-subscriptions")
    yield
    forget_subscriptions()
