"""A scripted OpenAI-compatible chat server on 127.0.0.1 for the LLM answerer's fault tests.

`POST /v1/chat/completions` answers according to `StubLLM.mode`:

- "reply": the next text of `replies` (the last one repeats), as JSON or, when the request
  asks to stream, as server-sent events of `chunk_size` characters every `chunk_delay` seconds;
- "sleep": the same after sleeping `delay` seconds;
- "status": HTTP `status` with an OpenAI-style error body;
- "malformed": HTTP 200 whose JSON body is cut short;
- "drop": closes the connection without answering;
- "stall": streams the first half of the reply, then sleeps `delay` seconds mid-stream.

Every request body is kept in `requests`, its Authorization header in `auth`. Stdlib only;
no network beyond loopback.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class StubLLM:
    """The stub server; `start()` binds a free port, `stop()` shuts it down."""

    def __init__(self) -> None:
        self.mode = "reply"
        self.replies: list[str] = ["Poland closed the checkpoint [1]."]
        self.delay = 0.0
        self.status = 500
        self.chunk_size = 4
        self.chunk_delay = 0.005  # seconds between two streamed chunks
        self.requests: list[dict[str, Any]] = []
        self.auth: list[str] = []  # the Authorization header of each request
        self._served = 0
        self._generation = 0  # bumped by script(): a request sleeping past it is abandoned
        self._stopping = threading.Event()
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None

    @property
    def url(self) -> str:
        assert self._server is not None
        return f"http://127.0.0.1:{self._server.server_address[1]}/v1"

    def script(
        self,
        mode: str = "reply",
        *replies: str,
        delay: float = 0.0,
        status: int = 500,
        chunk_size: int = 4,
        chunk_delay: float = 0.005,
    ) -> None:
        """Set the behaviour for the following requests and forget earlier ones."""
        self.mode, self.delay, self.status = mode, delay, status
        self.chunk_size, self.chunk_delay = chunk_size, chunk_delay
        if replies:
            self.replies = list(replies)
        self._served = 0
        self._generation += 1
        self.requests.clear()
        self.auth.clear()

    def next_reply(self) -> str:
        reply = self.replies[min(self._served, len(self.replies) - 1)]
        self._served += 1
        return reply

    def start(self) -> StubLLM:
        stub = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: object) -> None:  # quiet
                pass

            def do_GET(self) -> None:
                self._json(200, {"object": "list", "data": [{"id": "stub", "object": "model"}]})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                stub.requests.append(body)
                stub.auth.append(self.headers.get("Authorization", ""))
                generation = stub._generation
                if stub.mode == "sleep" and (
                    stub._stopping.wait(stub.delay) or generation != stub._generation
                ):
                    return
                if stub.mode == "drop":
                    self.close_connection = True
                    return
                if stub.mode == "status":
                    error = {"message": "stub failure", "type": "server_error"}
                    self._json(stub.status, {"error": error})
                    return
                if stub.mode == "malformed":
                    cut = b'{"id": "x", "choices": [{"message": {"content": "Pola'
                    self._raw(200, cut, "application/json")
                    return
                reply = stub.next_reply()
                if body.get("stream"):
                    self._stream(reply)
                else:
                    self._json(200, completion(reply))

            def _raw(self, code: int, data: bytes, ctype: str) -> None:
                self.send_response(code)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                with contextlib.suppress(OSError):
                    self.wfile.write(data)

            def _json(self, code: int, payload: object) -> None:
                self._raw(code, json.dumps(payload).encode(), "application/json")

            def _stream(self, reply: str) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Connection", "close")
                self.end_headers()
                self.close_connection = True
                size = stub.chunk_size
                pieces = [reply[i : i + size] for i in range(0, len(reply), size)]
                events = [chunk({"role": "assistant", "content": ""})]
                events += [chunk({"content": p}) for p in pieces]
                events.append(chunk({}, finish="stop"))
                try:
                    for i, event in enumerate(events):
                        if (
                            stub.mode == "stall"
                            and i == len(events) // 2
                            and stub._stopping.wait(stub.delay)
                        ):
                            return
                        self.wfile.write(f"data: {json.dumps(event)}\n\n".encode())
                        self.wfile.flush()
                        time.sleep(stub.chunk_delay)
                    self.wfile.write(b"data: [DONE]\n\n")
                    self.wfile.flush()
                except OSError:
                    pass

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stopping.set()
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> StubLLM:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def completion(text: str) -> dict[str, Any]:
    """A non-streamed chat completion holding `text`."""
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion",
        "created": 0,
        "model": "stub",
        "choices": [
            {"index": 0, "finish_reason": "stop", "message": {"role": "assistant", "content": text}}
        ],
        "usage": {"prompt_tokens": 1, "completion_tokens": 1, "total_tokens": 2},
    }


def chunk(delta: dict[str, str], finish: str | None = None) -> dict[str, Any]:
    """One streamed chat-completion chunk."""
    return {
        "id": "chatcmpl-stub",
        "object": "chat.completion.chunk",
        "created": 0,
        "model": "stub",
        "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
    }


def request_for(pipeline: Any, question: str, **fields: Any) -> Any:
    """The AnswerRequest that `pipeline.ask(question, **fields)` gives its answerer."""
    from rag.answering import AnswerRequest
    from rag.pipeline import ANSWER_POOL, standalone_query

    query = standalone_query(question, fields.get("history", ()))
    found = pipeline.candidates(query, k=max(pipeline.settings.retrieve_k, ANSWER_POOL))
    return AnswerRequest(
        question=question,
        search_query=query,
        candidates=found,
        max_citations=pipeline.settings.max_citations,
        vocabulary=pipeline.index.lexical,
        **fields,
    )


def with_injected_article(request: Any, text: str) -> Any:
    """`request` with an article from "Injected Daily" holding `text` ranked first."""
    import dataclasses

    from rag.retrieval import Candidate
    from rag.types import Passage

    injected = Passage(
        "999_injected:0", "999_injected", "Injected Daily", "Border news", "2024-01-01", 0,
        len(text), text,
    )  # fmt: skip
    candidates = [Candidate(injected, 1.0, cosine=0.9), *request.candidates]
    return dataclasses.replace(request, candidates=candidates)
