"""Property-based: whatever a user types or drops into a folder, the product answers or declines
clearly, its JSON stays valid, and the index is never corrupted."""

import json
import os
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from rag.errors import InvalidQuestion
from rag.loading import load_articles
from rag.pipeline import MAX_QUESTION_CHARS, Pipeline

QUESTION_TEXT = st.one_of(
    st.text(max_size=300),
    st.text(alphabet=st.characters(categories=("Cc", "Cf", "Zs", "Zl", "Zp")), max_size=50),
    st.sampled_from(
        [
            "<b>bold</b> & <script>alert(1)</script>?",
            "**who** closed _it_? `code` [x](y)",
            "من أغلق المعبر؟",
            "Кто закрыл КПП Кузница?",
            "🇵🇱🇧🇾 who closed 🚧?",
            "\u202eright-to-left",
            "   ",
            "?",
            "Who closed the Kuznica checkpoint?\x00\x07",
        ]
    ),
)


@settings(
    max_examples=120, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(question=QUESTION_TEXT)
def test_any_question_gets_an_answer_or_a_clear_refusal(pipeline: Pipeline, question: str) -> None:
    try:
        answer = pipeline.ask(question)
    except InvalidQuestion as exc:
        assert str(exc) and "\n" not in str(exc)
        return
    data = json.loads(json.dumps(answer.to_json(), ensure_ascii=False))
    assert isinstance(data["answer"], str) and data["answer"].strip()
    if answer.abstained:
        assert data["citations"] == []
    for c in answer.citations:
        assert c.passage.text and f"[{c.n}]" in answer.answer


@pytest.mark.parametrize("length", [MAX_QUESTION_CHARS + 1, 100_000])
def test_huge_questions_are_refused_with_a_reason(pipeline: Pipeline, length: int) -> None:
    with pytest.raises(InvalidQuestion, match="characters long"):
        pipeline.ask("why " * (length // 4 + 1))


FILE_BYTES = st.one_of(
    st.binary(max_size=400),
    st.text(max_size=400).map(lambda t: t.encode("utf-8")),
    st.text(max_size=200).map(lambda t: t.encode("utf-16")),
    st.sampled_from(
        [b"", b"---\noutlet: X\n---\n", b"---\nbroken front matter", b"\xef\xbb\xbfBOM text."]
    ),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    blobs=st.lists(FILE_BYTES, min_size=1, max_size=4),
    manifest=st.one_of(st.none(), st.binary(max_size=80), st.just(b'[{"doc": 1}]')),
)
def test_loading_never_crashes_and_keeps_good_files(tmp_path_factory, blobs, manifest) -> None:
    folder = tmp_path_factory.mktemp("fuzz")
    (folder / "good.txt").write_text("A good article about the border.", encoding="utf-8")
    for i, blob in enumerate(blobs):
        (folder / f"f{i}.{['txt', 'md', 'html'][i % 3]}").write_bytes(blob)
    if manifest is not None:
        (folder / "sources.json").write_bytes(manifest)
    report = load_articles([folder])
    assert "good" in [a.doc for a in report.articles]
    names = {Path(p).name for p, _ in report.skipped} | {a.path.name for a in report.articles}
    for i in range(len(blobs)):
        assert any(n.startswith(f"f{i}.") for n in names)  # every file: loaded or reported


def test_bad_ingest_never_corrupts_the_existing_index(tmp_path: Path) -> None:
    from rag.config import Settings

    pipeline = Pipeline.open(Settings.from_env(env_file=None, data_dir=tmp_path / "d"))
    before = pipeline.ask("Who closed the Kuznica checkpoint?").answer
    bad = tmp_path / "bad"
    bad.mkdir()
    (bad / "bin.txt").write_bytes(os.urandom(256) + b"\x00")
    (bad / "empty.md").write_bytes(b"")
    (bad / "sources.json").write_text("{oops", encoding="utf-8")
    report = pipeline.ingest([bad], progress=False)
    assert report.added == [] and len(report.skipped) >= 3
    assert pipeline.ask("Who closed the Kuznica checkpoint?").answer == before
    assert len(pipeline.sources()) == 5
