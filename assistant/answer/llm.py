"""Generative answerer: an OpenAI-compatible model answers from numbered evidence; each sentence is then verified."""
from __future__ import annotations

import logging
import math
import re
import time
from dataclasses import dataclass, field
from typing import Any, Iterator, Mapping, Sequence
from urllib.parse import urlparse

from ..config import ConfigError
from ..textnorm import is_traditional, s2t
from ..types import Chunk, DocRecord, Hit
from .prompt import SYSTEM_PROMPT, prompt_messages  # noqa: F401 - SYSTEM_PROMPT kept importable here
from .types import Answer, Citation
from .verify import (Checked, Verifier, best_span, is_absence, is_premise, place_markers, split_sentences,
                     strip_markers)

log = logging.getLogger(__name__)

NOTICE_UNAVAILABLE = "生成模型不可用，已改用抽取式回答"
NOTICE_UNVERIFIED = "生成模型的回答无法在文件中核实，已改用抽取式回答"
ABSTAIN_TEXT = "文件中没有找到相关内容。"

class LLMError(RuntimeError):
    """The generative model could not be used; the message is Chinese and shown to the user as is."""


@dataclass
class _Outcome:
    """A verified answer (None when nothing survived) plus what the stream needs to show."""

    answer: Answer | None
    dropped: list[str] = field(default_factory=list)
    # Model's own evidence number -> the quotes that ended up supporting its verified sentences.
    sources: dict[int, list[Citation]] = field(default_factory=dict)


class LLMAnswerer:
    """Answers with an OpenAI-compatible chat model, keeping only sentences its cited evidence supports.

    >>> llm = LLMAnswerer("http://127.0.0.1:8000/v1", "qwen", "EMPTY", 30, True, extractive)  # doctest: +SKIP
    >>> llm.answer("医保基金结余怎么分配？", hits, docs).answer                                  # doctest: +SKIP
    '医保基金结余由牵头医院、乡镇卫生院、村卫生室按照6:3:1比例分配[1]。'
    """

    def __init__(
        self,
        base_url: str,
        model: str,
        api_key: str,
        timeout: float,
        fallback: bool,
        extractive: Any,
        max_evidence: int = 6,
        max_chars: int = 300,
        min_overlap: float = 0.5,
        temperature: float | None = 0.0,
    ) -> None:
        parsed = urlparse(base_url) if isinstance(base_url, str) else None
        if parsed is None or parsed.scheme not in ("http", "https") or not parsed.netloc:
            raise ConfigError(f"llm_base_url 必须是 http(s) 地址，例如 http://127.0.0.1:8000/v1，当前为 {base_url!r}")
        if not isinstance(model, str) or not model.strip():
            raise ConfigError("llm_model 不能为空。")
        if not isinstance(api_key, str):
            raise ConfigError("llm_api_key 必须是文本。")
        number = isinstance(timeout, (int, float)) and not isinstance(timeout, bool)
        if not number or not (timeout > 0 and math.isfinite(timeout)):
            raise ConfigError(f"llm_timeout 必须是正数（秒），当前为 {timeout!r}")
        if not isinstance(fallback, bool):
            raise ConfigError(f"llm_fallback 必须是 true 或 false，当前为 {fallback!r}")
        if not callable(getattr(extractive, "answer", None)):
            raise ConfigError("LLMAnswerer 需要一个抽取式回答器作为后备（带 answer 方法）。")
        if not isinstance(max_evidence, int) or max_evidence < 1:
            raise ConfigError(f"max_evidence 必须是正整数，当前为 {max_evidence!r}")
        if not isinstance(max_chars, int) or max_chars < 50:
            raise ConfigError(f"max_chars 必须 >= 50，当前为 {max_chars!r}")
        try:
            self.verifier = Verifier(min_overlap=min_overlap)
        except ValueError as exc:
            raise ConfigError(str(exc)) from exc
        import openai  # deferred: the client costs a few hundred ms to import and most runs are extractive

        self.base_url = base_url.rstrip("/")
        self.model = model.strip()
        self.timeout = float(timeout)
        self.fallback = fallback
        self.extractive = extractive
        self.max_evidence = max_evidence
        self.max_chars = max_chars
        self.temperature = temperature
        self._openai = openai
        # No retries: a user is waiting at the other end, and a refused connection will not heal in a second.
        # A short connect timeout makes a dead host fail in seconds instead of after the whole answer budget.
        self.client = openai.OpenAI(
            base_url=self.base_url,
            api_key=api_key or "EMPTY",  # local servers need no key, but the client insists on one
            timeout=openai.Timeout(self.timeout, connect=min(self.timeout, 5.0)),
            max_retries=0,
        )

    @classmethod
    def from_settings(cls, settings: Any, extractive: Any) -> "LLMAnswerer":
        return cls(
            base_url=settings.llm_base_url,
            model=settings.llm_model,
            api_key=settings.llm_api_key,
            timeout=settings.llm_timeout,
            fallback=settings.llm_fallback,
            extractive=extractive,
            max_chars=settings.answer_max_chars,
        )

    # ---- public API -----------------------------------------------------------------------------
    def answer(
        self, question: str, hits: Sequence[Hit], docs: Mapping[str, DocRecord], original: str | None = None
    ) -> Answer:
        """A verified generative answer, the extractive one when nothing verifies, or LLMError."""
        evidence = self._evidence(hits, docs)
        if not evidence:
            return self.extractive.answer(question, hits, docs, original=original)
        traditional = is_traditional(original or question)
        t0 = time.perf_counter()
        try:
            raw = self._complete(self._messages(question, evidence, traditional))
        except LLMError as exc:
            if not self.fallback:
                raise
            log.warning("LLM unavailable, falling back to extractive: %s", exc)
            return self._fallback(question, hits, docs, original, NOTICE_UNAVAILABLE)
        elapsed = (time.perf_counter() - t0) * 1000
        outcome = self._build(question, raw, evidence, hits, docs, traditional)
        if outcome.answer is None:
            log.info("no verified sentence in LLM answer %r", raw[:200])
            return self._fallback(question, hits, docs, original, NOTICE_UNVERIFIED)
        outcome.answer.timings_ms["llm"] = elapsed
        return outcome.answer

    def stream(
        self, question: str, hits: Sequence[Hit], docs: Mapping[str, DocRecord], original: str | None = None
    ) -> Iterator[str]:
        """Model tokens as they arrive, then what verification removed and the verified sources.

        Each sentence is shown once it is complete and verified, so nothing shown is later taken back;
        the closing lines say how many sentences were removed. The generator's return value is the
        verified Answer (`ans = yield from llm.stream(...)`).
        """
        evidence = self._evidence(hits, docs)
        if not evidence:
            result = self.extractive.answer(question, hits, docs, original=original)
            yield result.to_text()
            return result
        traditional = is_traditional(original or question)
        conv = s2t if traditional else (lambda s: s)
        pieces: list[str] = []
        released = [0]  # sentences of the model's text already judged
        shown = False
        try:
            for piece in self._stream_tokens(self._messages(question, evidence, traditional)):
                pieces.append(piece)
                for sentence in self._release("".join(pieces), evidence, question, released, final=False):
                    shown = True
                    yield conv(sentence)
        except LLMError as exc:
            if not self.fallback:
                raise
            log.warning("LLM stream failed, falling back to extractive: %s", exc)
            result = self._fallback(question, hits, docs, original, NOTICE_UNAVAILABLE)
            yield ("\n\n" if shown else "") + result.to_text()
            return result
        for sentence in self._release("".join(pieces), evidence, question, released, final=True):
            yield conv(sentence)
        outcome = self._build(question, "".join(pieces), evidence, hits, docs, traditional)
        if outcome.answer is None:
            result = self._fallback(question, hits, docs, original, NOTICE_UNVERIFIED)
            yield conv("（生成模型的回答无法在文件中核实，以下为抽取式回答）\n") + result.to_text()
            return result
        yield self._stream_tail(outcome, conv)
        return outcome.answer

    def _release(self, raw: str, evidence: Sequence[Chunk], question: str, released: list[int],
                 final: bool) -> Iterator[str]:
        """The next complete sentences of a streamed reply that verification keeps; released[0] counts the
        sentences already judged. Until the reply ends, the last sentence may still grow and citation
        markers may still attach to the one before it, so neither is judged yet."""
        sentences = split_sentences(raw)
        if not final:
            tail = sentences.pop() if sentences else ""
            if sentences and _MARKERISH.fullmatch(tail):
                sentences.pop()
        if len(sentences) <= released[0]:
            return
        texts, spans = self._evidence_texts(evidence)
        checked = self.verifier.check("".join(sentences), texts, question, spans)
        for i in range(released[0], len(checked)):
            c = checked[i]
            if not final and i == len(checked) - 1 and c.kind == "dropped" and c.reason.startswith("lead-in"):
                break  # a lead-in waits for the sentence it introduces
            released[0] = i + 1
            if c.kind != "dropped":
                yield c.text

    @staticmethod
    def _evidence_texts(evidence: Sequence[Chunk]) -> tuple[list[str], list[list[list[int]]]]:
        """(texts, sentence spans relative to each text) of the evidence, as the verifier takes them."""
        spans = [[[a - c.start, b - c.start] for a, b in (c.sentences or [[c.start, c.end]])] for c in evidence]
        return [c.text for c in evidence], spans

    # ---- talking to the model -------------------------------------------------------------------
    def _evidence(self, hits: Sequence[Hit], docs: Mapping[str, DocRecord]) -> list[Chunk]:
        """The distinct chunks of the top hits whose document is at hand; list position + 1 is the [n].

        Passages with instruction-like text (flagged at ingest, or found now in an index built before the
        flag existed) are left out: a document must not be able to instruct the model.
        """
        from ..ingest.injection import is_instruction, overlaps

        out: list[Chunk] = []
        seen: set[str] = set()
        for hit in hits:
            c = hit.chunk
            if c.id in seen or c.doc_id not in docs:
                continue
            if overlaps(getattr(docs[c.doc_id], "instructions", None) or [], c.start, c.end) or is_instruction(c.text):
                log.warning("passage %s of %s reads as instructions to a model; kept out of the LLM context",
                            c.id, c.source)
                seen.add(c.id)
                continue
            seen.add(c.id)
            out.append(c)
            if len(out) == self.max_evidence:
                break
        return out

    def _messages(self, question: str, evidence: Sequence[Chunk], traditional: bool) -> list[dict[str, str]]:
        return prompt_messages(question, evidence, traditional, self.max_chars)

    def _request(self, messages: list[dict[str, str]], stream: bool) -> Any:
        kwargs: dict[str, Any] = {"model": self.model, "messages": messages, "stream": stream}
        if self.temperature is not None:
            kwargs["temperature"] = self.temperature
        return self.client.chat.completions.create(**kwargs)

    def _complete(self, messages: list[dict[str, str]]) -> str:
        try:
            response = self._request(messages, stream=False)
            return (response.choices[0].message.content or "") if response.choices else ""
        except Exception as exc:  # everything inside is the client talking to the server
            raise self._error(exc) from exc

    def _stream_tokens(self, messages: list[dict[str, str]]) -> Iterator[str]:
        try:
            with self._request(messages, stream=True) as events:
                for event in events:
                    if event.choices and event.choices[0].delta.content:
                        yield event.choices[0].delta.content
        except Exception as exc:
            raise self._error(exc) from exc

    def _error(self, exc: Exception) -> LLMError:
        """One Chinese sentence a user can act on, for any failure of the request."""
        oa = self._openai
        log.debug("LLM request failed", exc_info=exc)
        where = self.base_url
        if isinstance(exc, oa.APITimeoutError):
            return LLMError(f"生成模型服务 {where} 在 {self.timeout:g} 秒内没有响应，请稍后再试或调大 llm_timeout。")
        if isinstance(exc, oa.APIConnectionError):
            return LLMError(f"无法连接生成模型服务 {where}，请检查 llm_base_url 是否正确、服务是否已启动。")
        if isinstance(exc, (oa.AuthenticationError, oa.PermissionDeniedError)):
            return LLMError(f"生成模型服务拒绝了请求（HTTP {exc.status_code}），请检查 llm_api_key。")
        if isinstance(exc, oa.NotFoundError):
            return LLMError(
                f"生成模型服务找不到模型 {self.model} 或接口（HTTP 404），请检查 llm_model 与 llm_base_url（通常以 /v1 结尾）。"
            )
        if isinstance(exc, oa.RateLimitError):
            return LLMError("生成模型服务繁忙（HTTP 429），请稍后再试。")
        if isinstance(exc, oa.APIStatusError):
            return LLMError(f"生成模型服务返回错误（HTTP {exc.status_code}）：{_short(exc.message)}")
        return LLMError(f"与生成模型服务 {where} 通信失败（{type(exc).__name__}：{_short(str(exc))}）。")

    def _fallback(self, question, hits, docs, original, notice: str) -> Answer:
        result = self.extractive.answer(question, hits, docs, original=original)
        result.notices.append(s2t(notice) if is_traditional(original or question) else notice)
        return result

    # ---- verification and assembly --------------------------------------------------------------
    def _build(self, question, raw: str, evidence: Sequence[Chunk], hits, docs, traditional: bool) -> _Outcome:
        """Verify the model's text and turn the surviving sentences into an Answer with exact quotes."""
        texts, spans = self._evidence_texts(evidence)
        checked = self.verifier.check(raw, texts, question, spans)
        dropped = [strip_markers(c.text).strip() for c in checked if c.kind == "dropped"]
        facts = [c for c in checked if c.kind == "fact"]
        metas = [c for c in checked if c.kind == "meta"]
        conv = s2t if traditional else (lambda s: s)
        notices = [conv(f"已删除 {len(dropped)} 句无法在引文中核实的内容。")] if dropped else []
        premise = next((strip_markers(c.text).strip() for c in metas if is_premise(c.text)), None)
        premise = conv(premise) if premise else None
        if not facts:
            if not metas:
                return _Outcome(None, dropped)
            text = "".join(strip_markers(c.text) for c in metas).strip()
            absent = any(is_absence(c.text) for c in metas)
            answer = Answer(
                question=question, answer=conv(text if (absent or premise) else ABSTAIN_TEXT), abstained=True,
                premise_note=premise, related=_related(hits), notices=notices, mode="llm",
            )
            return _Outcome(answer, dropped)
        citations: list[Citation] = []
        index: dict[tuple[str, int, int], int] = {}
        sources: dict[int, list[Citation]] = {}
        parts: list[str] = []
        for c in checked:
            if c.kind == "dropped":
                continue
            if c.kind != "fact":
                parts.append(strip_markers(c.text))
                continue
            numbers = []
            for n in c.cited:
                cit = self._quote(c, evidence[n - 1], docs, citations, index)
                if cit.n not in numbers:  # two evidence numbers can resolve to the same quote
                    numbers.append(cit.n)
                if cit not in sources.setdefault(n, []):
                    sources[n].append(cit)
            parts.append(place_markers(c.text, numbers))
        answer = Answer(
            question=question, answer=conv("".join(parts).strip()), citations=citations,
            premise_note=premise, notices=notices, mode="llm",
        )
        return _Outcome(answer, dropped, sources)

    @staticmethod
    def _quote(sentence: Checked, chunk: Chunk, docs, citations: list[Citation], index: dict) -> Citation:
        """The citation for the part of chunk that supports sentence; an identical quote is numbered once."""
        text = docs[chunk.doc_id].text
        spans = chunk.sentences or [[chunk.start, chunk.end]]
        start, end = best_span(sentence.text, spans, text)
        key = (chunk.doc_id, start, end)
        if key not in index:
            index[key] = len(citations) + 1
            citations.append(
                Citation(
                    index[key], chunk.source, chunk.title, chunk.section, text[start:end], start, end, chunk.doc_id
                )
            )
        return citations[index[key] - 1]

    @staticmethod
    def _stream_tail(outcome: _Outcome, conv) -> str:
        """Closing lines of a stream, numbered as the model numbered them, since that is what was shown.

        Quotes are printed as the canonical text has them; only our own wording follows the user's script.
        """
        answer = outcome.answer
        lines: list[str] = []
        if outcome.dropped:  # named by count only: a removed sentence is never shown, not even here
            lines.append(conv(f"（核实：另有 {len(outcome.dropped)} 句在所引文件中找不到依据，已删除。）"))
        if outcome.sources:
            lines.append(conv("来源："))
            for n in sorted(outcome.sources):
                for cit in outcome.sources[n]:
                    section = f" · {cit.section}" if cit.section else ""
                    lines.append(f"[{n}] 《{cit.title}》{section}\n    “{cit.quote}”")
        if answer is not None and answer.related:
            lines.append(conv("相关阅读："))
            lines += [f"- 《{r['title']}》{(' · ' + r['section']) if r.get('section') else ''}" for r in answer.related]
        return ("\n\n" + "\n".join(lines)) if lines else ""


_MARKERISH = re.compile(r"[\s\[\]［］【】\d,，、]*")
def _related(hits: Sequence[Hit], k: int = 3) -> list[dict[str, Any]]:
    """Nearest passages as reading suggestions when the documents do not answer."""
    out: list[dict[str, Any]] = []
    for hit in hits:
        item = {"source": hit.chunk.source, "title": hit.chunk.title, "section": hit.chunk.section}
        if item not in out:
            out.append(item)
        if len(out) == k:
            break
    return out


def _short(text: str, n: int = 120) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= n else text[: n - 1] + "…"


__all__ = ["LLMAnswerer", "LLMError", "NOTICE_UNAVAILABLE", "NOTICE_UNVERIFIED"]
