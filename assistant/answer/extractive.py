"""Extractive answerer: picks evidence sentences, states the fact first with [n] citations, abstains when unsupported."""
from __future__ import annotations

import logging
import re
import time
from dataclasses import replace
from functools import lru_cache
from typing import Mapping, Sequence

from ..places import place_names
from ..textnorm import match_form, t2s
from ..types import DocRecord, Hit
from .analyze import QuestionInfo, analyze, citing, docno, document_number, find_regions, place_core
from .abstain import (SLOT_CHECKS, WEAK_SLOT_CHECKS, Signals, abstain_signals, asked_slot_checks,
                      evidence_strength)
from .abstain_model import Abstainer
from .compound import question_parts, sentences_for_parts, states_asked, unfilled_parts
from .compose import abstention, compose, in_script
from .cut import echoes
from .evidence import IdfTable, Sentence, candidate_sentences, score_sentences
from .focus import DocumentFocus, wants_each_side
from .headline import headline_items
from .outline import expand_headings, following, listed_items, named_run, section_heading, series_run, shared_run
from .premise import antonym_pairs, check_premises, miscounted_list
from .premise_places import swapped_places
from .premise_model import default_model
from .recut import recut
from .scorer import confidence as learned_confidence
from .select import select_sentences
from .terms import defining_sentence
from .types import Answer

log = logging.getLogger(__name__)
# "是放在哪本账里讲的", "在哪一部分提到的": the question asks under which heading something is said.
_SECTION_ASK = re.compile(r"哪(?:一|个|本|部分|章|节|条|方面|一部分)[\u4e00-\u9fff]{0,3}?(?:里|中|下)?(?:讲|说|提|写|论述|谈)")
# "三点体会是什么", "哪几条": a question that counts what it asks for.
_COUNTED_ASK = re.compile(r"(?:[几两二三四五六七八九十]|哪几)\s*(?:点|条|项|个方面|方面|件)")


class ExtractiveAnswerer:
    """Answers from the retrieved evidence only; no model, no network.

    >>> ans = ExtractiveAnswerer(lexicon).answer("结余怎么分配？", hits, docs)   # doctest: +SKIP
    >>> ans.citations[0].quote in docs[ans.citations[0].doc_id].text         # doctest: +SKIP
    True
    """

    def __init__(self, lexicon, max_chars: int = 300, threshold: float = 0.35, max_sentences: int = 3, pool: int = 8,
                 semantic=None, semantic_weight: float = 3.0, scorer=None, cross=None, notice: str = "", history=None,
                 tables=None, premise_model="default", abstainer: str = "rules", abstain_model: str = ""):
        if not 0.0 <= threshold <= 1.0:
            raise ValueError("abstain threshold must be within [0, 1]")
        if max_chars < 60:
            raise ValueError("max_chars must be >= 60")
        if semantic_weight < 0:
            raise ValueError("semantic_weight must be >= 0")
        # semantic(question, sentences) -> similarities (None where unknown), e.g. answer.semantic.SentenceVectors
        self.semantic = semantic
        self.semantic_weight = semantic_weight
        # scorer: an answer.scorer.LearnedScorer that replaces the rule weights and the abstention floor; None =
        # the rules. notice: shown with every answer when a configured model could not be loaded.
        self.scorer = scorer
        # cross: an answer.cross_scorer.CrossScorer choosing the lead among the learned scorer's first sentences
        # (None = off).
        self.cross = cross if scorer is not None else None
        self.notice = notice
        self.history = history  # answer.history.ChangeHistory: a changed rule's current value first, then the old
        self.lexicon = lexicon
        self.max_chars = max_chars
        self.threshold = threshold
        self.max_sentences = max_sentences
        self.pool = pool
        self._corpus_key: tuple[str, ...] | None = None
        self._idf: IdfTable | None = None
        self._forms: dict[str, str] = {}
        self._doc_lengths: dict[str, int] = {}
        self._number_forms: tuple[str, ...] | None = None
        # The index's build-time tables (tables.CorpusTables): idf counts and document forms without a corpus scan.
        self.tables = tables
        self._no_place: dict[str, bool] = {}  # doc id -> names no place at all (see _placeless)
        # The learned premise check (premise_model.py), loaded on first use; None = the rule checks alone.
        self._premise_model = premise_model
        self._corpus_text = ""  # every document's match_form, one string: "is this word the documents' term?"
        # abstainer: rules (the first fired check declines) | learned (answer/abstain_model.py weighs them all).
        self.abstainer = Abstainer(abstainer, abstain_model)
        self.last_signals = None  # the abstention signals of the last question that reached them (training reads them)
        # The graded measures are computed for the learned abstainer, or when set (eval/train_abstain.py records
        # them under the rules); the rules alone skip them.
        self.keep_graded = False

    @property
    def premise_model(self):
        if self._premise_model == "default":
            self._premise_model = default_model()
        return self._premise_model

    @premise_model.setter
    def premise_model(self, model) -> None:
        self._premise_model = model

    # ---- per-corpus caches ---------------------------------------------------------------------
    def _prepare(self, docs: Mapping[str, DocRecord]) -> None:
        key = tuple(sorted(docs))
        if key == self._corpus_key:
            return
        counts = self.tables.idf_counts() if self.tables is not None else None
        forms = self.tables.forms_for(docs) if counts is not None else None
        if forms is not None:
            self._idf = IdfTable.from_counts(*counts)
            self._focus = DocumentFocus(docs, text_forms=forms[0])
            self._number_forms = tuple(forms[1].values())
        else:  # documents given without an index (tests, an old index): computed here once
            paragraphs = [p for d in docs.values() for p in d.text.split("\n") if p.strip()]
            self._idf = IdfTable(paragraphs, self.lexicon.tokenize)
            self._focus = DocumentFocus(docs)
            self._number_forms = None
        self._forms = self._focus.text_forms  # each document's text in match_form
        self._doc_lengths = {d: len(doc.text) for d, doc in docs.items()}  # the learned scorer's position features
        self._corpus_text = "\n".join(self._forms.values())
        self._corpus_key = key

    def _terms(self, question: str) -> list[str]:
        # Single characters left after filler removal (为, 定, 搞, 多) match everywhere; numbers ("4号", "2020") stay.
        terms = [t for t in self.lexicon.query_tokens(question, expand=False) if len(t) > 1 or t.isdigit()]
        return terms + recut(t2s(question), terms, self._idf.df if self._idf is not None else {}, self.lexicon.filler)

    # ---- answering -----------------------------------------------------------------------------
    def answer(self, question: str, hits: Sequence[Hit], docs: Mapping[str, DocRecord], original: str | None = None) -> Answer:
        self._scorer_ms = self._cross_ms = 0.0
        self.last_signals = None
        ans = self._answer(question, hits, docs, original)
        if self.scorer is not None:
            ans.timings_ms["scorer"] = self._scorer_ms  # the learned model's share of answering (bench_speed.py)
        if self.cross is not None:
            ans.timings_ms["cross"] = self._cross_ms  # of which the cross-encoder
        return ans

    def _answer(self, question: str, hits: Sequence[Hit], docs: Mapping[str, DocRecord], original: str | None) -> Answer:
        self._prepare(docs)
        info = analyze(question, self._terms)
        shown_trad = (original and analyze(original, lambda _: []).traditional) or info.traditional
        sentences = candidate_sentences(hits[: self.pool], docs)
        if not sentences:
            return self._abstain(question, hits, info, shown_trad)
        ranked = score_sentences(info, sentences, self._idf, self.lexicon.tokenize, self.lexicon.expand_terms,
                                 doc_terms=self._focus.naming_terms(info.terms))
        ranked = self._by_meaning(question, ranked, info)
        numbered = document_number(info.simplified)
        cited = citing(docno(numbered)) if numbered else None
        if cited is not None:
            # "国办发〔2017〕32号文件是哪天发布的" is about that document: the sentences that cite it come first.
            for s in ranked:
                if cited.search(match_form(s.text)):
                    s.score += 0.7 if s.typed else 0.4  # most, the one that gives what is asked of it
            ranked.sort(key=lambda x: (-x.score, x.rank, x.start))
        # The documents a comparison or an each-of question points at ("讲话…和准格尔旗…").
        pointed = self._focus.pointed(info.terms, info.regions) if wants_each_side(info.simplified) else []
        place_note = ""
        regions = self._real_places(info.regions)
        if regions != info.regions:
            info = replace(info, regions=regions)
        if info.regions:
            # A question about a place is answered only from documents that speak of it; a question naming two
            # places (a comparison) keeps both documents but needs each place in the evidence.
            # A document the question cites by number ("裕安区…依据的国办发〔2017〕32号文件是哪天发布的") may be
            # described by a document that does not speak of the place.
            # Both ways of citing contain the number itself: a substring test skips the regex on most documents.
            key = docno(numbered)[1] if numbered else ""
            citers = {d for d, form in self._forms.items() if cited is not None and key in form and cited.search(form)}
            local = [s for s in ranked if s.doc_id in pointed or s.doc_id in citers
                     or any(self._mentions(s.doc_id, r, docs) for r in info.regions)]
            absent = [r for r in info.regions if not any(self._mentions(s.doc_id, r, docs) for s in local)]
            swapped = swapped_places(info, local or ranked, absent, find_regions, ranked)
            if swapped is not None:
                return self._answer_with_issue(question, info, ranked, pointed, swapped, docs, shown_trad)
            # A document that names no place at all (a scraped page that never says where it is) is not about
            # another place: when it holds the best evidence, it answers, with a note that the place is unstated.
            placeless = [s for s in ranked if self._placeless(docs[s.doc_id])] if not local else []
            if placeless and placeless[0] is ranked[0]:
                place_note = f"文件未写明所问地区（{'、'.join(info.regions)}），以下依据未注明地区的文件作答，请核对。"
                ranked, info = placeless, replace(info, regions=[])
            elif not local or absent:
                log.debug("abstain on %r: no document mentions %s", question, absent or info.regions)
                return self._abstain(question, hits, info, shown_trad)
            else:
                ranked = local
        issue = check_premises(info, ranked, list(self._forms.values()), number_forms=self._number_forms,
                               doc_forms=self._forms)
        if issue is None and self.premise_model is not None:
            # The rules first (they were written for these documents); the model adds the claims they miss.
            issue = self.premise_model.check(info.simplified, ranked, self._is_term, antonym_pairs(), self.lexicon.words)
        learned = learned_confidence(ranked) if self.scorer is not None else None
        sure = learned if learned is not None else evidence_strength(ranked)
        gate = ""
        part_notes: list = []
        if issue is None:
            signal_kw = dict(threshold=self.threshold if learned is None else self.scorer.threshold,
                             mentions=lambda d, r: d in docs and self._mentions(d, r, docs),
                             synonyms=self.lexicon.expand_terms, corpus_forms=[self._corpus_text], confidence=learned)
            signals = abstain_signals(info, ranked, hits, **signal_kw,
                                      graded=self.keep_graded or self.abstainer.mode == "learned")

            # Each part of a compound question is analysed once, however often it is checked.
            part_info = lru_cache(maxsize=None)(lambda part: analyze(part, self._terms))

            def slot_misses(part: str, sentences: list[Sentence]) -> list:
                """The slot checks one part of a compound question fails on these sentences."""
                return [c for c in abstain_signals(part_info(part), sentences, hits, **signal_kw,
                                                   graded=False).fired if c.id in SLOT_CHECKS]

            if any(c.id == "term_undefined" for c in signals.fired) and headline_items(info.simplified, ranked, docs):
                signals = signals.without("term_undefined")  # "「2+2+3」是指哪些": the sentences after the one naming it give its items
            self.last_signals = signals
            decision = self.abstainer.decide(signals, sure)
            if decision[0] is not None and decision[0].id in SLOT_CHECKS and len(parts := question_parts(question)) > 1:
                # "赵女士的手术是哪位专家主刀的？手术是哪天做的？": the parts the evidence answers are answered, and
                # the answer says which asked things the documents do not give.
                missing = unfilled_parts(parts, lambda p: slot_misses(p, ranked),
                    lambda p: [c for c in asked_slot_checks(part_info(p)) if c not in WEAK_SLOT_CHECKS])
                if missing is not None:
                    rest = Signals([c for c in signals.fired if c.id not in SLOT_CHECKS], dict(signals.graded))
                    decision = self.abstainer.decide(rest, sure)
                    part_notes = missing
            check, sure, gate = decision
            if check is not None:
                log.debug("abstain on %r: %s", question, check.reason)
                return self._abstain(question, hits, info, shown_trad, sure, gate, why=check.why)
            gate = "passed"
        ans = self._answer_with_issue(question, info, ranked, pointed, issue, docs, shown_trad)
        if ans is None:
            log.debug("abstain on %r: the evidence only repeats the question", question)
            return self._abstain(question, hits, info, shown_trad, sure)
        ans.confidence, ans.gate = sure, gate
        if place_note:
            ans.notices.append(place_note)
        if part_notes:
            # A part the answer's own sentences do answer ("陈健副院长亲自操刀") is not reported as unanswered.
            cited = [replace(s, coverage=1.0, context_coverage=0.0) for s in ranked if any(
                c.doc_id == s.doc_id and c.start < s.end and s.start < c.end for c in ans.citations)]
            ans.notices.extend(in_script(f"未能在文件中找到“{p}”的答案（{c.why}）。", shown_trad)
                               for p, c in part_notes if slot_misses(p, cited))
        if self.notice:
            ans.notices.append(self.notice)
        return ans

    def _answer_with_issue(self, question: str, info: QuestionInfo, ranked: list[Sentence], pointed: list[str],
                           issue, docs, shown_trad: bool) -> Answer | None:
        """The answer from the ranked evidence; a false premise leads with the sentence that states the fact.
        None when the chosen evidence only repeats the question."""
        sides = self._focus.sides(question, info.terms, info.regions) if len(pointed) >= 2 else {}
        chosen = select_sentences(info, ranked, pointed, max_sentences=self.max_sentences, best_for=self._best_for,
                                  first=issue.sentence if issue else None, sides=sides)
        says = defining_sentence(info, ranked[:8]) if issue is None else None
        if says is not None and says is not chosen[0]:
            # "什么叫“药价虚低”": the sentence that says what the term is ("…被学者们称为“药价虚低”") leads.
            chosen = [says, *(s for s in chosen if s is not says)]
        # A heading-like line (a colon's lead-in at any length) matching about as well as the best stands for a list.
        heads = [s for s in ranked[:3] if (len(s.text.strip()) <= 40 or s.text.strip().endswith((":", "：")))
                 and s.score >= 0.8 * ranked[0].score]
        listed = (listed_items(info.terms, heads, chosen[0], docs) or shared_run(ranked[:4], docs)
                  or named_run(question, ranked, docs) if info.qtype == "list" else [])
        if not listed and not sides and (info.qtype in ("list", "how", "why") or _COUNTED_ASK.search(info.simplified)):
            # "三点体会,一是…;" answers with its "二是…;" and "三是…" whatever their words.
            listed = series_run(chosen[0], docs[chosen[0].doc_id])
        if listed and issue is not None and all(s is not issue.sentence for s in listed):
            listed = []  # a correction leads with the sentence that states the fact; the items would hide it
        if listed and issue is None:
            issue = miscounted_list(info, listed)
        if not listed and not sides and issue is None:
            listed = headline_items(info.simplified, ranked, docs)  # "「2+2+3」是指哪些": the sentence, then its items
        chosen = listed or expand_headings(chosen, docs)
        if not listed and info.qtype in ("comparison", "why", "how"):
            # "主要区别一是…" cited as one side of a comparison brings its "二是…" along.
            runs = [series_run(s, docs[s.doc_id]) for s in chosen]
            # The counted points are the substance of the answer: they lead, the other sentences follow.
            points = [r for run in runs if run for r in run]
            rest = [s for s, run in zip(chosen, runs) if not run]
            chosen = points + rest
        if issue is None and not listed and self.history is not None:
            chosen = self.history.lead(info, chosen, ranked, docs) or chosen
        if issue is not None and not listed:
            # "刘国中副总理主持的会议,是怎么给基层定位的": the correction leads; what the question then asks
            # (its last clause) still needs the sentence that answers it.
            whole = info.simplified.rstrip("？?。 ")
            ask = re.split(r"[，,]", whole)[-1]
            during = re.search(r"(?:时|期间|的时候|以后|之后)(?=[^，,]*(?:什么|哪|怎么|如何|多少|几))", ask)
            ask = ask[during.end() :] if during else ask  # "到湖北调研时对医共体提了什么要求"
            # The rest of the answer is often next to the corrected fact ("…到湖南、江西调研。…他强调,要…").
            after = following(chosen[0], docs[chosen[0].doc_id], 3)
            near = [n for n in after if all(n.start != s.start or n.doc_id != s.doc_id for s in ranked)]
            close = {(n.doc_id, n.start) for n in after}
            # It is about the same thing, so it comes from the same document.
            rest = [s for s in ranked if s.doc_id == chosen[0].doc_id and all(s is not c for c in chosen)] + near
            # The whole question's words would pull back towards the premise ("刘国中…"): the clause alone.
            pick = self._best_for(ask, rest, whole=0.0, near=close) if len(ask) >= 4 and ask != whole else None
            if pick is not None:
                chosen = [chosen[0], pick, *chosen[1:]]
        if not listed and _SECTION_ASK.search(info.simplified):
            # "是放在哪本账里讲的": the heading of the section that says it is the answer, with what it says.
            head = section_heading(chosen[0], docs[chosen[0].doc_id])
            chosen = [head, *chosen] if head is not None else chosen
        parts = question_parts(question)
        if len(parts) > 1:  # "几号开的？谁主持的？": a sentence for each thing asked
            chosen = chosen + sentences_for_parts(parts, ranked, lambda p: self._rank_part(p, ranked), chosen)
        if issue is None and all(echoes(s.text, info.simplified) for s in chosen):
            return None  # "路线图具体定了哪些节点" answered by the bare heading "要明确路线图,打好组合拳"
        ans = compose(question, info, chosen, docs, shown_trad, self.max_chars)
        if issue:
            ans.premise_note = in_script(issue.note, shown_trad)
        return ans

    def _rank_part(self, part: str, ranked: list[Sentence]) -> list[tuple[Sentence, float, float, bool]]:
        """(sentence, score, coverage, states the kind of fact it asks) of the evidence against one sub-question, best
        first; the last only for a part that asks a date, a duration, an amount, a ratio or a person."""
        info = analyze(part, self._terms)
        copies = [replace(s) for s in ranked]
        scored = score_sentences(info, copies, self._idf, self.lexicon.tokenize, self.lexicon.expand_terms,
                                 doc_terms=self._focus.naming_terms(info.terms))
        origin = {id(c): s for c, s in zip(copies, ranked)}
        return [(origin[id(c)], c.score, c.coverage, states_asked(info.qtype, c.typed, c.text)) for c in scored]

    def _by_meaning(self, question: str, ranked: list[Sentence], info: QuestionInfo | None = None) -> list[Sentence]:
        """Words rank the sentences; meaning reorders them where the asker's words differ from the text's
        ("院长一届干几年" and "每届任期4年"). Only the ranking moves: abstention still needs matching words.
        With a learned scorer, the similarity is one of its features and its weights replace the rule score."""
        sims = self.semantic(question, ranked) if self.semantic is not None else [None] * len(ranked)
        for s, sim in zip(ranked, sims):
            s.similarity = sim
        if self.scorer is not None and info is not None:
            t0 = time.perf_counter()
            ranked = self.scorer.rescore(info, ranked, self._doc_lengths)
            if self.cross is not None:
                ranked = self._cross_rerank(question, ranked)
            self._scorer_ms = getattr(self, "_scorer_ms", 0.0) + (time.perf_counter() - t0) * 1000
            return ranked
        if not self.semantic_weight:
            return ranked
        known = [x for x in sims if x is not None]
        if not known:
            return ranked
        top = max(known)
        for s, sim in zip(ranked, sims):
            if sim is not None:
                s.score += self.semantic_weight * (sim - top)
        return sorted(ranked, key=lambda x: (-x.score, x.rank, x.start))

    def _cross_rerank(self, question: str, ranked: list[Sentence]) -> list[Sentence]:
        """The cross-encoder chooses which of the learned scorer's first sentences leads (its centred logits added to
        theirs). The others keep their learned scores, which the rest of the answer reads (a second sentence near
        the best, a compound question's parts, a counted series); the probabilities stay as calibrated. Changing
        every score instead lost 8 seed-set answers against 3 (eval/README.md)."""
        t0 = time.perf_counter()
        top = ranked[: self.cross.candidates]
        extras = self.cross.adjustments(question, [s.text for s in top])
        lead = max(range(len(top)), key=lambda i: (top[i].score + self.scorer.scale * float(extras[i]), -i))
        if lead:
            top[lead].score = top[0].score + 1e-6  # just above the former lead, which keeps its place after it
            ranked = sorted(ranked, key=lambda x: (-x.score, x.rank, x.start))
        self._cross_ms = getattr(self, "_cross_ms", 0.0) + (time.perf_counter() - t0) * 1000
        return ranked

    def _is_term(self, word: str) -> bool:
        """The documents use the word: only then may a note name it as the question's (not a paraphrase's) word."""
        return match_form(word) in self._corpus_text

    def _placeless(self, doc: DocRecord) -> bool:
        """No place in the document's metadata nor any known place name in its text."""
        if (doc.region or "").strip():
            return False
        if doc.doc_id not in self._no_place:
            self._no_place[doc.doc_id] = not place_names(self._forms.get(doc.doc_id, doc.text))
        return self._no_place[doc.doc_id]

    def _mentions(self, doc_id: str, region: str, docs) -> bool:
        core = place_core(region)
        return core in self._forms.get(doc_id, "") or core in match_form(docs[doc_id].region)

    def _best_for(self, part: str, sentences: list[Sentence], whole: float = 0.5,
                  near: set[tuple[str, int]] = frozenset()) -> Sentence | None:
        """The sentence that best answers one part of the question, if any shares its words; the whole
        question's score of a sentence counts for `whole` (half, as for the parts of a compound question),
        and a sentence `near` (doc id, start) the one answered before breaks a tie."""
        top = max((s.score for s in sentences), default=0.0) or 1.0
        scored = [(s, score + whole * s.score / top + (0.15 if (s.doc_id, s.start) in near else 0.0))
                  for s, score, cov, _ in self._rank_part(part, sentences) if cov > 0]
        return max(scored, key=lambda x: x[1])[0] if scored else None

    def _real_places(self, regions: list[str]) -> list[str]:
        """The question's place names that are places: a name ending in 县/市/省… that neither the gazetteer nor any
        document knows is words run together ("当时跨省", "宁波向市"); the known places inside it stay ("宁波")."""
        out: list[str] = []
        for r in regions:
            known = place_names(r)
            keep = [r] if "".join(known) == r or match_form(r) in self._corpus_text else known
            out += [k for k in keep if k not in out]
        return out

    def _abstain(self, question: str, hits: Sequence[Hit], info: QuestionInfo | None, trad: bool,
                 sure: float | None = None, gate: str = "check", why: str = "") -> Answer:
        return abstention(question, hits, info, trad, sure, gate, self.notice, why)
