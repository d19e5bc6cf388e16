"""Validate the gold question/answer sets in seeds/gold/*.jsonl against the schema and the corpus.

Schema: seeds/gold/README.md. Each check is parametrised per item so a failure names the item id.
Only the standard library and pytest are used.
"""

from __future__ import annotations

import json
import unicodedata
from collections import Counter
from pathlib import Path

import pytest

ROOT = Path(__file__).parent.parent
GOLD_DIR = ROOT / "seeds" / "gold"
CORPUS_DIR = ROOT / "seeds" / "corpus"
SOURCES_JSON = CORPUS_DIR / "sources.json"

KINDS = (
    "factoid",
    "numeric",
    "list",
    "date",
    "attribution",
    "entity",
    "why",
    "yes-no",
    "paraphrase",
    "multi-doc",
    "temporal",
    "transliteration",
    "cross-lingual",
    "noisy",
    "keyword",
    "unanswerable",
    "boilerplate-trap",
    "injection",
)
DECLINE_KINDS = frozenset({"unanswerable", "boilerplate-trap", "injection"})
ALWAYS_UNANSWERABLE = frozenset({"unanswerable", "boilerplate-trap"})
FIELDS = {
    "id": str,
    "question": str,
    "answerable": bool,
    "answers": list,
    "match": str,
    "sources": list,
    "kind": str,
}
# Optional fields: a conversation's turns (`conversation` + `turn`) and a question's language.
OPTIONAL_FIELDS = {"conversation": str, "turn": int, "lang": str}
LANGS = ("en", "ru", "be", "uk", "pl")
# A question in a user's language whose fact the articles lack: cross-lingual, yet to be declined.
UNANSWERABLE_KINDS = DECLINE_KINDS | {"cross-lingual"}
SOURCE_FIELDS = ("doc", "outlet", "evidence")
ID_PREFIX = {
    "dev": "dev-",
    "tune": "tune-",
    "heldout": "held-",
    "chat-tune": "chat-",
    "chat-heldout": "chat-",
    "conversations-tune": "conv-",
    "conversations-heldout": "conv-",
    "crosslingual-tune": "xlt-",
    "crosslingual-heldout": "xlh-",
    # Written later, blind to the files above, by sessions that had not seen them.
    "tune-2": "tune2-",
    "conversations-tune-2": "conv2-",
    "crosslingual-tune-2": "xlt2-",
    "tune-3": "tune3-",
    "conversations-tune-3": "conv3-",
    "crosslingual-tune-3": "xlt3-",
    "tune-4": "tune4-",
    "conversations-tune-4": "conv4-",
    "tune-5": "tune5-",
    "conversations-tune-5": "conv5-",
    "crosslingual-tune-4": "xlt4-",
    "tune-6": "tune6-",
    "conversations-tune-6": "conv6-",
    "crosslingual-tune-5": "xlt5-",
    "tune-7": "tune7-",
    "conversations-tune-7": "conv7-",
    "crosslingual-tune-6": "xlt6-",
    "tune-8": "tune8-",
    "conversations-tune-8": "conv8-",
    "crosslingual-tune-7": "xlt7-",
    "tune-9": "tune9-",
    "conversations-tune-9": "conv9-",
    "crosslingual-tune-8": "xlt8-",
    "tune-10": "tune10-",
    "conversations-tune-10": "conv10-",
    "crosslingual-tune-9": "xlt9-",
    "tune-11": "tune11-",
    "conversations-tune-11": "conv11-",
    "crosslingual-tune-10": "xlt10-",
    "tune-12": "tune12-",
    "conversations-tune-12": "conv12-",
    "crosslingual-tune-11": "xlt11-",
    "tune-13": "tune13-",
    "conversations-tune-13": "conv13-",
    "crosslingual-tune-12": "xlt12-",
    "tune-14": "tune14-",
    "conversations-tune-14": "conv14-",
    "crosslingual-tune-13": "xlt13-",
}
# Each file must exist; the conversation files must hold turns, the others single questions.
GOLD_FILES = tuple(f"{stem}.jsonl" for stem in ID_PREFIX)
CONVERSATION_FILES = (
    "conversations-tune.jsonl",
    "conversations-heldout.jsonl",
    "conversations-tune-2.jsonl",
    "conversations-tune-3.jsonl",
    "conversations-tune-4.jsonl",
    "conversations-tune-5.jsonl",
    "conversations-tune-6.jsonl",
    "conversations-tune-7.jsonl",
    "conversations-tune-8.jsonl",
    "conversations-tune-9.jsonl",
    "conversations-tune-10.jsonl",
    "conversations-tune-11.jsonl",
    "conversations-tune-12.jsonl",
    "conversations-tune-13.jsonl",
    "conversations-tune-14.jsonl",
)
CROSSLINGUAL_SPLIT = ("crosslingual-tune.jsonl", "crosslingual-heldout.jsonl")
CROSSLINGUAL_FILES = (
    *CROSSLINGUAL_SPLIT,
    "crosslingual-tune-2.jsonl",
    "crosslingual-tune-3.jsonl",
    "crosslingual-tune-4.jsonl",
    "crosslingual-tune-5.jsonl",
    "crosslingual-tune-6.jsonl",
    "crosslingual-tune-7.jsonl",
    "crosslingual-tune-8.jsonl",
    "crosslingual-tune-9.jsonl",
    "crosslingual-tune-10.jsonl",
    "crosslingual-tune-11.jsonl",
    "crosslingual-tune-12.jsonl",
    "crosslingual-tune-13.jsonl",
)
MIN_CONVERSATIONS = 24
MIN_CHAT_ITEMS = 60
MIN_TOTAL_ITEMS = 80
MIN_DECLINE_OUTSIDE_DEV = 15
# Page furniture that can sit inside an article's text before its body_ends_before marker
# (TASS's navigation line, RT's photo-caption bullets, TIME's video-player markup).
FURNITURE_LINE_PREFIXES = ("•", "[time-brightcove")
FURNITURE_LINES = frozenset({"All news"})


def fold(text: str) -> str:
    """NFKC, diacritics removed, case folded: how answers are compared."""
    decomposed = unicodedata.normalize("NFKD", unicodedata.normalize("NFKC", text))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def _load_sources() -> dict[str, dict]:
    return {entry["doc"]: entry for entry in json.loads(SOURCES_JSON.read_text(encoding="utf-8"))}


SOURCES = _load_sources()


def _article_text(doc: str) -> str:
    return (CORPUS_DIR / f"{doc}.txt").read_text(encoding="utf-8")


def _article_body(doc: str) -> str:
    """The article's own text: everything before its body_ends_before marker, if it has one."""
    text = _article_text(doc)
    marker = SOURCES[doc].get("body_ends_before")
    if marker:
        cut = text.find(marker)
        assert cut >= 0, f"body_ends_before marker of {doc} not found in its text"
        text = text[:cut]
    return text


def _furniture_spans(text: str) -> list[tuple[int, int]]:
    spans, offset = [], 0
    for line in text.splitlines(keepends=True):
        stripped = line.strip()
        if stripped in FURNITURE_LINES or stripped.startswith(FURNITURE_LINE_PREFIXES):
            spans.append((offset, offset + len(line)))
        offset += len(line)
    return spans


def _load_gold() -> list[tuple[str, int, str]]:
    """(file name, line number, raw line) for every non-blank line of every gold file."""
    rows = []
    for path in sorted(GOLD_DIR.glob("*.jsonl")):
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if line.strip():
                rows.append((path.name, number, line))
    return rows


RAW_ROWS = _load_gold()


def _parse(line: str):
    try:
        return json.loads(line)
    except json.JSONDecodeError:
        return None


ITEMS: list[tuple[str, dict]] = [
    (name, obj) for name, _, line in RAW_ROWS if isinstance(obj := _parse(line), dict)
]


def _item_id(param) -> str:
    name, item = param
    return str(item.get("id", f"{name}:?"))


ITEM_PARAMS = pytest.mark.parametrize("entry", ITEMS, ids=[_item_id(p) for p in ITEMS])


# ---------------------------------------------------------------- files


def test_gold_files_exist():
    names = {path.name for path in GOLD_DIR.glob("*.jsonl")}
    assert set(GOLD_FILES) <= names


def test_sources_json_docs_exist():
    for doc in SOURCES:
        assert (CORPUS_DIR / f"{doc}.txt").is_file(), doc
        _article_body(doc)  # marker present


@pytest.mark.parametrize("row", RAW_ROWS, ids=[f"{name}:{number}" for name, number, _ in RAW_ROWS])
def test_line_is_json_object(row):
    name, number, line = row
    obj = _parse(line)
    assert isinstance(obj, dict), f"{name} line {number} is not a JSON object"


# ---------------------------------------------------------------- per item


@ITEM_PARAMS
def test_fields_and_types(entry):
    name, item = entry
    extra = set(item) - set(FIELDS)
    assert set(FIELDS) <= set(item) and extra <= set(OPTIONAL_FIELDS), (
        f"fields {sorted(item)}: need {sorted(FIELDS)}, may add {sorted(OPTIONAL_FIELDS)}"
    )
    for field, expected in {**FIELDS, **OPTIONAL_FIELDS}.items():
        if field in item:
            assert type(item[field]) is expected, f"{field} must be {expected.__name__}"
    assert ("conversation" in item) == ("turn" in item), "conversation and turn go together"
    assert ("conversation" in item) == (name in CONVERSATION_FILES), (
        f"turns belong in {CONVERSATION_FILES}, single questions elsewhere"
    )
    if "turn" in item:
        assert item["turn"] >= 1 and item["conversation"].strip()
    if "lang" in item:
        assert item["lang"] in LANGS, f"lang must be one of {LANGS}"
    if name in CROSSLINGUAL_FILES:
        assert item["kind"] == "cross-lingual", "the cross-lingual files hold kind cross-lingual"
        assert item.get("lang", "en") != "en", "a cross-lingual item names its non-English lang"
    assert item["id"].strip() and item["question"].strip()
    prefix = ID_PREFIX.get(Path(name).stem)
    if prefix:
        assert item["id"].startswith(prefix), f"id should start with {prefix!r} in {name}"
    assert item["match"] in ("any", "all")
    assert item["kind"] in KINDS, f"unknown kind {item['kind']!r}"
    for answer in item["answers"]:
        assert isinstance(answer, str) and answer.strip(), f"bad answer {answer!r}"
    for source in item["sources"]:
        assert isinstance(source, dict) and set(source) == set(SOURCE_FIELDS), (
            f"bad source {source!r}"
        )
        for field in SOURCE_FIELDS:
            assert isinstance(source[field], str) and source[field].strip(), f"bad source {field}"


@ITEM_PARAMS
def test_answerability_consistent(entry):
    _, item = entry
    if item["answerable"]:
        assert item["kind"] not in ALWAYS_UNANSWERABLE, "this kind must be answerable=false"
        assert len(item["answers"]) >= 1, "answerable item needs at least one answer"
        assert len(item["sources"]) >= 1, "answerable item needs at least one source"
    else:
        assert item["kind"] in UNANSWERABLE_KINDS, (
            "only unanswerable/boilerplate-trap/injection/cross-lingual may be unanswerable"
        )
        assert item["answers"] == [], "unanswerable item must have no answers"
        assert item["sources"] == [], "unanswerable item must have no sources"


@ITEM_PARAMS
def test_sources_match_corpus(entry):
    _, item = entry
    for source in item["sources"]:
        doc = source["doc"]
        assert doc in SOURCES, f"unknown doc {doc!r}"
        assert source["outlet"] == SOURCES[doc]["outlet"], (
            f"outlet of {doc} is {SOURCES[doc]['outlet']!r}"
        )
        evidence = source["evidence"]
        assert evidence in _article_text(doc), f"evidence not verbatim in {doc}: {evidence!r}"
        body = _article_body(doc)
        assert evidence in body, (
            f"evidence occurs only after body_ends_before in {doc}: {evidence!r}"
        )
        furniture = _furniture_spans(body)
        starts = [i for i in range(len(body)) if body.startswith(evidence, i)]
        in_text = [
            start
            for start in starts
            if all(start + len(evidence) <= lo or start >= hi for lo, hi in furniture)
        ]
        assert in_text, f"evidence lies only in page furniture of {doc}: {evidence!r}"


@ITEM_PARAMS
def test_answers_found_in_sources(entry):
    """A typo in an answer string would make the item unwinnable: answers must be in the sources."""
    _, item = entry
    if not item["answerable"]:
        return
    text = fold(" ".join(_article_body(source["doc"]) for source in item["sources"]))
    found = [answer for answer in item["answers"] if fold(answer) in text]
    if item["match"] == "all":
        missing = [answer for answer in item["answers"] if answer not in found]
        assert not missing, f"match=all answers not in the cited articles: {missing}"
    else:
        assert found, f"none of {item['answers']} occurs in the cited articles"


@ITEM_PARAMS
def test_multi_doc_cites_several_articles(entry):
    _, item = entry
    if item["kind"] == "multi-doc":
        assert len({source["doc"] for source in item["sources"]}) >= 2, (
            "multi-doc needs two articles"
        )


# ---------------------------------------------------------------- across files


def test_ids_unique_across_files():
    counts = Counter(item["id"] for _, item in ITEMS)
    assert not [i for i, n in counts.items() if n > 1], "duplicate ids"


def test_questions_unique_across_files():
    """Later turns ("when was that?") may repeat: they mean something else in each conversation."""
    counts = Counter(
        " ".join(fold(item["question"]).split()) for _, item in ITEMS if item.get("turn", 1) == 1
    )
    assert not [q for q, n in counts.items() if n > 1], "duplicate questions"


@pytest.mark.parametrize("name", CONVERSATION_FILES)
def test_conversation_turns_consecutive(name):
    """A conversation's lines are its turns 1, 2, 3... in file order, written together."""
    turns: dict[str, list[int]] = {}
    last = None
    for file_name, item in ITEMS:
        if file_name != name:
            continue
        conversation = item["conversation"]
        assert conversation == last or conversation not in turns, (
            f"{item['id']}: conversation {conversation!r} is split by other lines"
        )
        turns.setdefault(conversation, []).append(item["turn"])
        last = conversation
    for conversation, numbers in turns.items():
        assert numbers == list(range(1, len(numbers) + 1)), f"{conversation}: turns {numbers}"
        assert 2 <= len(numbers) <= 3, f"{conversation}: {len(numbers)} turns, want 2-3"


def test_conversation_ids_unique_across_files():
    files_of: dict[str, set[str]] = {}
    for name, item in ITEMS:
        if "conversation" in item:
            files_of.setdefault(item["conversation"], set()).add(name)
    assert not [c for c, names in files_of.items() if len(names) > 1]


def test_enough_conversations_and_chat_items():
    conversations = {item["conversation"] for _, item in ITEMS if "conversation" in item}
    assert len(conversations) >= MIN_CONVERSATIONS
    later_declines = [
        item["id"] for _, item in ITEMS if item.get("turn", 1) > 1 and not item["answerable"]
    ]
    assert len(later_declines) >= 4, "some follow-ups must be declined"
    chat = [item for name, item in ITEMS if name.startswith("chat-")]
    assert len(chat) >= MIN_CHAT_ITEMS


def test_all_kinds_covered():
    missing = set(KINDS) - {item["kind"] for _, item in ITEMS}
    assert not missing, f"kinds without items: {sorted(missing)}"


def test_enough_items():
    assert len(ITEMS) >= MIN_TOTAL_ITEMS


def test_enough_decline_items_outside_dev():
    declines = [
        item["id"]
        for name, item in ITEMS
        if name != "dev.jsonl" and item["kind"] in DECLINE_KINDS and not item["answerable"]
    ]
    assert len(declines) >= MIN_DECLINE_OUTSIDE_DEV, (
        f"only {len(declines)} decline items outside dev"
    )


def test_crosslingual_split_balanced_by_language():
    """Tune and held-out halves hold the same languages in about equal numbers, declines in both."""
    halves = {name: [item for n, item in ITEMS if n == name] for name in CROSSLINGUAL_SPLIT}
    tune, held = (halves[name] for name in CROSSLINGUAL_SPLIT)
    for lang in ("ru", "be", "uk", "pl"):
        in_tune = sum(item["lang"] == lang for item in tune)
        in_held = sum(item["lang"] == lang for item in held)
        assert in_tune >= 4 and in_held >= 4, f"{lang}: {in_tune} tune, {in_held} held-out"
        assert abs(in_tune - in_held) <= 1, f"{lang}: {in_tune} tune vs {in_held} held-out"
    for name, items in halves.items():
        assert any(not item["answerable"] for item in items), f"{name} has no near-miss decline"
