"""Local HTTP servers that speak the Mastodon and Bluesky (XRPC) endpoints we use.

Each runs in a thread on 127.0.0.1, records every request (method, path, headers, body) and
can be told to fail the next N requests to a path with a status code (and headers, e.g. a 429
with ``Retry-After`` or ``X-RateLimit-Reset``).
"""

from __future__ import annotations

import datetime as dt
import html
import itertools
import json
import re
import threading
from dataclasses import dataclass, field
from email.parser import BytesParser
from email.policy import HTTP
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import grapheme


@dataclass
class Recorded:
    method: str
    path: str
    query: dict
    headers: dict
    body: bytes
    form: dict = field(default_factory=dict)  # parsed JSON / urlencoded / multipart fields
    files: dict = field(default_factory=dict)  # multipart files: name -> (filename, bytes)


def parse_body(content_type: str, body: bytes) -> tuple[dict, dict]:
    content_type = content_type or ""
    if content_type.startswith("application/json"):
        return (json.loads(body or b"{}"), {})
    if content_type.startswith("application/x-www-form-urlencoded"):
        parsed = parse_qs(body.decode(), keep_blank_values=True)
        return ({k: v if k.endswith("[]") else v[0] for k, v in parsed.items()}, {})
    if content_type.startswith("multipart/form-data"):
        message = BytesParser(policy=HTTP).parsebytes(
            f"Content-Type: {content_type}\r\n\r\n".encode() + body
        )
        form, files = {}, {}
        for part in message.iter_parts():
            name = part.get_param("name", header="content-disposition")
            filename = part.get_filename()
            payload = part.get_payload(decode=True)
            if filename is not None:
                files[name] = (filename, payload)
            else:
                form[name] = payload.decode()
        return form, files
    return ({}, {})


class FakeServer:
    def __init__(self):
        self.requests: list[Recorded] = []
        self.failures: dict[str, list[tuple[int, dict]]] = {}
        self.lock = threading.Lock()
        # path -> callable(recorded) run once, before the next request to that path is answered
        self.before_next: dict[str, object] = {}
        handler = self._handler_class()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self):
        self.thread.start()
        return self

    def __exit__(self, *exc):
        self.httpd.shutdown()
        self.httpd.server_close()

    def fail_next(self, path: str, *statuses: int, headers: dict | None = None):
        self.failures.setdefault(path, []).extend((s, dict(headers or {})) for s in statuses)

    def calls(self, method: str, path: str) -> list[Recorded]:
        return [r for r in self.requests if r.method == method and r.path == path]

    def _handler_class(self):
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):  # keep test output quiet
                pass

            def _handle(self):
                parts = urlsplit(self.path)
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length) if length else b""
                form, files = parse_body(self.headers.get("Content-Type", ""), body)
                recorded = Recorded(
                    method=self.command,
                    path=parts.path.rstrip("/") or "/",  # Rails routes ignore a final slash
                    query={k: v[0] for k, v in parse_qs(parts.query).items()},
                    headers={k.lower(): v for k, v in self.headers.items()},
                    body=body,
                    form=form,
                    files=files,
                )
                with server.lock:
                    server.requests.append(recorded)
                    queued = server.failures.get(parts.path) or []
                    failure = queued.pop(0) if queued else None
                    hook = server.before_next.pop(recorded.path, None)
                if hook is not None:
                    hook(recorded)
                extra_headers = {}
                if failure:
                    status, extra_headers = failure
                    payload = (
                        {"error": "Too many requests"}
                        if status == 429
                        else {"error": "InternalServerError", "message": "boom"}
                    )
                else:
                    status, payload = server.respond(recorded)
                data = json.dumps(payload).encode()
                self.send_response(status)  # also sends Date, as a real server does
                for name, value in extra_headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _handle

        return Handler

    def respond(self, request: Recorded) -> tuple[int, dict]:
        raise NotImplementedError


URL_RE = re.compile(r"https?://[^\s<>\"']+[^\s<>\"'.,;:!?)\]}]")
TAG_RE = re.compile(r"(?<![\w#&])#(\w+)")


def mastodon_html(text: str, base: str) -> str:
    """The status text as Mastodon renders ``content``: paragraphs, line breaks, links with the
    URL split into invisible/ellipsis spans, hashtags as links."""

    def inline(line: str) -> str:
        out, pos = [], 0
        for match in URL_RE.finditer(line):
            out.append(TAG_RE.sub(lambda m: _tag(m, base), html.escape(line[pos : match.start()])))
            url = match.group(0)
            scheme, rest = url.split("://", 1)
            out.append(
                f'<a href="{html.escape(url)}" target="_blank" rel="nofollow noopener" '
                f'translate="no"><span class="invisible">{scheme}://</span>'
                f'<span class="ellipsis">{html.escape(rest[:30])}</span>'
                f'<span class="invisible">{html.escape(rest[30:])}</span></a>'
            )
            pos = match.end()
        out.append(TAG_RE.sub(lambda m: _tag(m, base), html.escape(line[pos:])))
        return "".join(out)

    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "".join(
        "<p>" + "<br />".join(inline(line) for line in p.split("\n")) + "</p>" for p in paragraphs
    )


def _tag(match, base: str) -> str:
    name = match.group(1)
    return (
        f'<a href="{base}/tags/{name.lower()}" class="mention hashtag" rel="tag">'
        f"#<span>{name}</span></a>"
    )


class FakeMastodon(FakeServer):
    """GET /api/v1/instance, /api/v2/instance, /api/v1/accounts/verify_credentials,
    /api/v1/accounts/:id/statuses; POST /api/v2/media, /api/v1/statuses. Like Mastodon, it
    remembers an ``Idempotency-Key`` for one hour only (``idempotency_ttl``)."""

    token = "test-token"  # noqa: S105

    def __init__(self):
        super().__init__()
        self.ids = itertools.count(1000)
        self.statuses: dict[str, dict] = {}  # by id
        self.by_idempotency_key: dict[str, dict] = {}
        self.media: dict[str, dict] = {}
        self.idempotency_ttl = dt.timedelta(hours=1)
        self.clock_offset = dt.timedelta(0)  # lets a test move the server's clock forward
        self.swallow_next = 0  # post the next N statuses, then answer 504 (the reply is lost)
        self.account = {
            "id": "1", "username": "museum", "acct": "museum", "display_name": "Museum",
            "url": f"{self.url}/@museum", "created_at": "2025-01-01T00:00:00.000Z",
        }  # fmt: skip

    def now(self) -> dt.datetime:
        return dt.datetime.now(dt.UTC) + self.clock_offset

    def respond(self, request):
        if request.path == "/api/v1/instance":
            return 200, {"uri": "127.0.0.1", "title": "Fake", "version": "4.3.0", "urls": {}}
        if request.path == "/api/v2/instance":
            return 200, {
                "domain": "127.0.0.1",
                "title": "Fake",
                "version": "4.3.0",
                "api_versions": {"mastodon": 2},
            }
        if request.headers.get("authorization") != f"Bearer {self.token}":
            return 401, {"error": "The access token is invalid"}
        if request.method == "POST" and request.path == "/api/v2/media":
            if "file" not in request.files:
                return 422, {"error": "Validation failed: File can't be blank"}
            media_id = str(next(self.ids))
            attachment = {
                "id": media_id,
                "type": "image",
                "url": f"{self.url}/media/{media_id}.png",
                "preview_url": f"{self.url}/media/{media_id}_small.png",
                "description": request.form.get("description"),
                "meta": {},
                "blurhash": None,
            }
            self.media[media_id] = attachment
            return 200, attachment
        if request.method == "GET" and request.path == "/api/v1/accounts/verify_credentials":
            return 200, self.account
        if request.method == "GET" and request.path == "/api/v1/accounts/1/statuses":
            newest_first = sorted(self.statuses.values(), key=lambda s: int(s["id"]), reverse=True)
            return 200, newest_first[: int(request.query.get("limit", 20))]
        if request.method == "POST" and request.path == "/api/v1/statuses":
            key = request.headers.get("idempotency-key")
            remembered = self.by_idempotency_key.get(key) if key else None
            if remembered and self.now() - remembered[0] < self.idempotency_ttl:
                return 200, remembered[1]  # Mastodon returns the first status (for an hour)
            status_id = str(next(self.ids))
            media_ids = request.form.get("media_ids") or request.form.get("media_ids[]") or []
            status = {
                "id": status_id,
                "uri": f"{self.url}/users/museum/statuses/{status_id}",
                "url": f"{self.url}/@museum/{status_id}",
                "created_at": self.now().isoformat(timespec="milliseconds").replace("+00:00", "Z"),
                "content": mastodon_html(request.form.get("status") or "", self.url),
                "language": request.form.get("language"),
                "visibility": request.form.get("visibility", "public"),
                "media_attachments": [self.media[m] for m in media_ids if m in self.media],
                "account": self.account,
            }
            self.statuses[status_id] = status
            if key:
                self.by_idempotency_key[key] = (self.now(), status)
            if self.swallow_next:
                self.swallow_next -= 1
                return 504, {"error": "Gateway Timeout"}
            return 200, status
        return 404, {"error": "Record not found"}

    def posted(self) -> list[dict]:
        return list(self.statuses.values())


def fake_jwt(did: str, scope: str, lifetime: int = 7200) -> str:
    """An unsigned-looking JWT with the claims atproto's client reads (exp, iat, sub, scope)."""
    import base64
    import time

    def part(data: dict) -> str:
        return base64.urlsafe_b64encode(json.dumps(data).encode()).rstrip(b"=").decode()

    now = int(time.time())
    claims = {"scope": scope, "sub": did, "iat": now, "exp": now + lifetime, "aud": "did:web:fake"}
    return f"{part({'typ': 'at+jwt', 'alg': 'ES256K'})}.{part(claims)}.c2lnbmF0dXJl"


BLOB_CID = "bafkreibme22gw2h7y2h7tg2fhqotaqjucnbc24deqo72b6mkl2egezxhvy"
RECORD_CID = "bafyreie5737gdxlw5i64vzichcalba3z2v5n6icifvx5xytvske7mr3hpm"


class FakeBluesky(FakeServer):
    """XRPC: com.atproto.server.createSession, com.atproto.repo.uploadBlob, .getRecord,
    .createRecord."""

    did = "did:plc:fakemuseum123"
    handle = "museum.test"
    password = "app-pass-word"  # noqa: S105

    def __init__(self):
        super().__init__()
        self.records: dict[str, dict] = {}  # rkey -> record
        self.access_jwt = fake_jwt(self.did, "com.atproto.access")

    def respond(self, request):
        path = request.path.removeprefix("/xrpc/")
        if path == "com.atproto.server.createSession":
            if request.form.get("password") != self.password:
                return 401, {"error": "AuthenticationRequired", "message": "Invalid password"}
            return 200, {
                "did": self.did,
                "handle": self.handle,
                "accessJwt": self.access_jwt,
                "refreshJwt": fake_jwt(self.did, "com.atproto.refresh", 86400),
                "active": True,
            }
        if request.headers.get("authorization") != f"Bearer {self.access_jwt}":
            return 401, {"error": "AuthenticationRequired", "message": "Bad token"}
        if path == "com.atproto.repo.uploadBlob":
            return 200, {
                "blob": {
                    "$type": "blob",
                    "ref": {"$link": BLOB_CID},
                    "mimeType": request.headers.get("content-type", "image/png"),
                    "size": len(request.body),
                }
            }
        if path == "com.atproto.repo.getRecord":
            rkey = request.query.get("rkey")
            if rkey in self.records:
                return 200, {
                    "uri": self._uri(rkey),
                    "cid": RECORD_CID,
                    "value": self.records[rkey],
                }
            return 400, {"error": "RecordNotFound", "message": "Could not locate record"}
        if path == "com.atproto.repo.createRecord":
            rkey = request.form.get("rkey")
            if rkey in self.records:
                return 400, {"error": "InvalidRequest", "message": "Record already exists"}
            text = request.form["record"].get("text", "")
            # the PDS checks the lexicon: text maxGraphemes 300, maxLength 3000 (UTF-8 bytes)
            if grapheme.length(text) > 300 or len(text.encode()) > 3000:
                return 400, {
                    "error": "InvalidRequest",
                    "message": "Invalid app.bsky.feed.post record: Record/text must not be "
                    "longer than 300 graphemes",
                }
            self.records[rkey] = request.form["record"]
            return 200, {"uri": self._uri(rkey), "cid": RECORD_CID}
        return 501, {"error": "MethodNotImplemented", "message": f"{path} not implemented"}

    def _uri(self, rkey):
        return f"at://{self.did}/app.bsky.feed.post/{rkey}"
