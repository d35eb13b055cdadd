"""A fake remote server (http.server in a thread) replaying recorded responses."""

import threading
from collections import defaultdict
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import pytest

FIXTURES = Path(__file__).parent / "fixtures"


class FakeRemote:
    """Routes requests to fixture files.

    ``routes`` maps a key to a fixture file name (or a list: served in turn, the last one
    repeated). Keys: "Identify"; "ListRecords" (a first request), "ListRecords+from" (with
    ``from``); a resumption token; or a path ("/events.ics"). A target may also be an HTTP
    status (int), the body itself (bytes, e.g. made at test time) or a callable that answers
    the request itself (``target(handler)``: slow or unusual responses).
    """

    def __init__(self):
        self.routes: dict = {}
        self.requests: list[dict] = []
        self.served = defaultdict(int)
        handler = self._handler()
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/oai"
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}"

    def _key(self, path: str, query: dict) -> str:
        if not path.startswith("/oai"):
            return path
        verb = query.get("verb", [""])[0]
        if verb == "ListRecords" and "resumptionToken" in query:
            return query["resumptionToken"][0]
        if verb == "ListRecords" and "from" in query:
            return "ListRecords+from"
        return verb

    def _handler(self):
        remote = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self):  # noqa: N802
                parsed = urlparse(self.path)
                query = parse_qs(parsed.query)
                remote.requests.append({"path": parsed.path, **{k: v[0] for k, v in query.items()}})
                key = remote._key(parsed.path, query)
                target = remote.routes.get(key)
                if isinstance(target, list):
                    index = min(remote.served[key], len(target) - 1)
                    target = target[index]
                remote.served[key] += 1
                if target is None:
                    self.send_response(404)
                    self.end_headers()
                    return
                if isinstance(target, int):  # an HTTP status
                    self.send_response(target)
                    self.end_headers()
                    return
                if callable(target):
                    target(self)
                    return
                body = target if isinstance(target, bytes) else (FIXTURES / target).read_bytes()
                self.send_response(200)
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):
                pass

        return Handler

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def remote():
    server = FakeRemote()
    yield server
    server.close()


@pytest.fixture(autouse=True)
def _fast_retries(settings):
    settings.HECO_HARVEST_RETRY_DELAY = 0.01
    settings.HECO_HARVEST_TIMEOUT = 5


@pytest.fixture
def provider(db):
    from heco.testing.factories import CommunityFactory, OrganisationFactory

    community = CommunityFactory(slug="plunge", default_language="lt")
    return OrganisationFactory(slug="kvr", name={"en": "Heritage register"}, community=community)


DC_LIST = {
    "ListRecords": "dc_page1.xml",
    "dc-2": "dc_page2.xml",
    "dc-3": "dc_page3.xml",
    "Identify": "identify.xml",
}


@pytest.fixture(autouse=True)
def _local_image_hosts(settings):
    """The fake remotes here listen on 127.0.0.1, which image downloads refuse by default
    (heco.harvest.images.host_problem; its own tests turn this off again)."""
    settings.HECO_HARVEST_PRIVATE_HOSTS = True
