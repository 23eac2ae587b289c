"""Load test of `assistant serve`: N concurrent clients on loopback, throughput, p50/p95 latency, errors.

    python eval/load_test.py --index index                      # starts `assistant serve` on a free port
    python eval/load_test.py --url http://127.0.0.1:8000        # against a running server

Writes eval/out/load.json. Bounded in count (clients × requests) and in time (--max-seconds).
"""
from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent


def load_questions(path: Path) -> list[str]:
    out = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                q = json.loads(line).get("question")
                if isinstance(q, str) and q.strip():
                    out.append(q)
    if not out:
        raise SystemExit(f"no questions in {path}")
    return out


def percentile(values: list[float], p: float) -> float:
    if not values:
        return 0.0
    ordered = sorted(values)
    k = max(0, min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1))))
    return ordered[k]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(index: str, port: int, workers: int, log_path: Path) -> subprocess.Popen:
    log_path.parent.mkdir(parents=True, exist_ok=True)
    cmd = [sys.executable, "-m", "assistant.cli", "serve", "--index", index, "--host", "127.0.0.1", "--port", str(port),
           "--workers", str(workers)]
    proc = subprocess.Popen(cmd, stdout=log_path.open("w"), stderr=subprocess.STDOUT, cwd=str(ROOT))
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise SystemExit(f"server exited:\n{log_path.read_text()}")
        try:
            if httpx.get(f"http://127.0.0.1:{port}/healthz", timeout=2).status_code == 200:
                return proc
        except httpx.HTTPError:
            pass
        time.sleep(0.2)
    proc.kill()
    raise SystemExit("server did not start within 120 s")


async def client(cid: int, http: httpx.AsyncClient, url: str, questions: list[str], n: int, stop_at: float,
                 latencies: list[float], errors: list[str]) -> None:
    for i in range(n):
        if time.monotonic() > stop_at:
            errors.append("stopped: time budget exhausted")
            return
        q = questions[(cid * 7 + i) % len(questions)]
        t0 = time.perf_counter()
        try:
            resp = await http.post(url, json={"question": q})
            elapsed = (time.perf_counter() - t0) * 1000
            if resp.status_code == 200 and "answer" in resp.json():
                latencies.append(elapsed)
            else:
                errors.append(f"HTTP {resp.status_code}: {resp.text[:200]}")
        except (httpx.HTTPError, ValueError) as exc:
            errors.append(f"{type(exc).__name__}: {exc}")


async def run(base: str, questions: list[str], clients: int, requests: int, max_seconds: float, timeout: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)
    async with httpx.AsyncClient(timeout=timeout, limits=limits) as http:
        await http.post(f"{base}/v1/ask", json={"question": questions[0]})  # warm-up, not counted
        t0 = time.perf_counter()
        stop_at = time.monotonic() + max_seconds
        await asyncio.gather(*(client(c, http, f"{base}/v1/ask", questions, requests, stop_at, latencies, errors)
                               for c in range(clients)))
        wall = time.perf_counter() - t0
        health = (await http.get(f"{base}/healthz")).json()
    done = len(latencies) + len(errors)
    return {
        "clients": clients,
        "requests_per_client": requests,
        "requests": done,
        "ok": len(latencies),
        "errors": len(errors),
        "error_samples": sorted(set(errors))[:10],
        "seconds": round(wall, 2),
        "throughput_rps": round(done / wall, 1) if wall else 0.0,
        "latency_ms": {
            "p50": round(percentile(latencies, 50), 1),
            "p95": round(percentile(latencies, 95), 1),
            "p99": round(percentile(latencies, 99), 1),
            "mean": round(statistics.fmean(latencies), 1) if latencies else 0.0,
            "max": round(max(latencies), 1) if latencies else 0.0,
        },
        "server": health,
        "cpus": os.cpu_count(),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    where = ap.add_mutually_exclusive_group(required=True)
    where.add_argument("--index", help="start `assistant serve --index INDEX` on a free loopback port")
    where.add_argument("--url", help="base URL of a running server, e.g. http://127.0.0.1:8000")
    ap.add_argument("--workers", type=int, default=1, help="server processes (`serve --workers`) when --index starts one")
    ap.add_argument("--clients", type=int, default=20)
    ap.add_argument("--requests", type=int, default=50, help="requests per client")
    ap.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    ap.add_argument("--max-seconds", type=float, default=300.0, help="stop sending after this long")
    ap.add_argument("--timeout", type=float, default=30.0, help="per-request timeout in seconds")
    ap.add_argument("--out", default=str(ROOT / "eval" / "out" / "load.json"))
    args = ap.parse_args(argv)
    if not (1 <= args.clients <= 200 and 1 <= args.requests <= 10000):
        ap.error("--clients must be 1–200 and --requests 1–10000")

    questions = load_questions(Path(args.questions))
    out = Path(args.out)
    proc = None
    base = (args.url or "").rstrip("/")
    if args.index:
        port = free_port()
        proc = start_server(args.index, port, args.workers, out.parent / "load_server.log")
        base = f"http://127.0.0.1:{port}"
    try:
        result = asyncio.run(run(base, questions, args.clients, args.requests, args.max_seconds, args.timeout))
        result["workers"] = args.workers if args.index else None
    finally:
        if proc is not None:
            proc.terminate()
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(result, ensure_ascii=False, indent=2), encoding="utf-8")
    lat = result["latency_ms"]
    print(f"{result['requests']} requests from {result['clients']} clients in {result['seconds']} s: "
          f"{result['throughput_rps']} req/s, p50 {lat['p50']} ms, p95 {lat['p95']} ms, p99 {lat['p99']} ms, "
          f"errors {result['errors']}")
    for sample in result["error_samples"]:
        print("  error:", sample)
    print(f"written {out}")
    return 1 if result["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
