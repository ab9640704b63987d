#!/usr/bin/env python3
"""A language server that does nothing: it answers `initialize` with no
capabilities and every other request with `null`. run.sh --fake points the
editor tests at it to show that they fail when the server misbehaves.
Accepts the same command lines as qbank (`lsp`, `--version`, ...)."""
import json
import os
import sys


def read_message(stream):
    length = None
    while True:
        line = stream.readline()
        if not line:
            return None
        line = line.strip()
        if not line:
            break
        name, _, value = line.decode("ascii").partition(":")
        if name.lower() == "content-length":
            length = int(value)
    return json.loads(stream.read(length)) if length is not None else None


def write_message(stream, message):
    body = json.dumps(message).encode("utf-8")
    stream.write(b"Content-Length: %d\r\n\r\n" % len(body) + body)
    stream.flush()


def cargo_version():
    cargo = os.path.join(os.path.dirname(os.path.realpath(__file__)), "..", "..", "Cargo.toml")
    with open(cargo, encoding="utf-8") as manifest:
        for line in manifest:
            if line.startswith("version = "):
                return line.split('"')[1]
    return "0.0.0"


def main():
    if "--version" in sys.argv:
        # The real version, so that clients checking it start the fake and
        # fail on what it answers, not on its version.
        print(f"qbank {cargo_version()} (fake)")
        return 0
    if "lsp" not in sys.argv:
        return 0  # every CLI command prints nothing
    stdin, stdout = sys.stdin.buffer, sys.stdout.buffer
    while True:
        message = read_message(stdin)
        if message is None:
            return 0
        if message.get("method") == "exit":
            return 0
        if "id" not in message or "method" not in message:
            continue
        result = {"capabilities": {}} if message["method"] == "initialize" else None
        write_message(stdout, {"jsonrpc": "2.0", "id": message["id"], "result": result})


if __name__ == "__main__":
    sys.exit(main())
