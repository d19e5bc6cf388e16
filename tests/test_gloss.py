"""The word-by-word English gloss of a non-English question (rag.gloss), on the real
multilingual model and the seeds' vocabulary."""

from __future__ import annotations

import pytest

from rag.pipeline import Pipeline
from rag.types import Turn


@pytest.fixture(scope="module")
def gloss(pipeline: Pipeline):
    return pipeline.retriever.gloss


def test_inflected_names_in_other_scripts_become_the_articles_spelling(gloss) -> None:
    assert "shapovalov" in gloss("Dlaczego według Szapowałowa sytuacja jest wygodna?", "pl").split()
    assert "feldman" in gloss("По мнению Павла Фельдмана", "ru").split()
    assert "borrell" in gloss("размаўляў з Жазэпам Барэлем", "be").split()


def test_common_words_take_their_english_neighbour(gloss) -> None:
    words = gloss("Dlaczego według Szapowałowa sytuacja na granicy jest wygodna?", "pl").split()
    assert {"according", "situation", "border"} <= set(words)


def test_belarusian_is_respelled_for_the_model_that_reads_russian(gloss) -> None:
    # "У якім універсітэце": the model has no Belarusian; respelled, it reads "university".
    assert "university" in gloss("У якім універсітэце працуе Уладзімір Шапавалаў?", "be").split()


def test_nothing_outside_the_articles_words_comes_out(gloss, pipeline: Pipeline) -> None:
    vocabulary = pipeline.retriever.lexical.surface_words()
    words = gloss("Какая столица Перу и сколько там жителей?", "ru").split()
    assert all(w in vocabulary or w.isdigit() for w in words)


def test_a_polish_question_about_a_named_expert_quotes_his_account(pipeline: Pipeline) -> None:
    answer = pipeline.ask("Co powiedział Szapowałow o polskim rządzie?")
    assert not answer.abstained and answer.language == "pl"
    cited = answer.citations[0].passage  # his account, in his own article (RT's)
    assert cited.outlet == "RT"
    assert "Shapovalov" in cited.text or "Polish government" in cited.text


@pytest.mark.parametrize(
    ("word", "language", "english"),
    [
        ("Литва", "uk", "lithuania"),
        ("Білоруссю", "uk", "belarus"),
        ("Польшей", "ru", "poland"),
        ("litewskiej", "pl", "lithuania"),
        ("Літвы", "be", "lithuania"),
        ("ноября", "ru", "november"),
        ("листопада", "uk", "november"),
        ("лістападзе", "be", "november"),
        ("czerwcu", "pl", "june"),
        ("ООН", "ru", "un"),  # international bodies: the model reads "ЕС" as "no"
        ("ЕС", "ru", "eu"),
        ("ЄС", "uk", "eu"),
        ("ААН", "be", "un"),
        ("ONZ", "pl", "un"),
        ("Совбезе", "ru", "security council"),
        ("если", "ru", ""),  # an acronym is no prefix of a word
        ("Хто", "be", "who"),  # a person asked for: the answer must name one
        ("kogo", "pl", "who"),
        ("скока", "ru", "how many"),  # as typed in a chat
        ("skoko", "ru", "how many"),
        ("есть", "ru", ""),  # a short pattern is no prefix of every word
        ("травма", "uk", ""),  # "trauma", not May (травня)
    ],
)
def test_months_and_countries_are_glossed_from_the_lexicon(
    word: str, language: str, english: str
) -> None:
    from rag.gloss import fixed_gloss

    assert fixed_gloss(word, language) == english


def test_belarusian_spellings_include_the_russian_way_of_writing_an_unstressed_o() -> None:
    from rag.gloss import respelling, respelling_rules

    def spellings(word: str) -> list[str]:
        return respelling_rules("be").spellings(word.translate(respelling("be")))

    assert "конференция" in spellings("канферэнцыя")
    assert "проходила" in spellings("праходзіла")
    assert "пограничников" in spellings("пагранічнікаў")
    assert spellings("карту")[0] == "карту"  # the word as typed comes first
    assert respelling_rules("ru").spellings("конференция") == ["конференция"]


def test_a_belarusian_question_finds_its_passage_once_respelled(pipeline: Pipeline) -> None:
    question = "у якім горадзе ў лістападзе 2024 года прайшла канферэнцыя пра нелегальную міграцыю?"
    answer = pipeline.ask(question)
    assert not answer.abstained, answer.answer
    assert "Minsk" in answer.answer


def test_a_gloss_is_anchored_by_a_name_or_number_not_by_nearest_words_alone(
    pipeline: Pipeline,
) -> None:
    retriever = pipeline.retriever
    assert retriever.gloss_anchored("Что сказал Дмитрий Полянский?", "ru")  # a name
    assert retriever.gloss_anchored("Сколько мигрантов было в 2021 году?", "ru")  # a number
    football = "Кто выиграл чемпионат мира по футболу?"
    assert retriever.gloss(football, "ru")  # nearest words come out...
    assert not retriever.gloss_anchored(football, "ru")  # ...but nothing carried over


def test_an_english_word_the_articles_never_use_finds_theirs(pipeline: Pipeline) -> None:
    # The articles speak of "pictures" and "harm", never of an "image" or "damage".
    related = pipeline.retriever.related_words(["image", "damage", "xylophone"], 0.75, 2)
    assert "pictures" in related["image"]
    assert "harm" in related["damage"]
    assert related["xylophone"] == []  # nothing in the articles is near it


def test_warming_up_embeds_the_vocabulary_the_first_question_needs(pipeline: Pipeline) -> None:
    pipeline.warm_up()
    glossary = pipeline.retriever._current_glossary()
    assert glossary is not None and glossary._vectors is not None
    assert glossary._hubness is not None


def test_a_word_near_everything_is_no_ones_gloss() -> None:
    """A hub word ("thwarted") sits near many unrelated words in the multilingual space; the
    gloss discounts it, so an unrelated word gets no gloss rather than the hub."""
    from dataclasses import replace

    import numpy as np

    from rag.gloss import TUNING, Glossary

    rng = np.random.default_rng(0)
    directions = {w: rng.normal(size=64) for w in ("border", "soldiers", "pictures", "harm")}
    hub = sum(directions.values())  # close to every article word
    vectors = {**directions, "thwarted": hub, "granica": directions["border"] + 0.1 * hub}
    vectors["xyz"] = hub + 0.5 * rng.normal(size=64)  # a word that means nothing here

    def embed(texts):
        rows = np.stack([vectors[t] for t in texts])
        return (rows / np.linalg.norm(rows, axis=1, keepdims=True)).astype(np.float32)

    vocabulary = dict.fromkeys(("border", "soldiers", "pictures", "harm", "thwarted"), 1)
    glossary = Glossary(vocabulary, embed, replace(TUNING, hub_weight=1.0))
    assert glossary.gloss("granica", "pl") == "border"
    assert glossary.gloss("xyz", "pl") == ""


def test_ukrainian_function_words_are_not_glossed_as_a_hub_word(gloss) -> None:
    # "Хто" once came out as "ned" and "отримали" as "thwarted": words near everything.
    words = gloss("Хто з Держдепу США заявив, що дії режиму Лукашенка загрожують безпеці?", "uk")
    assert "ned" not in words.split() and "thwarted" not in words.split()
    assert "lukashenka" in words.split()


@pytest.mark.parametrize(
    ("english", "others"),
    [
        ("readmission", ["реадмиссии", "рэадмісіі", "readmisji", "реадмісії"]),
        ("sanctions", ["санкции", "санкцыі", "sankcje", "санкції"]),
        ("crisis", ["кризис", "крызіс", "kryzys"]),
        ("conference", ["конференции", "konferencji"]),
        ("situation", ["ситуация", "сітуацыя", "sytuacja"]),
    ],
)
def test_a_borrowed_word_has_one_key_in_every_language(english: str, others: list[str]) -> None:
    from rag.gloss import cognate_key

    assert {cognate_key(w) for w in others} == {cognate_key(english)}


def test_unrelated_words_keep_apart_by_their_borrowed_word_key() -> None:
    from rag.gloss import cognate_key

    assert cognate_key("reads") != cognate_key("readmission")
    assert cognate_key("sanctions") != cognate_key("stations")


def test_a_borrowed_word_glosses_as_the_articles_form_not_a_lookalike(gloss) -> None:
    # "reads" shares the first letters of "рэадмісіі"; the borrowed word is "readmission".
    assert "readmission" in gloss("Калі Мінск скасаваў пагадненне аб рэадмісіі?", "be").split()
    assert "readmission" in gloss("umowa o readmisji", "pl").split()


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("скольких военных отправили", "ru"),
        ("skolkih soldat otpravili", "ru"),
        ("kolki mihrantau", "be"),
        ("ilu żołnierzy wysłano", "pl"),
    ],
)
def test_a_counting_word_inflected_or_in_latin_letters_asks_how_many(gloss, question, language):
    assert gloss(question, language).startswith("how many")


def test_russian_and_belarusian_typed_in_latin_letters_are_read_in_cyrillic() -> None:
    from rag.gloss import to_cyrillic

    assert to_cyrillic("chrezvychajnoe", "ru") == "чрезвычайное"
    assert to_cyrillic("litva", "ru") == "литва"
    assert to_cyrillic("miažu", "be") == "мяжу"
    assert to_cyrillic("litva", "pl") == ""  # Polish is written in Latin letters
    assert to_cyrillic("литва", "ru") == ""  # already Cyrillic


def test_a_latin_typed_question_gets_its_word_lists_glosses(gloss) -> None:
    # "litva" is Литва, a country of the word list, not the article word "litany".
    words = gloss("kogda litva vvela chrezvychajnoe polozhenie", "ru").split()
    assert words[:2] == ["when", "lithuania"] and "litany" not in words


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("кто такой Вальфович", "ru"),
        ("khto takyi valfovych", "uk"),  # Ukrainian in Latin letters
        ("Хто такий Вальфович?", "uk"),
        ("хто такі Вальфовіч", "be"),
        ("Kim jest Walfowicz?", "pl"),
        # ...and after the name ("valfovic who is that")
        ("Вальфовіч - хто гэта такі?", "be"),
        ("Вальфович, кто это такой", "ru"),
        ("Вальфович - хто це такий?", "uk"),
        ("walfowicz kto to taki", "pl"),
    ],
)
def test_asking_who_someone_is_quotes_the_sentence_saying_what_they_are(
    pipeline: Pipeline, question: str, language: str
) -> None:
    assert "who is" in pipeline.retriever.gloss(question, language)
    answer = pipeline.ask(question)
    # "Alaksandar Valfovič, state secretary of Belarus’ Security Council, …", not the
    # sentence that only names him ("Valfovič claimed that…").
    assert not answer.abstained and "Security Council" in answer.answer


def test_an_inflected_name_is_glossed_as_the_name_not_a_word_like_it(pipeline: Pipeline) -> None:
    # "макеем" (with Makei) is as close by its letters to "makes" as to "Makei"
    gloss = pipeline.retriever.gloss("что написал боррель после разговора с макеем", "ru")
    assert gloss.split()[-1] == "makei", gloss


def test_names_typed_are_reported_as_the_articles_spell_them(pipeline: Pipeline) -> None:
    names = pipeline.retriever.gloss_names
    assert names("что тихановская заявила о мигрантах", "ru") == (("tikhanovskaya",),)
    assert names("Jak Zbigniew Rau określił rolę Rosji?", "pl") == (("zbigniew", "rau"),)
    # A common word whose letters come close to a name ("сейчас", now: "Seimas") is none.
    assert names("Через какой пункт пропуска сейчас идут грузовые перевозки?", "ru") == ()


def test_a_term_of_several_words_is_glossed_as_one(gloss) -> None:
    # Word by word, "чрезвычайное положение" came out "sharply poles position".
    assert "state of emergency" in gloss("когда литва ввела чрезвычайное положение", "ru")
    assert "state of emergency" in gloss("kiedy litwa wprowadzila stan wyjatkowy", "pl")
    assert "state of emergency" in gloss("калі літва ўвяла надзвычайнае становішча", "be")
    assert "foreign minister" in gloss("хто такий міністр закордонних справ Польщі", "uk")
    # one word the multilingual model puts far from the articles' "deaths"
    assert "deaths" in gloss("ile migrantów zmarło na granicy", "pl").split()
    assert "deaths" in gloss("колькі мігрантаў загінула на мяжы", "be").split()
    assert "human trafficking" in gloss("сколько групп торговцев людьми разбили", "ru") or (
        "human trafficking" in gloss("сколько случаев торговли людьми", "ru")
    )


def test_a_term_of_several_words_finds_its_passage(pipeline: Pipeline) -> None:
    for question in (
        "когда литва ввела чрезвычайное положение",
        "коли литва запровадила надзвичайний стан",
    ):
        answer = pipeline.ask(question)
        assert not answer.abstained, answer.answer
        assert "state of emergency" in answer.answer and "November 10" in answer.answer


def test_a_why_word_is_glossed_as_nothing_rather_than_a_wrong_neighbour(
    gloss, pipeline: Pipeline
) -> None:
    # The model's nearest article word to "чому"/"чаму" was "whose": a person question.
    for question, language in (
        ("чому польща закрила кузницю", "uk"),
        ("чаму польшча закрыла кузніцу", "be"),
    ):
        words = gloss(question, language).split()
        assert "whose" not in words and "poland" in words
        answer = pipeline.ask(question)
        assert not answer.abstained and not answer.answer.startswith("Belarus —"), answer.answer


def test_a_why_word_alone_after_a_question_asks_why_of_it(gloss, pipeline: Pipeline) -> None:
    from rag.answering.question import is_follow_up

    # "dlaczego?" after "who closed…" is searched with that question: it asks why, not who.
    assert is_follow_up("dlaczego?") and is_follow_up("а почему?") and is_follow_up("коли?")
    assert gloss("dlaczego kto zamknął przejście w kuźnicy", "pl").split()[:2] == ["why", "who"]
    assert "why" not in gloss("почему польша закрыла кузницу", "ru").split()
    first = "kto zamknął przejście w kuźnicy"
    closed = pipeline.ask(first)
    assert closed.answer.startswith("Poland — "), closed.answer
    why = pipeline.ask("dlaczego?", history=[Turn(first, closed.answer)])
    assert not why.abstained and "aggravated situation" in why.answer, why.answer
    assert not why.answer.startswith("Poland — "), why.answer  # no who-answer for a why


def test_ukrainian_typed_in_latin_letters_is_glossed_and_answered_in_ukrainian(
    gloss, pipeline: Pipeline
) -> None:
    # Spelled back in Cyrillic the Ukrainian way ("skilky" -> скілки, "polshcha" -> полща:
    # the transliteration drops the soft sign), so the word lists read it.
    words = gloss("skilky soldativ vidpravyla polshcha", "uk").split()
    assert words[:2] == ["how", "many"] and "poland" in words
    declined = pipeline.ask("khto vyhrav chempionat svitu z futbolu")
    assert declined.abstained and declined.language == "uk", declined.answer


@pytest.mark.parametrize(
    ("question", "language", "expected"),
    [
        # Ukrainian and Belarusian words unlike their Russian counterparts: as typed, the model
        # (which has Russian, not them) places them nowhere or near unrelated words.
        ("коли закрили кордон з Польщею", "uk", {"border", "borders"}),
        ("що роздавав червоний хрест", "uk", {"red"}),
        ("хто раздаваў ежу мігрантам на мяжы", "be", {"food"}),
        ("хто падпісаў пагадненне", "be", {"agreement"}),
        ("калі Літва ўвяла надзвычайны стан", "be", {"introduced"}),  # ў for у after a vowel
    ],
)
def test_ukrainian_and_belarusian_common_words_are_read_through_russian(
    gloss, question: str, language: str, expected: set[str]
) -> None:
    words = set(gloss(question, language).split())
    assert words & expected, words
    assert "unwillingness" not in words  # what "пагадненне" as typed was nearest to


def test_a_year_is_its_number_without_the_word_for_year(gloss) -> None:
    for question, language in (
        ("сколько мигрантов задержали в 2021 году", "ru"),
        ("скільки мігрантів затримали у 2021 році", "uk"),
        ("ilu migrantów zatrzymano w 2021 roku", "pl"),
    ):
        words = gloss(question, language).split()
        assert "2021" in words and "year" not in words, words
    assert "year" in gloss("скільки років правління лукашенка", "uk").split()


@pytest.mark.parametrize(
    ("word", "language", "english"),
    [
        ("платили", "ru", "paid"),
        ("заплатили", "uk", "paid"),
        ("zapłacili", "pl", "paid"),
        ("каштавала", "be", "cost"),
        ("стоила", "ru", "cost"),
    ],
)
def test_paying_and_costing_ask_for_a_sum(word: str, language: str, english: str) -> None:
    from rag.gloss import fixed_gloss

    assert fixed_gloss(word, language) == english


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("хто роздавав їжу мігрантам", "Red Cross"),
        ("калі Літва ўвяла надзвычайны стан", "November 10"),
    ],
)
def test_ukrainian_and_belarusian_questions_answered_from_their_gloss(
    pipeline: Pipeline, question: str, expected: str
) -> None:
    answer = pipeline.ask(question)
    assert not answer.abstained and answer.answer.startswith(expected), answer.answer


@pytest.mark.parametrize(
    ("question", "language"),
    [
        ("в каком городе прошла конференция по нелегальной миграции", "ru"),
        ("w jakim mieście odbyła się konferencja o nielegalnej migracji", "pl"),
        ("в якому місті відбулася конференція з нелегальної міграції", "uk"),
    ],
)
def test_in_which_city_asks_where(gloss, pipeline: Pipeline, question: str, language: str) -> None:
    assert gloss(question, language).split()[0] == "where"
    answer = pipeline.ask(question)
    assert not answer.abstained and "Minsk" in answer.answer, answer.answer


def test_polish_words_the_model_places_badly_are_read_as_english(gloss) -> None:
    words = gloss("Od kiedy Polska buduje płot na granicy?", "pl").split()
    assert {"since", "fence"} <= set(words) and "de" not in words
    assert gloss("ile kilometrów ma płot na granicy", "pl").startswith("how long is fence")


@pytest.mark.parametrize(
    "question",
    ["ile kilometrów ma płot na granicy z Białorusią", "Od kiedy Polska buduje płot na granicy?"],
)
def test_a_polish_near_miss_about_the_fence_is_declined_in_polish(
    pipeline: Pipeline, question: str
) -> None:
    # The articles mention a barbed-wire fence, neither its length nor when it was built.
    answer = pipeline.ask(question)
    assert answer.abstained and answer.language == "pl", answer.answer


def test_russian_words_the_model_places_badly_are_read_as_english(gloss) -> None:
    words = gloss("Сколько денег ЕС выделил Польше", "ru").split()
    assert "thwarted" not in words and "money" in words  # "выделил" (allocated) is left out
    assert "supported" in gloss("какие страны поддержали заявление", "ru").split()
    assert "poland" in gloss("kakoj punkt propuska polsha zakryla", "ru").split()  # no soft sign


@pytest.mark.parametrize(
    "question",
    ["Кто возглавляет МВД Беларуси?", "хто очолює МВС Білорусі", "kto kieruje MSWiA Białorusi"],
)
def test_who_heads_a_ministry_is_not_answered_by_its_first_deputy(
    pipeline: Pipeline, question: str
) -> None:
    # The articles name Belarus's first deputy interior minister, not the minister.
    answer = pipeline.ask(question)
    assert answer.abstained, answer.answer


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        ("праз якія пераходы цяпер ідзе ўвесь рух з Польшчай", "Terespol"),  # рух: traffic
        ("хто запропонував дорожню карту", "Chupris"),  # a roadmap, not a road and a map
        ("kto zaproponował mapę drogową", "Chupris"),
    ],
)
def test_traffic_and_a_roadmap_are_read_in_belarusian_ukrainian_and_polish(
    pipeline: Pipeline, question: str, expected: str
) -> None:
    answer = pipeline.ask(question)
    assert not answer.abstained and expected in answer.answer, answer.answer


def test_more_belarusian_and_ukrainian_words_land_near_their_sense(gloss) -> None:
    escalated = gloss("калі рэзка абвастрыўся крызіс на мяжы", "be").split()
    assert "aggravated" in escalated and "disaffected" not in escalated
    assert gloss("Якая даўжыня плота на мяжы", "be").startswith("how long is fence")
    saying = gloss("яку приказку сказав путін", "uk").split()
    assert "saying" in saying and "negotiating" not in saying
    assert "introduced" in gloss("коли латвія ввела надзвичайний стан", "uk").split()


def test_joining_the_future_and_escalating_are_read_in_polish_russian_and_belarusian(
    gloss,
) -> None:
    assert "joined" in gloss("które kraje przyłączyły się do oświadczenia", "pl").split()
    assert "future" in gloss("z kim rozmawiać o przyszłości Białorusi", "pl").split()
    assert "aggravated" in gloss("kiedy sytuacja się zaostrzyła", "pl").split()
    assert "aggravated" in gloss("когда обострилась ситуация", "ru").split()
    assert "cargo" in gloss("якімі пунктамі карыстаюцца фуры", "be").split()


def test_belarusian_typed_in_latin_letters_meets_its_word_lists(gloss) -> None:
    # Latin "i" is spelled back as the model's Russian "и"; the lists write Belarusian "і".
    assert "august" in gloss("kolki sprob z žniŭnia 2021", "be").split()
    assert "introduced" in gloss("kali litva uviala nadzvychajnae stanovishcha", "be").split()


@pytest.mark.parametrize(
    "question",
    [
        "which countries are the migrants from according to poland",  # the source after "from"
        "З яких країн, на думку Польщі, їхали мігранти?",
        "откуда мигранты на границе",
        "адкуль мігранты",
        "skąd pochodzą migranci",
    ],
)
def test_where_the_migrants_come_from_is_asked_as_an_origin(
    pipeline: Pipeline, question: str
) -> None:
    answer = pipeline.ask(question)
    assert not answer.abstained, answer.answer
    assert "Syria" in answer.answer or "Africa" in answer.answer, answer.answer
