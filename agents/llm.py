"""LLMAgent: a language model at a node, over the official ``openai`` SDK.

At each node the model sees its question, depth, whether it may still ask, the budget
left and the answers it has received; it replies with subquestions (asked concurrently
with ``ctx.ask_all``) or its final answer, until it answers or ``max_rounds`` is spent.
Replies are JSON-schema constrained where the server supports it and read tolerantly
otherwise; an unusable reply is sent back with the reason, up to ``max_output_retries``
times, then the node fails with ``ModelOutputError`` holding the raw text. Pointers in
what it sees read ``$1``, ``$2``, ...; it may unlock them, or pass them on by writing
them (``agents._workspace``).
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import cached_property
from pathlib import Path
from typing import Any, Literal
from urllib.parse import urlsplit

from pydantic import BaseModel, ConfigDict, Field, SecretStr, field_validator

from agents._chat import ChatClient
from agents._prompts import Prompts
from agents._reply import Reply, ReplyError, parse_reply, response_format
from agents._retry import RetryPolicy
from agents._workspace import PointerTurns
from hch.cache import Cache
from hch.context import Context
from hch.errors import ChildFailed, LimitExceeded, ModelAPIError, ModelOutputError
from hch.model import Answer, Question, format_path

__all__ = ["OPENAI_BASE_URL", "LLMAgent", "LLMSession", "Prompts", "RetryPolicy"]

OPENAI_BASE_URL = "https://api.openai.com/v1"
_NO_ANSWER = "(no answer: that assistant failed)"


def _env_base_url() -> str:
    return os.environ.get("OPENAI_BASE_URL") or OPENAI_BASE_URL


def _env_api_key() -> SecretStr | None:
    key = os.environ.get("OPENAI_API_KEY")
    return SecretStr(key) if key else None


class LLMSession:
    """What LLMAgents of one tree learn about their endpoint while the tree runs.

    Attributes:
        plain: The server rejected ``response_format``; ask without it from now on.
    """

    def __init__(self) -> None:
        self.plain = False


class LLMAgent(BaseModel):
    """A node answered by a chat model at any OpenAI-compatible endpoint.

    Attributes:
        model: Model name as the endpoint knows it.
        base_url: Endpoint URL; default ``$OPENAI_BASE_URL`` or OpenAI's.
        api_key: Secret key; default ``$OPENAI_API_KEY``. Never recorded, cached or shown.
        name: Agent name recorded on each node; default ``llm:<model>``.
        temperature: Sampling temperature (None: the server's default).
        max_tokens: Longest reply in tokens.
        seed: Sampling seed sent to servers that honour it.
        sample: Sample index in the cache key: equal requests with different ``sample``
            are different calls (several samples at temperature > 0).
        prompts: The templates of every message sent.
        structured: ``json_schema`` (OpenAI's constrained output), ``json_object_schema``
            (llama.cpp's: ``json_object`` with a ``schema``), ``json_object`` or ``off``;
            a server that rejects ``response_format`` is asked again without it.
        max_rounds: Rounds of subquestions a node may ask before it must answer.
        max_output_retries: Unusable replies tolerated per decision before the node fails.
        timeout: Seconds one request may take.
        concurrency: Model calls in flight at once to this endpoint, over all trees of
            this process (each worker process of a study has its own limit), and the
            connections kept open to it.
        retry: How failed requests are retried.
        cache: A ``Cache`` (or its file) answering repeated requests without a call
            (not part of the agent's description: a replay serves calls from its trace).
        price: USD per million (prompt, completion) tokens; default from a small table.
    """

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    model: str
    base_url: str = Field(default_factory=_env_base_url)
    api_key: SecretStr | None = Field(default_factory=_env_api_key, repr=False, exclude=True)
    name: str = ""
    temperature: float | None = 0.0
    max_tokens: int | None = Field(512, ge=1)
    seed: int | None = None
    sample: int = 0
    prompts: Prompts = Prompts()
    structured: Literal["json_schema", "json_object_schema", "json_object", "off"] = "json_schema"
    max_rounds: int = Field(3, ge=0)
    max_output_retries: int = Field(2, ge=0)
    timeout: float = Field(60.0, gt=0)
    concurrency: int = Field(16, ge=1)
    retry: RetryPolicy = RetryPolicy()
    cache: Cache | None = Field(None, exclude=True)
    price: tuple[float, float] | None = None

    @field_validator("base_url")
    @classmethod
    def _http_url(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("not an http(s) URL such as http://127.0.0.1:8000/v1")
        return value

    @field_validator("cache", mode="before")
    @classmethod
    def _open_cache(cls, value: Any) -> Any:
        return Cache(value) if isinstance(value, str | Path) else value

    def model_post_init(self, context: Any) -> None:
        if not self.name:
            object.__setattr__(self, "name", f"llm:{self.model}")

    def __repr_args__(self) -> Any:
        """Leave out the long prompts and the retry policy while they are the defaults."""
        return [
            (k, v) for k, v in super().__repr_args__() if k not in _DEFAULTS or v != _DEFAULTS[k]
        ]

    def __copy__(self) -> LLMAgent:
        """A copy (``model_copy``) derives its own client: its settings may differ."""
        copied = super().__copy__()
        copied.__dict__.pop("_client", None)
        return copied

    def __deepcopy__(self, memo: dict[int, Any] | None = None) -> LLMAgent:
        copied = super().__deepcopy__(memo)
        copied.__dict__.pop("_client", None)
        return copied

    @cached_property
    def _client(self) -> ChatClient:
        """The client for this configuration (derived from it; holds no run state)."""
        key = self.api_key.get_secret_value() if self.api_key else "no-key"
        return ChatClient(
            model=self.model,
            base_url=self.base_url,
            api_key=key,
            timeout=self.timeout,
            concurrency=self.concurrency,
            retry=self.retry,
            cache=self.cache,
            price=self.price,
        )

    def params(
        self,
        may_ask: bool = True,
        max_questions: int | None = None,
        *,
        plain: bool = False,
        unlock: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Request parameters besides model and messages (what the cache key includes).

        The reply schema is narrowed to the turn: ``may_ask``, how many questions fit and
        which pointers are locked (``unlock``: the reply may unlock them); ``plain``
        leaves out ``response_format`` (for a server known to reject it).
        """
        fmt = None if plain else response_format(self.structured, may_ask, max_questions, unlock)
        params: dict[str, Any] = {
            "temperature": self.temperature,
            "max_tokens": self.max_tokens,
            "seed": self.seed,
            "response_format": fmt,
        }
        return {k: v for k, v in params.items() if v is not None}

    async def answer(self, question: Question, ctx: Context) -> Answer:
        p = self.prompts
        view = PointerTurns(ctx, p)
        shown = view.show(question)
        messages = [
            {"role": "system", "content": view.system(p.system)},
            {
                "role": "user",
                "content": view.user(p.question.format(question=shown, **_state(ctx, 0, self))),
            },
        ]
        rounds = strikes = 0
        while True:
            may_ask = ctx.can_ask and rounds < self.max_rounds
            text = await self._complete(messages, ctx, may_ask, view.locked())
            messages.append({"role": "assistant", "content": text})
            try:
                reply = parse_reply(text, may_unlock=view.active)
                if reply.unlock:
                    unlocked = view.unlock(reply.unlock)
                    followup = p.unlocked.format(contents=unlocked, **_state(ctx, rounds, self))
                elif reply.answer is not None:
                    return view.answer(reply)
                elif rounds >= self.max_rounds or not ctx.can_ask:
                    raise ReplyError("you may not ask now (May ask: no); give your final answer")
                else:
                    results = await self._ask(reply, view, ctx)
                    rounds += 1
                    followup = p.answers.format(answers=results, **_state(ctx, rounds, self))
            except ReplyError as exc:
                strikes += 1
                if strikes > self.max_output_retries:
                    raise ModelOutputError(
                        f"node {format_path(ctx.path)}: {strikes} unusable replies from "
                        f"{self.model}; last problem: {exc}; last reply: {text[:300]!r}",
                        raw=text,
                        problem=str(exc),
                    ) from None
                messages.append({"role": "user", "content": p.retry.format(error=exc)})
                continue
            strikes = 0
            messages.append({"role": "user", "content": view.user(followup)})

    async def _complete(
        self, messages: list[dict[str, str]], ctx: Context, may_ask: bool, unlock: list[str]
    ) -> str:
        session = ctx.session((LLMSession, self.base_url, self.model), LLMSession)
        left = ctx.children_left if may_ask else 0
        params = self.params(may_ask, left, plain=session.plain, unlock=unlock)
        try:
            return await self._client.complete(messages, params, self.sample, ctx)
        except ModelAPIError as exc:
            unsupported = "response_format" in str(exc) or "json_schema" in str(exc)
            refused = exc.status == 400 or ((exc.status or 0) >= 500 and exc.attempts == 1)
            if not refused or "response_format" not in params or not unsupported:
                raise
        ctx.note(structured_output="rejected by the server; asking without response_format")
        session.plain = True
        params = self.params(may_ask, plain=True)
        return await self._client.complete(messages, params, self.sample, ctx)

    async def _ask(self, reply: Reply, view: PointerTurns, ctx: Context) -> str:
        """Ask the subquestions; their answers (or why there is none) as text for the model."""
        questions = reply.questions
        asked = [view.question(q) for q in questions]  # a bad $n asks nothing
        answers: list[Answer | None]
        try:
            answers = list(await ctx.ask_all(asked))
        except LimitExceeded as exc:
            raise ReplyError(f"you may not ask {len(questions)} question(s): {exc}") from exc
        except ChildFailed as exc:
            answers = list(exc.answers or [None] * len(questions))
        line = self.prompts.answer_line
        return "\n".join(
            line.format(n=i + 1, question=q, answer=view.show(a) if a else _NO_ANSWER)
            for i, (q, a) in enumerate(zip(questions, answers, strict=True))
        )


_DEFAULTS: dict[str | None, Any] = {"prompts": Prompts(), "retry": RetryPolicy()}


def _state(ctx: Context, rounds: int, agent: LLMAgent) -> dict[str, Any]:
    may = ctx.can_ask and rounds < agent.max_rounds
    budget = ctx.budget
    return {
        "depth": ctx.depth,
        "may_ask": "yes" if may else "no",
        "budget": "unlimited" if budget is None else budget,
    }
