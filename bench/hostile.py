"""Benchmark: what hostile documents cost a `bff serve` process (time, and memory kept afterwards).

    .venv/bin/python bench/hostile.py [--fragments 22] [--documents 100] [--document-kb 200]

Starts `bff migrate` and `bff serve` on a temporary SQLite database (no upstream is needed: the documents
only name `admissionRegions`), then prints:
- the wall time of one anonymous document whose fragments each spread the previous one twice, so that
  `{ ...L<n> }` stands for 2^n selections, and what the server answered;
- the server's resident memory before and after `--documents` distinct documents of `--document-kb` KB
  each (aliases of `admissionRegions`), i.e. what its caches keep.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiohttp

JWT_SECRET = "bench-jwt-secret-0123456789abcdef-0123456789"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def fragment_bomb(levels: int) -> str:
    fragments = ["fragment L0 on Query { admissionRegions { province } }"]
    fragments += [f"fragment L{i} on Query {{ ...L{i - 1} ...L{i - 1} }}" for i in range(1, levels + 1)]
    return "\n".join(fragments) + f"\n{{ ...L{levels} }}"


def wide_document(index: int, kilobytes: int) -> str:
    selections: list[str] = []
    size = 0
    while size < kilobytes * 1024:
        selection = f"d{index}a{len(selections)}: admissionRegions {{ province }}"
        selections.append(selection)
        size += len(selection) + 1
    return "{ " + " ".join(selections) + " }"


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS")


async def post(http: aiohttp.ClientSession, url: str, query: str) -> tuple[int, float, Any]:
    started = time.perf_counter()
    async with http.post(f"{url}/graphql", json={"query": query}) as response:
        text = await response.text()
        elapsed = time.perf_counter() - started
    try:
        body: Any = json.loads(text)
    except ValueError:
        body = text[:200]
    return response.status, elapsed, body


def summary(body: Any) -> str:
    if isinstance(body, dict) and body.get("errors"):
        error = body["errors"][0]
        return f"error {error.get('extensions', {}).get('code')}: {str(error.get('message'))[:80]}"
    return "data" if isinstance(body, dict) else str(body)[:80]


async def run(url: str, pid: int, args: argparse.Namespace) -> None:
    timeout = aiohttp.ClientTimeout(total=args.timeout)
    async with aiohttp.ClientSession(timeout=timeout) as http:
        bomb = fragment_bomb(args.fragments)
        try:
            status, elapsed, body = await post(http, url, bomb)
            print(
                f"fragment document 2^{args.fragments} ({len(bomb)} bytes): HTTP {status} in {elapsed:.3f} s, {summary(body)}"
            )
        except TimeoutError:
            print(f"fragment document 2^{args.fragments}: no answer within {args.timeout} s")
        before = rss_kib(pid)
        answers: dict[str, int] = {}
        for index in range(args.documents):
            status, _, body = await post(http, url, wide_document(index, args.document_kb))
            key = f"HTTP {status} {summary(body)[:40]}"
            answers[key] = answers.get(key, 0) + 1
        after = rss_kib(pid)
        print(
            f"{args.documents} distinct documents of {args.document_kb} KB: RSS {before / 1024:.0f} MiB → "
            f"{after / 1024:.0f} MiB (+{(after - before) / 1024:.0f} MiB); answers {answers}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--fragments", type=int, default=22)
    parser.add_argument("--documents", type=int, default=100)
    parser.add_argument("--document-kb", type=int, default=200)
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        port = free_port()
        env = {
            **os.environ,
            "BFF_DATABASE_URL": f"sqlite://{tmp}/bench.sqlite3",
            "BFF_JWT_SECRET": JWT_SECRET,
            "BFF_LOG_LEVEL": "WARNING",
        }
        bff = [sys.executable, "-m", "bff"]
        subprocess.run([*bff, "migrate"], env=env, check=True, stdout=subprocess.DEVNULL)
        with (Path(tmp) / "serve.log").open("wb") as log:
            server = subprocess.Popen([*bff, "serve", "--port", str(port)], env=env, stdout=log, stderr=log)
            try:
                url = f"http://127.0.0.1:{port}"
                asyncio.run(wait_ready(url))
                asyncio.run(run(url, server.pid, args))
            finally:
                server.terminate()
                server.wait(timeout=30)


async def wait_ready(url: str) -> None:
    async with aiohttp.ClientSession() as http:
        for _ in range(300):
            try:
                async with http.get(f"{url}/healthz") as response:
                    if response.status == 200:
                        return
            except aiohttp.ClientError:
                pass
            await asyncio.sleep(0.1)
    raise RuntimeError("bff serve did not start")


if __name__ == "__main__":
    main()
