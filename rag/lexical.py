"""BM25 over transliteration-folded terms (llama-index's BM25Retriever on bm25s).

Each passage is indexed as the space-joined output of rag.normalize.terms, so 'Kuźnica',
'Kuznica' and 'Kuznitsa' are one term. Query terms missing from the vocabulary (typos, a
spelling no article uses) are expanded to vocabulary terms within a small edit distance.
The index is saved under the data directory with a stamp of the store's contents and rebuilt
whenever the stamp no longer matches, so it cannot drift from the vector store.
"""

from __future__ import annotations

import bisect
import json
import logging
import re
import shutil
import threading
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

from llama_index.core.schema import QueryBundle, TextNode
from llama_index.retrievers.bm25 import BM25Retriever
from rapidfuzz import process
from rapidfuzz.distance import OSA
from wordfreq import zipf_frequency

from rag.countries import countries
from rag.normalize import STOPWORDS, fold, is_common_word, terms, words
from rag.paraphrases import paraphrase_terms
from rag.store import matches
from rag.types import Passage, ScoredPassage, SearchFilters

log = logging.getLogger(__name__)

STAMP_FILE = "stamp.json"
_TOKEN_PATTERN = r"\S+"  # terms are pre-tokenised and space-joined
LEAD_PASSAGES = 2  # an article's headline and first paragraph
_LOWER_WORD = re.compile(r"(?<![\w’'-])[^\W\d_A-Z][\w’'-]*")
# Who acts, right after the question's auxiliary: "what did merkel say", "did biden agree",
# "why has tusk…" (a bare word: "the pope" is no name).
_BARE_SUBJECT = re.compile(
    r"^\s*(?:(?:and|so|but)\s+)?(?:(?:what|when|why|how|where|who|whom)\s+)?"
    r"(?:did|does|do|has|have|had|will|would|can|could|should)\s+"
    r"(?P<subject>[^\W\d_A-Z][\w’'-]{2,})\s+[^\W\d_A-Z]"  # (not "fm" before "Ryzhankov")
)
# A lower-case word ending in s whose stem is at least this common in English (Zipf) is a
# plural ("activists", "farmers"), not a name ("linkevicius").
PLURAL_BASE_ZIPF = 3.0
_LONG_WORD = re.compile(r"[^\W\d_]{4,}")
HEADLINE_CAPITALISED = 0.6  # a text this much in capitalised words (of 4+ letters) is a headline


def _is_headline(text: str) -> bool:
    long_words = _LONG_WORD.findall(text)
    capitalised = sum(w[:1].isupper() for w in long_words)
    return bool(long_words) and capitalised >= HEADLINE_CAPITALISED * len(long_words)


# A word inside a sentence (after a word and a space, not after sentence punctuation).
_INNER_WORD = re.compile(r"(?<=[\w,;:’'\")] )([^\W\d_][\w’'-]*)")


def max_typos(term: str) -> int:
    """Edit distance tolerated for a query term of this length."""
    if term.isdigit() or len(term) < 5:
        return 0
    return 1 if len(term) < 8 else 2


class LexicalIndex:
    """BM25 search over passages with fuzzy, transliteration-aware query terms."""

    def __init__(
        self, retriever: BM25Retriever, passages: dict[str, Passage], surface: dict[str, int]
    ) -> None:
        self._retriever = retriever
        self._passages = passages
        self._surface = surface  # folded word -> how many passages use it
        self._surface_list = list(surface)
        self.vocabulary: dict[str, int] = dict(retriever.bm25.vocab_dict)
        self._vocab_list = list(self.vocabulary)
        self._sorted_vocab = sorted(self.vocabulary)
        self._by_doc: dict[str, list[Passage]] = {}
        self._article_texts: dict[str, str] = {}  # doc -> its passages joined, on first need
        for passage in passages.values():
            self._by_doc.setdefault(passage.doc, []).append(passage)
        for doc_passages in self._by_doc.values():
            doc_passages.sort(key=lambda p: p.start)
        self._lock = threading.Lock()  # the retriever's top-k is set per call
        self._names: frozenset[str] | None = None  # on first need (names())
        # Its own lock: listing the names (seconds on a big index, in the warm-up) must not
        # hold up searches, which take `_lock`.
        self._names_lock = threading.Lock()

    # -- building and persistence -----------------------------------------------------------

    @classmethod
    def build(cls, passages: Iterable[Passage]) -> LexicalIndex | None:
        """Index `passages`; None when there are none."""
        by_id: dict[str, Passage] = {}
        surface: Counter[str] = Counter()
        nodes = []
        for p in passages:
            by_id[p.id] = p
            surface.update(set(words(_indexed_text(p))))
            node = TextNode(
                id_=p.id, text=" ".join(terms(_indexed_text(p))) or "_", metadata={"pid": p.id}
            )
            node.excluded_embed_metadata_keys = ["pid"]
            nodes.append(node)
        if not nodes:
            return None
        retriever = BM25Retriever(
            nodes=nodes,
            language=[],  # type: ignore[arg-type]  # stop words are removed by rag.normalize
            skip_stemming=True,
            token_pattern=_TOKEN_PATTERN,
            similarity_top_k=min(len(nodes), 50),
        )
        return cls(retriever, by_id, dict(surface))

    def save(self, folder: Path, stamp: str) -> None:
        """Persist to `folder` (replaced atomically enough: written beside, then renamed)."""
        tmp = folder.with_name(folder.name + ".tmp")
        shutil.rmtree(tmp, ignore_errors=True)
        tmp.mkdir(parents=True, mode=0o700)
        self._retriever.persist(str(tmp), show_progress=False)
        payload = {
            "stamp": stamp,
            "passages": [p.__dict__ for p in self._passages.values()],
            "surface": self._surface,
        }
        (tmp / STAMP_FILE).write_text(json.dumps(payload, ensure_ascii=False), encoding="utf-8")
        shutil.rmtree(folder, ignore_errors=True)
        tmp.rename(folder)

    @classmethod
    def load(cls, folder: Path, stamp: str) -> LexicalIndex | None:
        """The saved index if it matches `stamp`, else None."""
        try:
            payload = json.loads((folder / STAMP_FILE).read_text(encoding="utf-8"))
            if payload.get("stamp") != stamp:
                return None
            retriever = BM25Retriever.from_persist_dir(str(folder), show_progress=False)
            retriever.token_pattern = _TOKEN_PATTERN
            retriever.skip_stemming = True
            passages = {p["id"]: Passage(**p) for p in payload["passages"]}
            return cls(retriever, passages, payload["surface"])
        except Exception as exc:  # a damaged cache is rebuilt, never trusted
            log.info("BM25 cache in %s not usable (%s); rebuilding", folder, exc)
            return None

    # -- searching --------------------------------------------------------------------------

    def _same_root(self, term: str) -> list[str]:
        """Vocabulary terms that extend or shorten `term` by at most 3 letters, keeping ≥ 5.

        Relates what the stemmer leaves apart: 'belarusian' ~ 'belarus', 'russian' ~ 'russia'.
        """
        if len(term) < 5 or term.isdigit():
            return []
        found = [
            term[:cut]
            for cut in range(max(5, len(term) - 3), len(term))
            if term[:cut] in self.vocabulary
        ]
        i = bisect.bisect_left(self._sorted_vocab, term)
        while i < len(self._sorted_vocab) and self._sorted_vocab[i].startswith(term):
            if 0 < len(self._sorted_vocab[i]) - len(term) <= 3:
                found.append(self._sorted_vocab[i])
            i += 1
        return found

    def spell(self, text: str) -> str:
        """`text` as folded words, with typos corrected against the articles' own words.

        Only words that are neither in the articles nor common English are corrected
        ('clsoed' -> 'closed', 'migeant' -> 'migrant'); a real word the articles lack
        ('Germany') is kept, so that questions about it can be declined.
        """
        return " ".join(self._correct(w) for w in words(text))

    def _correct(self, word: str) -> str:
        if word in self._surface or len(word) < 4 or not word.isalpha():
            return word
        if zipf_frequency(word, "en") >= 2.0:
            return word
        limit = 1 if len(word) < 8 else 2
        matches = process.extract(
            word, self._surface_list, scorer=OSA.distance, score_cutoff=limit, limit=8
        )
        if not matches:
            return word
        best = min(matches, key=lambda m: (m[1], -self._surface[m[0]]))
        return best[0]

    def expand(self, query_terms: list[str]) -> list[str]:
        """Query terms plus close vocabulary terms: same root, other spellings, typos."""
        expanded: list[str] = []
        for term in query_terms:
            expanded.append(term)
            expanded.extend(t for t in self._same_root(term) if t not in expanded)
            limit = max_typos(term) if term not in self.vocabulary else min(1, max_typos(term) - 1)
            if limit <= 0:
                continue
            for candidate, _distance, _ in process.extract(
                term, self._vocab_list, scorer=OSA.distance, score_cutoff=limit, limit=4
            ):
                if candidate != term:
                    expanded.append(candidate)
        return expanded

    def known_terms(self, text: str) -> tuple[list[str], list[str]]:
        """(terms of `text` the corpus has, directly or by fuzzy match; terms it has not)."""
        known, unknown = [], []
        for term in terms(text):
            if term in self.vocabulary or len(self.expand([term])) > 1:
                known.append(term)
            else:
                unknown.append(term)
        return known, unknown

    def document_frequency(self, term: str) -> int:
        """How many passages contain `term` (0 when unknown)."""
        index = self.vocabulary.get(term)
        if index is None:
            return 0
        scores = self._retriever.bm25.scores
        indptr = scores["indptr"]
        return int(indptr[index + 1] - indptr[index])

    def article_passages(self, doc: str) -> list[Passage]:
        """The passages of article `doc`, in reading order."""
        return list(self._by_doc.get(doc, []))

    def previous(self, passage: Passage) -> Passage | None:
        """The passage just before `passage` in its article (None at the start)."""
        doc_passages = self._by_doc.get(passage.doc, [])
        earlier = [p for p in doc_passages if p.end <= passage.start]
        return earlier[-1] if earlier else None

    def article_text(self, doc: str) -> str:
        """The passages of article `doc` in reading order, one a line (joined once)."""
        text = self._article_texts.get(doc)
        if text is None:
            text = "\n".join(p.text for p in self._by_doc.get(doc, []))
            self._article_texts[doc] = text
        return text

    def lead(self, passage: Passage) -> list[Passage]:
        """The first LEAD_PASSAGES passages of `passage`'s article (its headline and lead)."""
        return self._by_doc.get(passage.doc, [])[:LEAD_PASSAGES]

    def names(self) -> frozenset[str]:
        """The (folded) words the passages write only capitalised, never at a sentence's
        start alone: names ("putin", "kuznitsa"; not the outlets'), however a question types
        them."""
        with self._names_lock:
            if self._names is None:
                upper: Counter[str] = Counter()
                lower: set[str] = set()
                for passage in self._passages.values():
                    if _is_headline(passage.text):
                        continue  # "Vladimir Putin Denies Stoking…": every word capitalised
                    for match in _INNER_WORD.finditer(passage.text):
                        word = match.group(1)
                        if word[:1].isupper():
                            if not word.isupper() or len(word) > 1:
                                upper[fold(word)] += 1
                        elif word[:1].islower():
                            lower.add(fold(word))
                # An outlet's name is no person's ("and tass?" asks for TASS's account).
                outlets = {fold(p.outlet) for p in self._passages.values()}
                self._names = frozenset(
                    w
                    for w in upper
                    if w not in lower and w not in outlets and w.isalpha() and not is_common_word(w)
                )
            return self._names

    def truecase(self, text: str) -> str:
        """`text` with the names it types in lower case capitalised as the passages write
        them ("what did putin say" -> "what did Putin say"), so that what reads names reads
        them too."""
        names = self.names()

        def capitalised(match: re.Match[str]) -> str:
            word = match.group(0)
            return word[:1].upper() + word[1:] if fold(word) in names else word

        text = _LOWER_WORD.sub(capitalised, text)
        # "what did merkel say": a word no article has, where the one who acts stands, is
        # a name too — one the articles lack, for the near-miss rules to decline.
        subject = _BARE_SUBJECT.match(text)
        if subject and self._unknown_name(subject.group("subject")):
            start = subject.start("subject")
            text = text[:start] + text[start].upper() + text[start + 1 :]
        return text

    def _unknown_name(self, word: str) -> bool:
        """Whether lower-case `word` reads as a name no article has: a word neither the
        articles (in any spelling) nor common English use, nor the plural of a common word
        ("activists"), nor a country."""
        if is_common_word(word) or countries(word) or fold(word) in STOPWORDS:
            return False
        if word.endswith("s") and zipf_frequency(word[:-1], "en") >= PLURAL_BASE_ZIPF:
            return False
        return not self.known_terms(word)[0]

    def surface_words(self) -> dict[str, int]:
        """Every (folded) word the indexed passages and titles use, with how many use it."""
        return dict(self._surface)

    @property
    def size(self) -> int:
        return len(self._passages)

    def search(
        self, query: str, k: int, filters: SearchFilters | None = None
    ) -> list[ScoredPassage]:
        """Top-`k` passages by BM25; zero-score padding is dropped."""
        asked = terms(self.spell(query))
        query_terms = self.expand(asked)
        if not query_terms:
            return []
        # Words news English uses for the same thing find the passage too ("soldiers" for
        # "troops", "shut" for "closed"): those the index has, after the question's own.
        # (At half their weight — the question's words twice — the tune files gained 7 and
        # lost 3 questions; at full weight 11 and 3.)
        query_terms += [
            t
            for term in asked
            for t in sorted(paraphrase_terms().get(term, ()))
            if t in self.vocabulary and t not in query_terms
        ]
        # bm25s needs k <= corpus size; over-fetch when filtering so k survive the filter.
        want = k if filters is None or filters.is_empty() else k * 5
        with self._lock:
            self._retriever.similarity_top_k = min(self.size, max(want, 1))
            results = self._retriever.retrieve(QueryBundle(" ".join(query_terms)))
        scored = []
        for hit in results:
            if not hit.score or hit.score <= 0:
                continue  # BM25 pads its results with zero scores
            passage = self._passages.get(hit.node.metadata.get("pid", hit.node.node_id))
            if passage is not None and matches(passage, filters):
                scored.append(ScoredPassage(passage, float(hit.score)))
        return scored[:k]


def _indexed_text(passage: Passage) -> str:
    """What BM25 indexes for a passage: its text and its article's title (the topic a sentence
    like "…, Alejnik said" belongs to is often only in the headline)."""
    return f"{passage.text}\n{passage.title}"
