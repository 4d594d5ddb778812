#!/usr/bin/env python3
"""Drives `netpol-lint lsp` as an editor would, for benchmarks/lsp.sh: starts the server in a repository, opens one
file, then edits it, and prints how long the diagnostics take. Prints figures; asserts only that the server answers
(any missing answer within the timeout, or an unclean exit, is an error: exit status 2).

Usage: lsp_driver.py SERVER ROOT FILE [EDITS]
  SERVER  the netpol-lint executable     ROOT  the workspace folder     FILE  a file under ROOT, relative to it
"""
import json, os, select, subprocess, sys, time

TIMEOUT = 60.0


def fail(message):
    print(f"lsp_driver: {message}", file=sys.stderr)
    sys.exit(2)


class Client:
    def __init__(self, argv, cwd):
        self.p = subprocess.Popen(argv, cwd=cwd, stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        self.buf = b""

    def send(self, message):
        body = json.dumps(message, separators=(",", ":")).encode()
        self.p.stdin.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
        self.p.stdin.flush()

    def _read(self):
        ready, _, _ = select.select([self.p.stdout], [], [], TIMEOUT)
        if not ready:
            fail(f"no answer from the server within {TIMEOUT:.0f} s")
        chunk = os.read(self.p.stdout.fileno(), 1 << 16)
        if not chunk:
            fail("the server closed its output")
        self.buf += chunk

    def receive(self):
        while b"\r\n\r\n" not in self.buf:
            self._read()
        header, self.buf = self.buf.split(b"\r\n\r\n", 1)
        length = next(int(line.split(b":", 1)[1]) for line in header.split(b"\r\n")
                      if line.lower().startswith(b"content-length:"))
        while len(self.buf) < length:
            self._read()
        body, self.buf = self.buf[:length], self.buf[length:]
        return json.loads(body)

    def wait_for(self, predicate):
        while True:
            m = self.receive()
            if predicate(m):
                return m


def diagnostics_for(uri, version=None):
    def match(m):
        return (m.get("method") == "textDocument/publishDiagnostics" and m["params"]["uri"] == uri
                and (version is None or m["params"].get("version") == version))
    return match


def percentile(values, q):
    s = sorted(values)
    return s[min(len(s) - 1, max(0, int(round(q * (len(s) - 1)))))]


def main():
    if len(sys.argv) < 4:
        fail(__doc__)
    server, root, rel = os.path.abspath(sys.argv[1]), os.path.abspath(sys.argv[2]), sys.argv[3]
    edits = int(sys.argv[4]) if len(sys.argv) > 4 else 50
    path = os.path.join(root, rel)
    uri = "file://" + path
    text = open(path, encoding="utf-8").read()

    t0 = time.perf_counter()
    c = Client([server, "lsp", "--stdio"], cwd=root)
    c.send({"jsonrpc": "2.0", "id": 1, "method": "initialize",
            "params": {"processId": os.getpid(), "rootUri": "file://" + root, "capabilities": {}}})
    c.wait_for(lambda m: m.get("id") == 1)
    c.send({"jsonrpc": "2.0", "method": "initialized", "params": {}})
    c.send({"jsonrpc": "2.0", "method": "textDocument/didOpen",
            "params": {"textDocument": {"uri": uri, "languageId": "yaml", "version": 1, "text": text}}})
    first = c.wait_for(diagnostics_for(uri, 1))
    t_first = time.perf_counter() - t0

    latencies = []
    for i in range(edits):
        version = i + 2
        # Each edit changes the document (a comment that grows): the file is parsed again and every rule runs.
        edited = text + "\n# edit " + "x" * (i % 7) + f" {i}\n"
        start = time.perf_counter()
        c.send({"jsonrpc": "2.0", "method": "textDocument/didChange",
                "params": {"textDocument": {"uri": uri, "version": version}, "contentChanges": [{"text": edited}]}})
        c.wait_for(diagnostics_for(uri, version))
        latencies.append((time.perf_counter() - start) * 1000)

    c.send({"jsonrpc": "2.0", "id": 2, "method": "shutdown"})
    c.wait_for(lambda m: m.get("id") == 2)
    c.send({"jsonrpc": "2.0", "method": "exit"})
    try:
        status = c.p.wait(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        c.p.kill()
        fail("the server did not exit after 'exit'")
    if status != 0:
        fail(f"the server exited with status {status} after shutdown and exit")

    print(json.dumps({
        "first_diagnostics_ms": round(t_first * 1000, 1),
        "first_diagnostics_count": len(first["params"]["diagnostics"]),
        "edits": edits,
        "change_median_ms": round(percentile(latencies, 0.5), 2),
        "change_p95_ms": round(percentile(latencies, 0.95), 2),
        "change_max_ms": round(max(latencies), 2),
    }))


if __name__ == "__main__":
    main()
