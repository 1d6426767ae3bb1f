"""The optional language-model path: any LangChain chat model, prompts from `prompts/`.

The model sees paragraphs labelled and delimited as quoted data; whatever it
writes is verified afterwards (see `verify`), so a model that invents a
citation or obeys an instruction hidden in a document cannot get it through.
"""

from __future__ import annotations

import html
import logging
from pathlib import Path
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.output_parsers import StrOutputParser
from langchain_core.prompts import ChatPromptTemplate

from bot.answer.types import Retrieved, Turn
from bot.retrieval.query import QueryPlan
from bot.settings import Settings
from core.errors import ResbotError

log = logging.getLogger(__name__)

# The checkout's prompts/ folder; an installed copy (Docker) sets RESBOT_PROMPTS_DIR.
PROMPTS = Path(__file__).resolve().parents[2] / "prompts"

DECLINE_TOKEN = "NOT_IN_CORPUS"


def load_prompt(name: str, prompt_dir: Path | None = None) -> str:
    path = (prompt_dir or PROMPTS) / name
    try:
        return path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ResbotError(f"prompt file missing: {path}") from exc


def make_chat_model(settings: Settings) -> BaseChatModel:
    provider = (settings.llm_provider or "").lower()
    if provider in ("openai", "openai-compatible", "vllm", "llamacpp", "lmstudio", "azure"):
        from langchain_openai import ChatOpenAI

        key = settings.llm_api_key.get_secret_value() if settings.llm_api_key else "not-needed"
        return ChatOpenAI(
            model=settings.llm_model or "gpt-4o-mini",
            base_url=settings.llm_base_url,
            api_key=key,  # type: ignore[arg-type]
            temperature=0,
            timeout=settings.llm_timeout_s,
            max_retries=1,
        )
    if provider == "ollama":
        try:
            from langchain_ollama import ChatOllama  # type: ignore[import-not-found]
        except ImportError as exc:
            raise ResbotError(
                "RESBOT_LLM_PROVIDER=ollama needs `pip install langchain-ollama`"
            ) from exc
        return ChatOllama(
            model=settings.llm_model or "llama3.1", base_url=settings.llm_base_url, temperature=0
        )  # type: ignore[no-any-return]
    raise ResbotError(
        f"unknown RESBOT_LLM_PROVIDER {settings.llm_provider!r} (openai, ollama or none)"
    )


def _cite(item: Retrieved) -> str:
    return f"{item.symbol or item.doc_id.removeprefix('file:')}, {item.label}"


def format_paragraphs(items: list[Retrieved]) -> str:
    blocks = []
    for n, item in enumerate(items, 1):
        # Escaping stops a document from closing the tag and speaking outside it.
        text = html.escape(item.text, quote=False)
        notes = " ".join(item.metadata.get("footnotes_list") or [])
        if notes:
            text += f"\n(footnotes: {html.escape(notes, quote=False)})"
        blocks.append(
            f'<paragraph n="{n}" cite="{html.escape(_cite(item))}">\n{text}\n</paragraph>'
        )
    return "\n".join(blocks)


def format_history(history: list[Turn], turns: int = 3) -> str:
    if not history:
        return ""
    lines = []
    for t in history[-turns:]:
        lines.append(f"Q: {t.question}\nA: {t.answer[:600]}")
    return "Earlier in this conversation:\n" + "\n".join(lines) + "\n\n"


class LLMComposer:
    """Composes an answer with a chat model; returns None when the model declines or fails."""

    def __init__(self, chat: BaseChatModel, prompt_dir: Path | None = None) -> None:
        prompt = ChatPromptTemplate.from_messages(
            [
                ("system", load_prompt("answer_system.txt", prompt_dir)),
                ("human", load_prompt("answer_user.txt", prompt_dir)),
            ]
        )
        self.chain: Any = prompt | chat | StrOutputParser()

    def compose(
        self, question: str, items: list[Retrieved], history: list[Turn], plan: QueryPlan
    ) -> str | None:
        try:
            text = self.chain.invoke(
                {
                    "paragraphs": format_paragraphs(items),
                    "history": format_history(history),
                    "question": question,
                }
            )
        except Exception as exc:  # the extractive answer is always there to fall back on
            log.warning(
                "language model failed (%s); using the extractive answer", type(exc).__name__
            )
            return None
        text = str(text).strip()
        if not text or DECLINE_TOKEN in text:
            return None
        return text


class LLMRewriter:
    """Turns a follow-up into a standalone question with the model."""

    def __init__(self, chat: BaseChatModel, prompt_dir: Path | None = None) -> None:
        prompt = ChatPromptTemplate.from_messages(
            [("human", load_prompt("condense.txt", prompt_dir))]
        )
        self.chain: Any = prompt | chat | StrOutputParser()

    def rewrite(self, question: str, history: list[Turn]) -> str | None:
        try:
            text = str(
                self.chain.invoke({"history": format_history(history), "question": question})
            ).strip()
        except Exception as exc:
            log.warning("question rewrite failed (%s)", type(exc).__name__)
            return None
        if not text or len(text) > 600:
            return None
        return text.splitlines()[0].strip().strip('"')
