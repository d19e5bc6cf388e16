"""A language model's answer appears in Telegram as it is written.

The production Application polls the fake Bot API; the real pipeline answers with the
`openai` backend against the scripted stub model server, which streams its reply in small
chunks. What a user sees: one message that grows at most about once a second (every three
seconds in groups) and ends as the formatted answer with its sources and button.
"""

from __future__ import annotations

import dataclasses
import itertools
import re
import time
from collections.abc import Iterator
from typing import Any

import pytest
from fake_telegram import utf16_len
from llm_stub_server import StubLLM

from bot import formatting, handlers, streaming
from rag.errors import IndexUnavailable
from rag.pipeline import Pipeline

pytest_plugins = ["bot_fixtures"]

QUESTION = "Who closed the Kuznica checkpoint?"
#: ~290 characters streamed 5 at a time every 60 ms: the model writes for about 3.5 s. Every
#: sentence is supported by the passage it cites (the grounding check would reject it else).
REPLY = (
    "According to RT, Poland closed the Kuznitsa checkpoint on the border with Belarus [1]. "
    "Blaszczak said that Poland increased the number of soldiers on the border with Belarus "
    "to 15 thousand [2]. The diplomat said Warsaw's threats to seal the border with Belarus "
    "are contradictory [4]."
)
STREAM = {"chunk_size": 5, "chunk_delay": 0.06}
USER = 5151
GROUP = -1009876543210
SOURCE_LINE = re.compile(r"^((?:\[\d+\])+) (.+?) · (.+?) · (.+)$", re.MULTILINE)


@pytest.fixture(scope="module")
def stub() -> Iterator[StubLLM]:
    with StubLLM() as server:
        yield server


@pytest.fixture
def model_pipeline(bot_pipeline: Any, stub: StubLLM, recording: Any) -> Any:
    """The session's seeded index, answered by the `openai` backend talking to the stub."""
    settings = dataclasses.replace(
        bot_pipeline.settings,
        answerer="openai",
        llm_base_url=stub.url,
        llm_model="stub-model",
        llm_timeout=30.0,
    )
    pipeline = Pipeline(settings, bot_pipeline.index)  # the same index, already open
    return recording(pipeline)


def final_answer(fake: Any, chat_id: int) -> Any:
    """The chat's last message once it carries the "Show passages" button."""
    sent = fake.sent(chat_id)
    return sent[-1] if sent and sent[-1].get("reply_markup") else None


async def ask_in_private(fake: Any, bot: Any) -> dict[str, Any]:
    """Ask QUESTION in a private chat with the ``bot`` (a ``run_bot(...)`` context) and
    return the final answer, once it carries its button."""
    async with bot:
        fake.push_message(fake.private_chat(USER), USER, QUESTION)
        return await fake.wait_for(lambda: final_answer(fake, USER), 40, "the final answer")


def drafts_of(fake: Any, chat_id: int) -> list[Any]:
    """The Bot API calls that showed the answer while it was written: the draft sent, then
    its edits (the last edit, which puts in the final answer, is not a draft)."""
    calls = fake.calls_of("sendMessage", chat_id, ok=None)[:1]
    calls += fake.calls_of("editMessageText", chat_id, ok=None)[:-1]
    return calls


def assert_is_the_answer(message: dict[str, Any], answer: Any) -> None:
    """The message shows the whole answer, one ``[n] Outlet · date · title`` per citation,
    no cursor, and the "Show passages" button."""
    assert answer.answer.strip() in message["text"]
    assert not message["text"].endswith(streaming.CURSOR.strip())
    listed = [
        (int(n), outlet)
        for markers, outlet, _, _ in SOURCE_LINE.findall(message["text"])
        for n in re.findall(r"\d+", markers)  # "[1][2] TIME": one line per article
    ]
    assert listed == [(c.n, c.passage.outlet) for c in answer.citations]
    (button,) = [b for row in message["reply_markup"]["inline_keyboard"] for b in row]
    assert button["text"] == "Show passages"


@pytest.mark.asyncio
async def test_answer_grows_in_one_message_edited_at_most_once_a_second(
    fake, make_settings, run_bot, model_pipeline, stub
):
    stub.script("reply", REPLY, **STREAM)
    final = await ask_in_private(fake, run_bot(make_settings(), model_pipeline))

    (call,) = model_pipeline.asks
    answer = call.answer
    assert answer.answerer == "openai" and not answer.fallback_reason
    assert fake.sent(USER) == [final]  # the draft became the answer: one message, not two
    assert_is_the_answer(final, answer)

    drafts = drafts_of(fake, USER)
    assert len(drafts) >= 2, "the answer should be seen growing while the model writes"
    shown = [c.result["text"] for c in drafts]
    for text in shown:  # each draft is the start of the answer, marked as unfinished
        assert text.endswith(streaming.CURSOR.strip())
        assert answer.answer.startswith(text.removesuffix(streaming.CURSOR.strip()).strip())
    assert [len(t) for t in shown] == sorted({len(t) for t in shown})  # it only grows
    gaps = [b.at - a.at for a, b in itertools.pairwise(drafts)]
    assert min(gaps) >= 0.8, f"edits came faster than once a second: {gaps}"
    # The first words show up long before the model has finished.
    last = fake.calls_of("editMessageText", USER)[-1]
    assert last.at - drafts[0].at >= 1.5


@pytest.mark.asyncio
async def test_group_drafts_are_edited_at_most_every_three_seconds(
    fake, make_settings, run_bot, model_pipeline, stub
):
    # ~4.5 s of writing; the configured interval is shorter than a group allows.
    stub.script("reply", REPLY, chunk_size=3, chunk_delay=0.05)
    group = {**fake.group_chat(GROUP), "is_forum": True}
    settings = make_settings(telegram_stream_interval=0.2)
    async with run_bot(settings, model_pipeline):
        # Asked in a forum topic: the draft, like the answer, must stay in that topic.
        topic = {"message_thread_id": 5, "is_topic_message": True}
        question = fake.push_message(group, USER, f"/ask {QUESTION}", extra=topic)
        final = await fake.wait_for(lambda: final_answer(fake, GROUP), 40, "the final answer")

    assert fake.sent(GROUP) == [final]
    assert final["reply_to_message"]["message_id"] == question["message_id"]
    assert [c.params.get("message_thread_id") for c in fake.calls_of("sendMessage", GROUP)] == [5]
    drafts = drafts_of(fake, GROUP)
    assert len(drafts) >= 2
    gaps = [b.at - a.at for a, b in itertools.pairwise(drafts)]
    assert min(gaps) >= streaming.GROUP_INTERVAL - 0.3, gaps


@pytest.mark.asyncio
async def test_rejected_model_answer_is_replaced_by_the_extractive_one_with_a_note(
    fake, make_settings, run_bot, model_pipeline, stub
):
    rejected = "Poland closed it, as far as I know, after the clashes."
    stub.script("reply", rejected, **STREAM)
    final = await ask_in_private(fake, run_bot(make_settings(), model_pipeline))

    answer = model_pipeline.asks[0].answer
    assert answer.answerer == "extractive" and "cited no source" in answer.fallback_reason
    draft = drafts_of(fake, USER)[0].result["text"]  # the user saw the model begin...
    assert draft.endswith(streaming.CURSOR) and rejected.startswith(
        draft.removesuffix(streaming.CURSOR)
    )
    assert fake.sent(USER) == [final]
    assert final["text"].startswith(answer.fallback_reason)
    assert_is_the_answer(final, answer)


@pytest.mark.asyncio
async def test_streaming_off_sends_only_the_final_answer(
    fake, make_settings, run_bot, model_pipeline, stub
):
    stub.script("reply", REPLY, **STREAM)
    final = await ask_in_private(
        fake, run_bot(make_settings(telegram_stream_interval=0), model_pipeline)
    )

    assert model_pipeline.asks[0].answer.answerer == "openai"
    assert fake.calls_of("editMessageText", USER, ok=None) == []
    assert [c.result["text"] for c in fake.calls_of("sendMessage", USER)] == [final["text"]]


@pytest.mark.asyncio
async def test_extractive_answers_are_sent_once_without_drafts(
    fake, make_settings, run_bot, recorder
):
    final = await ask_in_private(fake, run_bot(make_settings(), recorder))

    assert recorder.asks[0].answer.answerer == "extractive"
    assert fake.calls_of("editMessageText", USER, ok=None) == []
    assert len(fake.calls_of("sendMessage", USER, ok=None)) == 1
    assert_is_the_answer(final, recorder.asks[0].answer)


@pytest.mark.asyncio
async def test_draft_deleted_while_writing_the_answer_arrives_as_a_new_message(
    fake, make_settings, run_bot, model_pipeline, stub
):
    stub.script("reply", REPLY, **STREAM)
    async with run_bot(make_settings(), model_pipeline):
        fake.push_message(fake.private_chat(USER), USER, QUESTION)
        (draft,) = await fake.wait_sent(USER, 1, 30)
        fake.delete_message(USER, draft["message_id"])
        final = await fake.wait_for(lambda: final_answer(fake, USER), 40, "the final answer")

    assert fake.sent(USER) == [final] and final["message_id"] != draft["message_id"]
    assert_is_the_answer(final, model_pipeline.asks[0].answer)


@pytest.mark.asyncio
async def test_failing_edits_still_end_in_the_final_answer(
    fake, make_settings, run_bot, model_pipeline, stub
):
    stub.script("reply", REPLY, **STREAM)
    fake.fail_next("editMessageText", 3, kind="5xx")
    final = await ask_in_private(fake, run_bot(make_settings(), model_pipeline))

    assert fake.sent(USER) == [final]
    assert_is_the_answer(final, model_pipeline.asks[0].answer)


class FailsMidAnswer:
    """Streams a few words of an answer, then fails with ``error``."""

    def __init__(self, inner: Any, error: BaseException) -> None:
        self.inner, self.error = inner, error

    def ask(self, question, *, history=(), filters=None, on_token=None):
        for word in ("Poland ", "closed ", "the "):
            on_token(word)
        time.sleep(0.5)  # long enough for the draft to be sent
        raise self.error

    def sources(self):
        return self.inner.sources()


@pytest.mark.asyncio
async def test_an_index_failure_while_writing_replaces_the_draft_with_what_to_do(
    fake, make_settings, run_bot, bot_pipeline
):
    error = IndexUnavailable("The index is unavailable: restart the bot once the server is up.")
    async with run_bot(make_settings(), FailsMidAnswer(bot_pipeline, error)):
        fake.push_message(fake.private_chat(USER), USER, QUESTION)
        await fake.wait_for(
            lambda: fake.calls_of("editMessageText", USER), 30, "the draft to be replaced"
        )

    (message,) = fake.sent(USER)
    assert message["text"] == str(error)


@pytest.mark.asyncio
async def test_a_crash_while_writing_marks_the_draft_cut_off_and_says_so(
    fake, make_settings, run_bot, bot_pipeline
):
    async with run_bot(make_settings(), FailsMidAnswer(bot_pipeline, RuntimeError("bug"))):
        fake.push_message(fake.private_chat(USER), USER, QUESTION)
        await fake.wait_sent(USER, 2, 30)

    draft, apology = fake.sent(USER)
    assert draft["text"] == handlers.ANSWER_CUT_OFF
    assert apology["text"] == handlers.SOMETHING_WRONG


# --- the draft's text -----------------------------------------------------------------------


def test_draft_shows_whole_words_only() -> None:
    assert streaming.complete_words("Polan") == ""
    assert streaming.complete_words("Poland closed the chec") == "Poland closed the"
    assert streaming.complete_words("Poland closed\nthe") == "Poland closed"


def test_draft_is_escaped_and_marked_unfinished() -> None:
    html = streaming.render_draft("  Poland <b>closed</b> & kept [1] ")
    assert html == "Poland &lt;b&gt;closed&lt;/b&gt; &amp; kept [1]" + streaming.CURSOR


def test_a_long_draft_fits_one_message() -> None:
    html = streaming.render_draft("Border & <guards> " * 2000)
    assert utf16_len(formatting.telegram_html_as_plain(html)) <= formatting.MAX_MESSAGE
    assert len(html) <= formatting.MAX_MESSAGE
    assert html.endswith(formatting.ELLIPSIS + streaming.CURSOR)
