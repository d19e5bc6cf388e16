"""Lexical normalisation: the spellings outlets use for one name meet; English stems meet."""

import pytest

from rag.normalize import fold, folded_contains, terms


@pytest.mark.parametrize(
    "spellings",
    [
        ("Kuźnica", "Kuznica", "Kuznitsa"),
        ("Łukašenka", "Lukashenka"),
        ("Ryžankoŭ", "Ryzhankov"),
        ("Alejnik", "Aleinik", "Aleynik"),
        ("Кузница", "Kuznica"),
    ],
)
def test_transliterations_share_one_term(spellings: tuple[str, ...]) -> None:
    keys = {tuple(terms(s)) for s in spellings}
    assert len(keys) == 1, keys


def test_plural_and_singular_meet_but_ts_inside_a_word_is_one_sound() -> None:
    assert terms("checkpoints") == terms("checkpoint")
    assert terms("Kuznitsa") != terms("Kuznits")


def test_numbers_keep_their_digits() -> None:
    assert terms("19,707 attempts") == terms("19707 attempt")
    assert terms("19,707")[0] == "19707"
    assert terms("33.2 thousand") == ["33.2", "thousand"]


def test_irregular_verbs_meet_their_base() -> None:
    assert terms("the crisis began") == terms("the crisis begin")


def test_fold_strips_diacritics_and_case() -> None:
    assert fold("Łukašenka’s") == "lukasenka's"
    assert folded_contains("Poland closed the Kuźnica  checkpoint", "kuznica checkpoint")
    assert not folded_contains("Poland closed", "Kuznica")


def test_lexical_index_joins_what_stemming_leaves_apart() -> None:
    from rag.lexical import LexicalIndex
    from rag.types import Passage

    texts = ["Alaksandar Valfovič spoke.", "The Belarusian side agreed.", "Checkpoints were shut."]
    index = LexicalIndex.build(
        Passage(str(i), "d", "o", "t", "", 0, len(t), t) for i, t in enumerate(texts)
    )
    assert index is not None
    assert index.search("Valfovich", 3)[0].passage.text == texts[0]
    assert index.search("Belarus side", 3)[0].passage.text == texts[1]
    assert index.search("chekpoints shutt", 3)[0].passage.text == texts[2]  # typos


def test_lexical_index_finds_a_passage_by_the_words_news_use_for_the_same_thing() -> None:
    from rag.lexical import LexicalIndex
    from rag.types import Passage

    texts = [
        "Poland closed the checkpoint.",
        "Warsaw sent troops to the border.",
        "The minister spoke on the radio.",
    ]
    index = LexicalIndex.build(
        Passage(str(i), "d", "o", "t", "", 0, len(t), t) for i, t in enumerate(texts)
    )
    assert index is not None
    # rag/lexicon/en/paraphrases.txt: "shut" / "closed", "soldiers" / "troops".
    assert index.search("who shut it", 3)[0].passage.text == texts[0]
    assert index.search("how many soldiers", 3)[0].passage.text == texts[1]
