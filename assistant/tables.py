"""Per-chunk and per-document tables computed at build time, so that no query scans the corpus.

- `tokens.npy`, `token_offsets.npy`, `token_vocab.json`: the keyword tokens of every chunk (ids into the vocabulary),
  reused by an incremental build for unchanged documents instead of running jieba again.
- `doc_tables.jsonl`: per document its paragraph count and document frequencies (build-time reuse) ;
  `idf.json`: their sum, the evidence scorer's idf table.
- `forms.jsonl`: per document its text in match form and in number form (numerals as digits), what the answerer
  compares question phrases and claimed figures with.
"""
from __future__ import annotations

import hashlib
import json
import threading
from importlib import resources
from pathlib import Path
from typing import Any, Callable, Iterable, Mapping, Sequence

import numpy as np

from .textnorm import match_form, number_form

try:  # several times faster than json on the large tables (a dependency of langsmith, so present)
    from orjson import dumps as _dumps
    from orjson import loads as _loads
except ImportError:  # pragma: no cover
    _loads = json.loads

    def _dumps(obj: Any) -> bytes:
        return json.dumps(obj, ensure_ascii=False).encode("utf-8")

TOKENS, OFFSETS, VOCAB = "tokens.npy", "token_offsets.npy", "token_vocab.json"
DOC_TABLES, IDF, FORMS = "doc_tables.jsonl", "idf.json", "forms.jsonl"


def fingerprint() -> str:
    """Hash of the code the document tables come from; when it changes, they are computed again."""
    h = hashlib.sha1()
    h.update(resources.files("assistant").joinpath("tables.py").read_bytes())
    h.update(resources.files("assistant.answer").joinpath("analyze.py").read_bytes())
    return h.hexdigest()[:12]


def paragraph_df(text: str, tokenize: Callable[[str], list[str]]) -> tuple[int, dict[str, int]]:
    """(paragraphs, document frequency of each token over them) of one text: the evidence scorer's idf counts
    paragraphs (non-empty lines) of the whole corpus."""
    n, df = 0, {}
    for p in text.split("\n"):
        if p.strip():
            n += 1
            for tok in set(tokenize(p)):
                df[tok] = df.get(tok, 0) + 1
    return n, df


def number_form_of(form: str) -> str:
    """A match form with Chinese numerals as digits and ages in 岁 ("13周岁" and "十三岁" compare equal)."""
    return number_form(form).replace("周岁", "岁")


def doc_forms(text: str) -> tuple[str, str]:
    form = match_form(text)
    return form, number_form_of(form)


class TokenTable:
    """Token lists of many chunks as one int array plus offsets and a vocabulary.

    >>> t = TokenTable.from_lists([["医共体", "结余"], [], ["结余"]])
    >>> t.tokens(2), len(t)
    (['结余'], 3)
    """

    def __init__(self, vocab: list[str], ids: np.ndarray, offsets: np.ndarray) -> None:
        self.vocab = vocab
        self.ids = ids
        self.offsets = offsets

    @classmethod
    def from_lists(cls, lists: Iterable[list[str]]) -> "TokenTable":
        index: dict[str, int] = {}
        flat: list[int] = []
        offsets = [0]
        for toks in lists:
            flat += [index.setdefault(t, len(index)) for t in toks]
            offsets.append(len(flat))
        return cls(list(index), np.asarray(flat, dtype=np.int32), np.asarray(offsets, dtype=np.int64))

    def __len__(self) -> int:
        return len(self.offsets) - 1

    def id_lists(self) -> list[list[int]]:
        ids, off = self.ids.tolist(), self.offsets.tolist()
        return [ids[off[i] : off[i + 1]] for i in range(len(self))]

    def tokens(self, i: int) -> list[str]:
        return [self.vocab[t] for t in self.ids[self.offsets[i] : self.offsets[i + 1]].tolist()]

    def save(self, folder: Path) -> None:
        np.save(folder / TOKENS, self.ids, allow_pickle=False)
        np.save(folder / OFFSETS, self.offsets, allow_pickle=False)
        (folder / VOCAB).write_bytes(_dumps(self.vocab))

    @classmethod
    def load(cls, folder: Path) -> "TokenTable | None":
        try:
            vocab = _loads((folder / VOCAB).read_bytes())
            ids = np.load(folder / TOKENS, allow_pickle=False)
            offsets = np.load(folder / OFFSETS, allow_pickle=False)
        except (OSError, ValueError):
            return None  # only a cache: the build tokenises again
        if offsets.ndim != 1 or not len(offsets) or offsets[-1] != len(ids) or (len(ids) and ids.max() >= len(vocab)):
            return None
        return cls(vocab, ids, offsets)


def merge_token_ids(parts: Sequence[tuple[TokenTable | None, list[int] | None, list[str] | None]]) -> tuple[list[list[int]], dict[str, int]]:
    """(token ids per chunk, vocabulary) for a new build, each chunk either taken from an old table by row or
    given as new tokens: `parts` holds (old table, row, None) or (None, None, tokens) per chunk."""
    vocab: dict[str, int] = {}
    remap: dict[int, np.ndarray] = {}
    out: list[list[int]] = []
    for table, row, toks in parts:
        if table is not None:
            m = remap.get(id(table))
            if m is None:
                m = remap[id(table)] = np.asarray([vocab.setdefault(t, len(vocab)) for t in table.vocab], dtype=np.int64)
            out.append(m[table.ids[table.offsets[row] : table.offsets[row + 1]]].tolist())
        else:
            out.append([vocab.setdefault(t, len(vocab)) for t in toks])
    return out, vocab


def merge_tokens(old: TokenTable | None, origin: np.ndarray | None, todo: list[int],
                 fresh: list[list[str]]) -> TokenTable:
    """The token table of a new build: chunk i takes row origin[i] of the old table, except the chunks in `todo`,
    which take their `fresh` tokens. Whole-array gathers, no per-chunk Python work for the reused rows."""
    n = len(origin) if origin is not None else len(todo)
    lengths = np.zeros(n, dtype=np.int64)
    reused = np.ones(n, dtype=bool)
    reused[todo] = False
    if old is not None and reused.any():
        src = origin[reused]
        lengths[reused] = old.offsets[src + 1] - old.offsets[src]
    lengths[todo] = [len(t) for t in fresh]
    offsets = np.zeros(n + 1, dtype=np.int64)
    np.cumsum(lengths, out=offsets[1:])
    vocab: dict[str, int] = {}
    ids = np.empty(int(offsets[-1]), dtype=np.int64)
    if old is not None and reused.any():
        remap = np.asarray([vocab.setdefault(t, len(vocab)) for t in old.vocab], dtype=np.int64)
        starts, lens = old.offsets[src], lengths[reused]
        within = np.arange(int(lens.sum()), dtype=np.int64) - np.repeat(np.cumsum(lens) - lens, lens)
        ids[np.repeat(offsets[:-1][reused], lens) + within] = remap[old.ids[np.repeat(starts, lens) + within]]
    for i, toks in zip(todo, fresh):
        ids[offsets[i] : offsets[i + 1]] = [vocab.setdefault(t, len(vocab)) for t in toks]
    # Only the tokens in use, numbered densely (removed documents leave words no chunk has): a count, not a sort.
    present = np.bincount(ids, minlength=len(vocab)) > 0
    renumber = np.cumsum(present) - 1
    words = list(vocab)
    return TokenTable([words[u] for u in np.flatnonzero(present).tolist()], renumber[ids].astype(np.int32), offsets)


def write_doc_tables(folder: Path, rows: Sequence[Mapping[str, Any] | bytes], forms: Sequence[Mapping[str, Any] | bytes],
                     base: tuple[int, dict[str, int], Sequence[Mapping[str, Any]]] | None = None) -> None:
    """Per-document rows ({"doc_id", "paragraphs", "df"}) and forms, and the summed idf counts. A row given as
    bytes is an unchanged document's line of the previous build, copied as is. `base` is (the previous build's
    idf counts, the rows it had that this build drops): the sum is then updated rather than recomputed."""
    if base is not None:
        total, df = base[0], dict(base[1])
        for r in base[2]:
            total -= r["paragraphs"]
            for tok, c in r["df"].items():
                left = df.get(tok, 0) - c
                if left > 0:
                    df[tok] = left
                else:
                    df.pop(tok, None)
        added = [r for r in rows if not isinstance(r, bytes)]
    else:
        total, df = 0, {}
        added = [_loads(r) if isinstance(r, bytes) else r for r in rows]
    for r in added:
        total += r["paragraphs"]
        for tok, c in r["df"].items():
            df[tok] = df.get(tok, 0) + c
    for name, items in ((DOC_TABLES, rows), (FORMS, forms)):
        with (folder / name).open("wb") as fh:
            for r in items:
                fh.write((r if isinstance(r, bytes) else _dumps(r)) + b"\n")
    (folder / IDF).write_bytes(_dumps({"paragraphs": total, "df": df}))


_DOC_PREFIX = b'{"doc_id":"'


def read_lines_by_doc(path: Path) -> dict[str, bytes]:
    """The raw lines of a per-document table by doc id (read from the line's start, not parsed); {} when the
    file is missing or damaged."""
    out: dict[str, bytes] = {}
    try:
        with path.open("rb") as fh:
            for line in fh:
                line = line.rstrip(b"\n")
                if not line.strip():
                    continue
                if line.startswith(_DOC_PREFIX):
                    end = line.index(b'"', len(_DOC_PREFIX))
                    out[line[len(_DOC_PREFIX) : end].decode("utf-8")] = line
                else:
                    out[_loads(line)["doc_id"]] = line
    except (OSError, ValueError, KeyError, TypeError):
        return {}
    return out


def read_jsonl_by_doc(path: Path) -> dict[str, dict[str, Any]]:
    """Rows of a per-document table by doc id; {} when the file is missing or damaged (a cache)."""
    try:
        with path.open("rb") as fh:
            rows = [_loads(line) for line in fh if line.strip()]
        return {r["doc_id"]: r for r in rows}
    except (OSError, ValueError, KeyError, TypeError):
        return {}


class CorpusTables:
    """The build-time tables of one index folder, read on first use.

    >>> tables = CorpusTables(index_path)                     # doctest: +SKIP
    >>> n, df = tables.idf_counts(); tables.forms_for(docs)   # doctest: +SKIP
    """

    def __init__(self, folder: Path) -> None:
        self.folder = Path(folder)
        self._lock = threading.Lock()
        self._idf: tuple[int, dict[str, int]] | None = None
        self._forms: dict[str, tuple[str, str]] | None = None

    @property
    def available(self) -> bool:
        return (self.folder / IDF).exists() and (self.folder / FORMS).exists()

    def idf_counts(self) -> tuple[int, dict[str, int]] | None:
        with self._lock:
            if self._idf is None and (self.folder / IDF).exists():
                try:
                    data = _loads((self.folder / IDF).read_bytes())
                    self._idf = (int(data["paragraphs"]), data["df"])
                except (OSError, ValueError, KeyError, TypeError):
                    return None
            return self._idf

    def _all_forms(self) -> dict[str, tuple[str, str]]:
        with self._lock:
            if self._forms is None:
                rows = read_jsonl_by_doc(self.folder / FORMS)
                self._forms = {d: (r["form"], r["number_form"]) for d, r in rows.items()
                               if isinstance(r.get("form"), str) and isinstance(r.get("number_form"), str)}
            return self._forms

    def forms_for(self, doc_ids: Iterable[str]) -> tuple[dict[str, str], dict[str, str]] | None:
        """(match forms, number forms) by doc id in the order given; None unless the tables hold every document
        and only them (the caller then computes its own)."""
        doc_ids = list(doc_ids)
        forms = self._all_forms()
        if len(forms) != len(doc_ids) or any(d not in forms for d in doc_ids):
            return None
        return {d: forms[d][0] for d in doc_ids}, {d: forms[d][1] for d in doc_ids}
