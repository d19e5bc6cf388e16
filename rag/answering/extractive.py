"""The default answerer: picks the sentences of the retrieved passages that answer the question.

No language model. Each retrieved passage is split into sentences; every sentence is scored by
how much of the question it covers (IDF-weighted, transliteration- and typo-tolerant, with the
article's title as context), the dense similarity and fused rank of its passage, and whether it
holds the kind of thing the question asks for (a number for "how many", a name for "who"…).
The best sentence — or its whole passage when the name or number sits in a neighbouring
sentence — becomes the answer, followed by the marker of the passage it is quoted from; list,
statement and contested questions get up to three, from different outlets where they differ.
When nothing covers the question well enough, or the question names things no article
mentions, it declines.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

from wordfreq import zipf_frequency

from rag.answering.base import AnswerRequest, register
from rag.answering.question import QType, QuestionInfo, analyse
from rag.chunking import sentence_spans
from rag.cleaning import Span
from rag.normalize import fold, terms, words
from rag.retrieval import Candidate
from rag.types import Answer, Citation, Passage

# Calibrated on seeds/gold/dev.jsonl and seeds/gold/tune.jsonl (never on heldout.jsonl);
# `python -m rag.answering.calibrate` prints the features these thresholds cut.
MIN_SUPPORT = 0.42  # the best sentence's combined score must reach this, and
MIN_EVIDENCE = 0.76  # context coverage + 0.6 × cosine of its passage must reach this
EXTRA_SENTENCE_RATIO = 0.8  # further sentences must score this close to the best one
MAX_PASSAGE_AS_ANSWER = 400  # quote the whole passage when the sentence alone lacks the answer

_NUMBER = re.compile(
    r"\b(\d[\d,.]*|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|thirty|"
    r"forty|fifty|hundreds?|thousands?|millions?|dozens?|several)\b"
)
_DATE = re.compile(
    r"\b(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday|spring|summer|autumn|fall|winter|"
    r"(19|20)\d\d|yesterday|today|last (week|year|month)|earlier|since|later)\b"
)
_REASON = re.compile(
    r"\b(because|due to|in order to|so as to|as a result|since|after|angered|to (divert|distract|"
    r"destabili\w+|gain|obtain|evade|prevent)|reason|aim\w*|for (political|its) )\b"
)
_STATEMENT = re.compile(
    r"[\"“”«]|\b(said|says|stated|called|claimed|accused|stressed|noted|told|"
    r"denied|rejected|described|emphasi[sz]ed|argued|warned|added)\b"
)
_CAPITALISED = re.compile(r"\b[A-ZŁŚŻŹĆŃÓ][\w’'-]+")
_PLAIN_CAPS = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "At",
        "It",
        "Its",
        "This",
        "That",
        "These",
        "Those",
        "But",
        "And",
        "Or",
        "If",
        "As",
        "For",
        "From",
        "To",
        "Of",
        "By",
        "With",
        "According",
        "Recall",
        "However",
        "Moreover",
        "Furthermore",
        "Meanwhile",
        "Currently",
        "Since",
        "After",
        "Before",
        "During",
        "Earlier",
        "Now",
        "Then",
        "There",
        "We",
        "They",
        "He",
        "She",
        "I",
        "You",
        "Our",
        "Their",
        "His",
        "Her",
        "Such",
        "Some",
        "All",
        "Additional",
        "Against",
        "Together",
        "Writing",
        "Premier",
        "What",
        "Who",
        "Whom",
        "Which",
        "When",
        "Where",
        "Why",
        "How",
        "Is",
        "Are",
        "Was",
        "Were",
        "Did",
        "Does",
        "Do",
        "Has",
        "Have",
        "Can",
        "Could",
        "Will",
        "Would",
        "Should",
        "Please",
        "Tell",
    ]
)
_CALENDAR = re.compile(
    r"^(january|february|march|april|may|june|july|august|september|october|november|december|"
    r"monday|tuesday|wednesday|thursday|friday|saturday|sunday)$",
    re.IGNORECASE,
)


@dataclass
class ScoredSentence:
    """A sentence of a retrieved passage with the features the answerer weighs."""

    candidate: Candidate
    span: Span  # offsets inside the passage text
    text: str
    score: float = 0.0
    coverage: float = 0.0  # of the question's weighted terms, by the sentence
    context_coverage: float = 0.0  # by the passage and its article's title
    typed: bool = False  # holds the kind of thing asked for
    passage_typed: bool = False
    # The article's previous passage, when only it names who is speaking ("…,” the expert said).
    lead_in: Passage | None = None


def _idf(df: int, total: int) -> float:
    return math.log((total + 1) / (df + 0.5))


def _commonness_discount(word: str) -> float:
    """1.0 for rare words and names, down to 0.3 for the most common English words.

    A small corpus makes everyday verbs look rare; general English frequency (wordfreq's
    Zipf scale: 6 = once per thousand words, 3 = once per million) corrects that.
    """
    zipf = zipf_frequency(word, "en")
    return min(1.0, max(0.3, (6.5 - zipf) / 3.0))


def _words_and_terms(text: str) -> list[tuple[str, str]]:
    """(word, index term) pairs of `text`, stop words dropped, in order."""
    pairs = []
    for word in words(text):
        word_terms = terms(word)
        if word_terms:
            pairs.append((word, word_terms[0]))
    return pairs


class QuestionTerms:
    """The question's terms, each with its IDF weight and the spellings that count as it."""

    def __init__(self, query: str, request: AnswerRequest) -> None:
        lexical = request.lexical
        total = lexical.size if lexical else 1
        self.weights: dict[str, float] = {}
        self.alternatives: dict[str, set[str]] = {}
        self.unknown: list[str] = []
        for word, term in _words_and_terms(lexical.spell(query) if lexical else query):
            if term in self.weights:
                continue
            alts = set(lexical.expand([term])) if lexical else {term}
            df = max((lexical.document_frequency(a) for a in alts), default=0) if lexical else 1
            self.alternatives[term] = alts
            # An unknown word weighs as a rare one: paraphrases use words no article has.
            # Common English words ("come", "call") weigh less whatever a small corpus says.
            self.weights[term] = _idf(max(df, 1), total) * _commonness_discount(word)
            if df == 0:
                self.unknown.append(term)
        self.total = sum(self.weights.values()) or 1.0

    def coverage(self, text_terms: set[str]) -> float:
        """Weighted share of the question's terms found in `text_terms`."""
        held = sum(w for t, w in self.weights.items() if self.alternatives[t] & text_terms)
        return held / self.total

    def unknown_share(self) -> float:
        """Weighted share of the question's terms that no article contains."""
        return sum(self.weights[t] for t in self.unknown) / self.total


def unknown_names(question: str, known: QuestionTerms) -> list[str]:
    """Names and numbers of the question that no article contains ('Germany', '2023')."""
    unknown = set(known.unknown)
    if len(unknown) > 0.6 * max(len(known.weights), 1):
        return []  # mostly unknown words: another language, where capitals are no cue
    names = []
    for i, word in enumerate(re.findall(r"[\w’'-]+", question)):
        is_name = word[:1].isupper() and i > 0 and not (word.isupper() and len(word) > 4)
        if not is_name and not re.fullmatch(r"\d{3,}", word):
            continue
        if word in _PLAIN_CAPS or _CALENDAR.match(word):
            continue
        word_terms = terms(word)
        if word_terms and all(t in unknown for t in word_terms):
            names.append(re.sub(r"[’']s?$", "", word))
    return list(dict.fromkeys(names))


def holds_answer_type(info: QuestionInfo, sentence: str, question_terms: set[str]) -> bool:
    """Whether `sentence` holds the kind of thing the question asks for."""
    folded = fold(sentence)
    if info.qtype == QType.NUMBER:
        return any(m.group(0) not in question_terms for m in _NUMBER.finditer(folded))
    if info.qtype == QType.DATE:
        return bool(_DATE.search(folded))
    if info.qtype == QType.REASON:
        return bool(_REASON.search(folded))
    if info.qtype == QType.STATEMENT:
        return bool(_STATEMENT.search(sentence))
    if info.qtype in (QType.PERSON, QType.PLACE, QType.ENTITY):
        for m in _CAPITALISED.finditer(sentence):
            word = m.group(0)
            if word in _PLAIN_CAPS:
                continue
            if not set(terms(word)) <= question_terms:
                return True
        return info.qtype == QType.ENTITY and bool(_NUMBER.search(folded))
    return True


def _needs_type(info: QuestionInfo) -> bool:
    return info.qtype not in (QType.GENERIC, QType.YESNO, QType.STATEMENT)


def _marker(text: str, n: int) -> str:
    """'… Belarus.' -> '… Belarus [1].'; quotes and other endings keep the marker after them."""
    stripped = text.rstrip()
    if stripped.endswith(".") and not stripped.endswith(".."):
        return f"{stripped[:-1]} [{n}]."
    return f"{stripped} [{n}]"


class ExtractiveAnswerer:
    """Answers with verbatim sentences from the retrieved passages; never invents text."""

    name = "extractive"

    def answer(self, request: AnswerRequest) -> Answer:
        """See the module docstring."""
        info, qterms, sentences = self.analyse(request)
        decline = self.decline_reason(request, info, qterms, sentences)
        if decline is not None:
            return request.declined(decline, self.name)
        chosen = self._choose(info, sentences, request.max_citations)
        return self._compose(request, chosen)

    # -- scoring ----------------------------------------------------------------------------

    def analyse(
        self, request: AnswerRequest
    ) -> tuple[QuestionInfo, QuestionTerms, list[ScoredSentence]]:
        """Question analysis, weighted terms, and every candidate sentence scored, best first."""
        info = analyse(request.search_query)
        qterms = QuestionTerms(request.search_query, request)
        return info, qterms, self._score(request, info, qterms)

    def _score(
        self, request: AnswerRequest, info: QuestionInfo, qterms: QuestionTerms
    ) -> list[ScoredSentence]:
        if not request.candidates:
            return []
        question_terms = set(qterms.weights)
        top_rrf = max(c.score for c in request.candidates) or 1.0
        scored: list[ScoredSentence] = []
        for cand in request.candidates:
            text = cand.passage.text
            context_cov = qterms.coverage(set(terms(text)) | set(terms(cand.passage.title)))
            passage_typed = holds_answer_type(info, text, question_terms)
            lead_in = None
            if _needs_type(info) and not passage_typed and request.lexical:
                previous = request.lexical.previous(cand.passage)
                if previous and holds_answer_type(info, previous.text, question_terms):
                    lead_in, passage_typed = previous, True
            for span in sentence_spans(text, Span(0, len(text))):
                sentence = text[span.start : span.end]
                cov = qterms.coverage(set(terms(sentence)))
                typed = holds_answer_type(info, sentence, question_terms)
                lexical = 0.6 * cov + 0.4 * context_cov
                score = 0.5 * lexical + 0.3 * max(cand.cosine, 0.0) + 0.2 * (cand.score / top_rrf)
                if _needs_type(info):
                    score += 0.1 if typed else (0.0 if passage_typed else -0.15)
                scored.append(
                    ScoredSentence(
                        cand, span, sentence, score, cov, context_cov, typed, passage_typed, lead_in
                    )
                )
        scored.sort(key=lambda s: s.score, reverse=True)
        return scored

    def decline_reason(
        self,
        request: AnswerRequest,
        info: QuestionInfo,
        qterms: QuestionTerms,
        sentences: list[ScoredSentence],
    ) -> str | None:
        """Why the passages do not answer (the text shown to the user), or None to answer."""
        names = unknown_names(request.search_query, qterms)
        if names:
            listed = (
                " or ".join(names)
                if len(names) <= 2
                else ", ".join(names[:-1]) + f" or {names[-1]}"
            )
            return f"The articles I have do not mention {listed}, so I cannot answer that."
        generic = (
            "The articles I have do not say. None of the passages I found answers this question."
        )
        if not sentences:
            return generic
        best = sentences[0]
        if best.score < MIN_SUPPORT:
            return generic
        if best.context_coverage + 0.6 * best.candidate.cosine < MIN_EVIDENCE:
            return generic
        if _needs_type(info) and not (best.typed or best.passage_typed):
            return generic  # e.g. "how many" and no number anywhere near
        return None

    def _choose(
        self, info: QuestionInfo, sentences: list[ScoredSentence], limit: int
    ) -> list[ScoredSentence]:
        best = sentences[0]
        chosen = [best]
        several = info.wants_list or info.contested or info.qtype == QType.STATEMENT
        if not several:
            return chosen
        for s in sentences[1:]:
            if len(chosen) >= limit:
                break
            if s.score < EXTRA_SENTENCE_RATIO * best.score or not (s.typed or s.passage_typed):
                continue
            if any(s.candidate.passage.id == c.candidate.passage.id for c in chosen):
                continue
            if not info.wants_list and any(
                s.candidate.passage.outlet == c.candidate.passage.outlet for c in chosen
            ):
                continue  # a second statement must bring another outlet's account
            chosen.append(s)
        return chosen

    # -- output -----------------------------------------------------------------------------

    @staticmethod
    def _quote(s: ScoredSentence, info_needs_passage: bool) -> str:
        passage = s.candidate.passage.text
        if info_needs_passage and len(passage) <= MAX_PASSAGE_AS_ANSWER:
            return passage
        return s.text

    def _compose(self, request: AnswerRequest, chosen: list[ScoredSentence]) -> Answer:
        numbers: dict[str, int] = {}
        citations: list[Citation] = []

        def number(passage: Passage, score: float) -> int:
            if passage.id not in numbers:
                numbers[passage.id] = len(numbers) + 1
                citations.append(Citation(numbers[passage.id], passage, score))
            return numbers[passage.id]

        for s in chosen:
            if s.lead_in is not None:
                number(s.lead_in, s.candidate.score)
            number(s.candidate.passage, s.candidate.score)
        several_outlets = len({s.candidate.passage.outlet for s in chosen}) > 1
        parts = []
        for s in chosen:
            # The name or number may sit in the sentence next to the best one: quote the passage.
            text = self._quote(s, not s.typed or len(s.text) < 60)
            text = _marker(text, numbers[s.candidate.passage.id])
            if s.lead_in is not None:
                text = f"{_marker(s.lead_in.text, numbers[s.lead_in.id])} {text}"
            if several_outlets:
                p = s.candidate.passage
                text = f"{p.outlet}{f' ({p.published})' if p.published else ''}: {text}"
            parts.append(" ".join(text.split()))
        return Answer(
            question=request.question,
            answer="\n".join(parts) if several_outlets else " ".join(parts),
            abstained=False,
            citations=citations,
            search_query=request.search_query,
            answerer=self.name,
        )


@register("extractive")
def _factory(settings: object) -> ExtractiveAnswerer:
    return ExtractiveAnswerer()
