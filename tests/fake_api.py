"""A local stand-in for the few API endpoints `upload` and `eval` use, in their wire format.

Runs on 127.0.0.1 (an ephemeral port) in a thread. A test sets `api.job_outcome`,
`api.rate_limit_first` or `api.answer` and reads `api.requests`.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


class FakeApi:
    def __init__(self) -> None:
        self.requests: list[tuple[str, str]] = []
        self.headers: list[dict] = []
        self.files = 0
        self.job_outcome = "succeeded"  # or "failed"
        self.job_polls = 0
        self.rate_limit_first = 0  # answer 429 to this many chat requests first
        self.answer = None  # callable(request body) -> assistant message dict
        self.lock = threading.Lock()
        api = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):  # keep test output clean
                pass

            def _send(self, status: int, body: dict, headers: dict | None = None) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                self.send_header("content-type", "application/json")
                self.send_header("content-length", str(len(data)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(data)

            @property
            def route(self) -> str:
                return self.path.split("?", 1)[0]  # Azure adds ?api-version=...

            def do_POST(self):
                length = int(self.headers.get("content-length", 0))
                raw = self.rfile.read(length)
                with api.lock:
                    api.requests.append(("POST", self.path))
                    api.headers.append(dict(self.headers))
                if self.route.endswith("/files"):
                    with api.lock:
                        api.files += 1
                        n = api.files
                    return self._send(200, {"id": f"file-{n}", "object": "file", "bytes": len(raw), "created_at": 0,
                                            "filename": "train.jsonl", "purpose": "fine-tune", "status": "processed"})
                if self.route.endswith("/fine_tuning/jobs"):
                    body = json.loads(raw)
                    return self._send(200, job(body.get("model"), "queued", body))
                if self.route.endswith("/chat/completions"):
                    with api.lock:
                        limited = api.rate_limit_first > 0
                        if limited:
                            api.rate_limit_first -= 1
                    if limited:
                        return self._send(429, {"error": {"message": "Rate limit reached", "type": "requests"}},
                                          {"retry-after-ms": "10"})
                    body = json.loads(raw)
                    message = api.answer(body)
                    return self._send(200, {"id": "chatcmpl-1", "object": "chat.completion", "created": 0,
                                            "model": body["model"], "choices": [{"index": 0, "message": message,
                                                                                 "finish_reason": "stop"}]})
                self._send(404, {"error": {"message": "no such endpoint"}})

            def do_GET(self):
                with api.lock:
                    api.requests.append(("GET", self.path))
                if "/events" in self.route:
                    return self._send(200, {"object": "list", "has_more": False, "data": [
                        {"id": "ev-2", "object": "fine_tuning.job.event", "created_at": 2, "level": "info", "message": "Step 10/10: training loss=0.12"},
                        {"id": "ev-1", "object": "fine_tuning.job.event", "created_at": 1, "level": "info", "message": "Fine-tuning job started"}]})
                if "/fine_tuning/jobs/" in self.route:
                    with api.lock:
                        api.job_polls += 1
                        status = "running" if api.job_polls < 2 else api.job_outcome
                    return self._send(200, job("gpt-4o-mini-2024-07-18", status, {}))
                self._send(404, {"error": {"message": "no such endpoint"}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def root(self) -> str:
        return f"http://127.0.0.1:{self.server.server_address[1]}"

    @property
    def url(self) -> str:
        return self.root + "/v1"

    def __enter__(self) -> FakeApi:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


def job(model, status: str, body: dict) -> dict:
    failed = status == "failed"
    return {"id": "ftjob-1", "object": "fine_tuning.job", "model": model, "status": status, "created_at": 0,
            "training_file": body.get("training_file", "file-1"), "validation_file": body.get("validation_file"),
            "hyperparameters": {"n_epochs": "auto"}, "organization_id": "org-1", "result_files": [], "seed": 0,
            "fine_tuned_model": "ft:gpt-4o-mini-2024-07-18:acme::abc123" if status == "succeeded" else None,
            "error": {"code": "invalid_file", "message": "Training file has too many examples over the limit", "param": None} if failed else None,
            "finished_at": None, "trained_tokens": None}
