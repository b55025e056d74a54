"""A small Language Server Protocol client for yaml-language-server over stdio (tests only).

Content-Length framing, a reader thread, and answers to the requests the server sends its
client (``workspace/configuration`` and the like), so a test can open documents, wait for
their diagnostics and ask for completion and hover the way VS Code does."""

from __future__ import annotations

import contextlib
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from pathlib import Path
from typing import Any

PACKAGE = "yaml-language-server@^1.24.0"
"""What .ci/run installs too: 1.24 is the first to complete keys from ``if``/``then`` branches."""

SETTINGS = {"yaml": {"validate": True, "completion": True, "hover": True, "schemas": {},
                     "schemaStore": {"enable": False}, "format": {"enable": False}}}


def server_command() -> list[str] | None:
    """How to start the installed server, or None: ``$KAOHE_YLS_DIR`` (or
    ``~/.cache/kaohe/yaml-language-server``, where ``.ci/run`` installs it), then PATH."""
    node = shutil.which("node")
    if node is None:
        return None
    folder = Path(os.environ.get("KAOHE_YLS_DIR") or Path.home() / ".cache" / "kaohe" / "yaml-language-server")
    script = folder / "node_modules" / "yaml-language-server" / "bin" / "yaml-language-server"
    if script.is_file():
        return [node, str(script), "--stdio"]
    on_path = shutil.which("yaml-language-server")
    return [on_path, "--stdio"] if on_path else None


def install_server() -> None:
    """``npm install`` the server into the cache folder (once; about half a minute)."""
    npm = shutil.which("npm")
    if npm is None:
        return
    folder = Path(os.environ.get("KAOHE_YLS_DIR") or Path.home() / ".cache" / "kaohe" / "yaml-language-server")
    folder.mkdir(parents=True, exist_ok=True)
    subprocess.run([npm, "install", "--prefix", str(folder), "--no-audit", "--no-fund", "--silent", PACKAGE],
                   check=False, timeout=240, capture_output=True)


class Client:
    def __init__(self, command: list[str], root: Path, locale: str = "en"):
        self.process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                        stderr=subprocess.DEVNULL)
        self.next_id = 0
        self.responses: dict[int, Any] = {}
        self.diagnostics: dict[str, list[dict[str, Any]]] = {}
        self.events: queue.Queue[str] = queue.Queue()
        self.lock = threading.Lock()
        threading.Thread(target=self._read, daemon=True).start()
        capabilities = {
            "textDocument": {
                "completion": {"completionItem": {"snippetSupport": True,
                                                  "documentationFormat": ["markdown", "plaintext"]}},
                "hover": {"contentFormat": ["markdown", "plaintext"]},
                "publishDiagnostics": {"relatedInformation": True},
                "synchronization": {"dynamicRegistration": False},
            },
            "workspace": {"configuration": True, "didChangeConfiguration": {"dynamicRegistration": False}},
        }
        self.request("initialize", {"processId": os.getpid(), "rootUri": root.as_uri(), "locale": locale,
                                    "capabilities": capabilities,
                                    "workspaceFolders": [{"uri": root.as_uri(), "name": root.name}]})
        self.notify("initialized", {})
        self.notify("workspace/didChangeConfiguration", {"settings": SETTINGS})

    # -- framing --------------------------------------------------------------------

    def _send(self, message: dict[str, Any]) -> None:
        body = json.dumps({"jsonrpc": "2.0", **message}).encode("utf-8")
        assert self.process.stdin is not None
        self.process.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.process.stdin.flush()

    def _read(self) -> None:
        stream = self.process.stdout
        assert stream is not None
        while True:
            length = 0
            while True:
                line = stream.readline()
                if not line:
                    return
                if line in (b"\r\n", b"\n"):
                    break
                name, _, value = line.decode("ascii").partition(":")
                if name.lower() == "content-length":
                    length = int(value)
            self._dispatch(json.loads(stream.read(length)))

    def _dispatch(self, message: dict[str, Any]) -> None:
        if "id" in message and "method" in message:  # the server asks the client
            result: Any = None
            if message["method"] == "workspace/configuration":
                result = [self._setting(item.get("section")) for item in message["params"]["items"]]
            self._send({"id": message["id"], "result": result})
        elif "id" in message:
            with self.lock:
                self.responses[message["id"]] = message
            self.events.put("response")
        elif message.get("method") == "textDocument/publishDiagnostics":
            params = message["params"]
            with self.lock:
                self.diagnostics[params["uri"]] = params["diagnostics"]
            self.events.put(params["uri"])

    @staticmethod
    def _setting(section: str | None) -> Any:
        value: Any = SETTINGS
        for part in (section or "").split(".") if section else []:
            value = value.get(part) if isinstance(value, dict) else None
        return value

    # -- calls ------------------------------------------------------------------------

    def notify(self, method: str, params: Any) -> None:
        self._send({"method": method, "params": params})

    def request(self, method: str, params: Any, timeout: float = 30) -> Any:
        self.next_id += 1
        ident = self.next_id
        self._send({"id": ident, "method": method, "params": params})
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if ident in self.responses:
                    response = self.responses.pop(ident)
                    if "error" in response:
                        raise RuntimeError(f"{method}: {response['error']}")
                    return response.get("result")
            with contextlib.suppress(queue.Empty):
                self.events.get(timeout=0.2)
        raise TimeoutError(f"no answer to {method} in {timeout} s")

    def open(self, uri: str, text: str) -> None:
        with self.lock:
            self.diagnostics.pop(uri, None)
        self.notify("textDocument/didOpen", {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1,
                                                               "text": text}})

    def wait_diagnostics(self, uris: list[str], timeout: float = 40) -> dict[str, list[dict[str, Any]]]:
        """The diagnostics the server published for each of ``uris`` after they were opened."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if all(uri in self.diagnostics for uri in uris):
                    return {uri: self.diagnostics[uri] for uri in uris}
            with contextlib.suppress(queue.Empty):
                self.events.get(timeout=0.2)
        with self.lock:
            missing = [uri for uri in uris if uri not in self.diagnostics]
        raise TimeoutError(f"no diagnostics for {missing} in {timeout} s")

    def close(self) -> None:
        try:
            self.request("shutdown", None, timeout=5)
            self.notify("exit", None)
            self.process.wait(timeout=5)
        except (TimeoutError, RuntimeError, OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
