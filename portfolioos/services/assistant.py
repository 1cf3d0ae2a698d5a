"""The portfolio assistant (the plan's llm:* channels): providers, consent, questions.

`ask()` gathers what the portfolio services can tell (defensively: a part that is not
available, or fails, is left out and logged), renders it at the provider's privacy
level with the pure `domain.assistant_context.build_context`, and streams the answer.
Every request goes through the providers' consent gate; a cloud provider without
consent raises `ConsentNeeded` whose `.consent` is the exact request for the dialog.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal
from functools import cached_property
from typing import TYPE_CHECKING, Any

from portfolioos.domain.assistant_context import (
    HoldingFact,
    PlanFact,
    PortfolioFacts,
    build_context,
)
from portfolioos.errors import ValidationError
from portfolioos.llm.consent import OutgoingRequest
from portfolioos.llm.manager import ProviderManager
from portfolioos.llm.types import ChatMessage, ProviderConfig, Usage
from portfolioos.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from portfolioos.services.changes import Changes
from portfolioos.storage.conversation_store import ConversationStore
from portfolioos.storage.provider_store import ProviderStore

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)

SYSTEM_PROMPT = (
    "You are the assistant inside PortfolioOS, a personal finance app. Answer questions "
    "about the user's portfolio using the snapshot below; say so when the snapshot lacks "
    "what a question needs, and never invent holdings or figures. Be concise, show the "
    "arithmetic you rely on, and remember this is information, not personalised financial "
    "advice."
)
MAX_QUESTION_CHARS = 8000


@dataclass(frozen=True, slots=True)
class Answer:
    conversation_id: int
    provider: str
    model: str
    text: str
    usage: Usage | None
    finish_reason: str | None

    def as_dict(self) -> dict[str, Any]:
        return {
            "conversation_id": self.conversation_id,
            "provider": self.provider,
            "model": self.model,
            "answer": self.text,
            "finish_reason": self.finish_reason,
            "usage": None
            if self.usage is None
            else {
                "input_tokens": self.usage.input_tokens,
                "output_tokens": self.usage.output_tokens,
                "total_tokens": self.usage.total_tokens,
            },
        }


class AssistantService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    @cached_property
    def providers(self) -> ProviderManager:
        return ProviderManager(ProviderStore(self._ctx.config), self._ctx.keychain)

    @cached_property
    def conversations(self) -> ConversationStore:
        return ConversationStore(self._ctx.config)

    # -- provider writes (what the GUI calls: each returns what changed) ----------

    def add_provider(
        self, name: str, provider_type: str, **options: Any
    ) -> tuple[ProviderConfig, Changes]:
        return self.providers.add(name, provider_type, **options), Changes(providers=True)

    def update_provider(self, ref: int | str, **options: Any) -> tuple[ProviderConfig, Changes]:
        return self.providers.update(ref, **options), Changes(providers=True)

    def remove_provider(self, ref: int | str) -> tuple[ProviderConfig, Changes]:
        return self.providers.remove(ref), Changes(providers=True)

    def set_default_provider(self, ref: int | str) -> tuple[ProviderConfig, Changes]:
        return self.providers.set_default(ref), Changes(providers=True)

    def set_privacy_level(self, ref: int | str, level: str) -> tuple[ProviderConfig, Changes]:
        return self.providers.set_privacy_level(ref, level), Changes(providers=True)

    def grant_consent(self, ref: int | str) -> tuple[ProviderConfig, Changes]:
        return self.providers.grant_consent(ref), Changes(providers=True)

    def revoke_consent(self, ref: int | str) -> tuple[ProviderConfig, Changes]:
        return self.providers.revoke_consent(ref), Changes(providers=True)

    def delete_conversation(self, conversation_id: int) -> None:
        self.conversations.delete(conversation_id)

    # -- context ----------------------------------------------------------------

    def facts(self) -> PortfolioFacts:
        return gather_facts(self._ctx)

    def context_text(self, level: str) -> str:
        return build_context(self.facts(), "full" if level == "full" else "totals")

    def messages(
        self, question: str, config: ProviderConfig, conversation_id: int | None = None
    ) -> list[ChatMessage]:
        text = question.strip()
        if not text:
            raise ValidationError("The question is empty.", field="question")
        if len(text) > MAX_QUESTION_CHARS:
            raise ValidationError(
                f"The question is longer than {MAX_QUESTION_CHARS} characters.", field="question"
            )
        system = SYSTEM_PROMPT + "\n\n" + self.context_text(config.privacy_level.value)
        history = self.conversations.history(conversation_id) if conversation_id else []
        return [ChatMessage("system", system), *history, ChatMessage("user", text)]

    def preview(
        self, question: str, provider: int | str | None = None, conversation_id: int | None = None
    ) -> OutgoingRequest:
        """Exactly what `ask` would send, without sending it (for the consent dialog)."""
        config = self.providers.get(provider)
        live = self.providers.provider(config)
        return live.chat_request(self.messages(question, config, conversation_id))

    # -- asking -----------------------------------------------------------------

    def ask(
        self,
        question: str,
        provider: int | str | None = None,
        conversation_id: int | None = None,
        *,
        on_delta: Callable[[str], None] | None = None,
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> Answer:
        """Stream an answer; the exchange is stored only once it completed."""
        config = self.providers.get(provider)
        messages = self.messages(question, config, conversation_id)
        live = self.providers.provider(config)
        progress(0.0, f"Asking {config.name}")
        stream = live.stream(messages, cancel=cancel)
        for received, delta in enumerate(stream, start=1):
            if on_delta is not None:
                on_delta(delta)
            if received == 1:
                progress(0.1, f"{config.name} is answering")
            cancel.check()
        conversation = self.conversations.record_exchange(
            conversation_id,
            title=_title(question),
            provider_id=config.id,
            question=question.strip(),
            answer=stream.text,
        )
        progress(1.0, "Done")
        return Answer(
            conversation, config.name, stream.model, stream.text, stream.usage, stream.finish_reason
        )


def _title(question: str) -> str:
    text = " ".join(question.split())
    return text if len(text) <= 60 else text[:57] + "..."


# -- gathering, defensively ---------------------------------------------------------
# The portfolio engine and the planner grow their APIs on other branches; the assistant
# reads whatever is there by common names and leaves out what is not.


def _get(obj: Any, *names: str) -> Any:
    for name in names:
        if isinstance(obj, dict):
            if name in obj:
                return obj[name]
        elif hasattr(obj, name):
            value = getattr(obj, name)
            return value() if callable(value) and not isinstance(value, type) else value
    return None


def _num(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, Decimal | int | float):
        number = float(value)
        return number if number == number else None
    try:
        return float(value)
    except (TypeError, ValueError):
        return None


def _day(value: Any) -> date | None:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value[:10])
        except ValueError:
            return None
    to_pydatetime = getattr(value, "to_pydatetime", None)  # a pandas Timestamp
    if callable(to_pydatetime):
        return _day(to_pydatetime())
    return None


def _call(owner: Any, name: str) -> Any:
    """owner.name() if it exists; None (logged) when missing or failing."""
    method = getattr(owner, name, None)
    if not callable(method):
        return None
    try:
        return method()
    except Exception as exc:
        logger.info("assistant context: %s() unavailable: %s", name, exc)
        return None


def _rows(value: Any) -> list[Any]:
    if value is None:
        return []
    if hasattr(value, "to_dict") and hasattr(value, "columns"):  # a DataFrame
        return list(value.to_dict("records"))
    if isinstance(value, dict):
        return [value]
    if isinstance(value, Iterable) and not isinstance(value, str | bytes):
        return list(value)
    return []


def gather_facts(ctx: AppContext) -> PortfolioFacts:
    portfolio = ctx.portfolio
    try:
        accounts = len(portfolio.list_accounts())
    except Exception as exc:
        logger.info("assistant context: accounts unavailable: %s", exc)
        accounts = 0
    try:
        currency = str(ctx.settings.get("base_currency"))
    except Exception:
        currency = "USD"

    worth = _call(portfolio, "net_worth")
    total = _num(_get(worth, "total", "total_value", "market_value", "net_worth"))
    holdings = _holdings(_rows(_call(portfolio, "holdings")), total)
    if total is None and holdings:
        values = [h.market_value for h in holdings if h.market_value is not None]
        total = sum(values) if values else None
        if total:
            holdings = tuple(
                HoldingFact(**{**_asdict(h), "weight": (h.market_value or 0) / total})
                if h.market_value is not None
                else h
                for h in holdings
            )
    return PortfolioFacts(
        as_of=_day(_get(worth, "as_of", "date")) or date.today(),
        currency=str(_get(worth, "currency") or currency),
        accounts=accounts,
        total_value=total,
        total_cost=_num(_get(worth, "total_cost", "cost_basis")),
        unpriced=tuple(str(_get(u, "symbol") or u) for u in _rows(_get(worth, "unpriced"))),
        holdings=holdings,
        allocation=_allocation(_get(worth, "by_asset_type", "allocation", "by_type")),
        net_worth=_history(_rows(_call(portfolio, "net_worth_history"))),
        performance=_performance(_call(portfolio, "performance")),
        plan=_plan(ctx),
    )


def _asdict(h: HoldingFact) -> dict[str, Any]:
    return {name: getattr(h, name) for name in HoldingFact.__slots__}


def _holdings(rows: list[Any], total: float | None) -> tuple[HoldingFact, ...]:
    facts = []
    for row in rows:
        symbol = _get(row, "symbol")
        if not symbol:
            continue
        value = _num(_get(row, "market_value", "value"))
        weight = _num(_get(row, "weight"))
        if weight is None and value is not None and total:
            weight = value / total
        account = _get(row, "account_name", "account")
        facts.append(
            HoldingFact(
                symbol=str(symbol),
                weight=weight,
                account=str(_get(account, "name") or account) if account is not None else None,
                shares=_num(_get(row, "shares", "quantity")),
                market_value=value,
                cost_basis=_num(_get(row, "cost_basis")),
                unrealized_gain=_num(_get(row, "unrealized_gain")),
                asset_type=(str(_get(row, "asset_type")) if _get(row, "asset_type") else None),
            )
        )
    return tuple(facts)


def _allocation(value: Any) -> tuple[tuple[str, float], ...]:
    if isinstance(value, dict):
        pairs = [
            (str(k), _num(_get(v, "weight") if not isinstance(v, int | float | Decimal) else v))
            for k, v in value.items()
        ]
    else:
        pairs = [
            (str(_get(r, "name", "label", "asset_type", "key")), _num(_get(r, "weight")))
            for r in _rows(value)
        ]
    return tuple((k, w) for k, w in pairs if w is not None)


def _history(rows: list[Any]) -> tuple[tuple[date, float], ...]:
    points = []
    for row in rows:
        if isinstance(row, tuple | list) and len(row) >= 2:
            day, value = _day(row[0]), _num(row[1])
        else:
            day = _day(_get(row, "date", "day", "as_of"))
            value = _num(_get(row, "total", "value", "net_worth", "market_value"))
        if day is not None and value is not None:
            points.append((day, value))
    return tuple(sorted(points))


def _performance(value: Any) -> dict[str, float]:
    if value is None:
        return {}
    result = {}
    for name in ("twr", "xirr", "cagr", "max_drawdown", "volatility", "benchmark_twr"):
        number = _num(_get(value, name))
        if number is not None:
            result[name] = number
    return result


def _plan(ctx: AppContext) -> PlanFact | None:
    try:
        latest = ConversationStore(ctx.config).latest_plan_result()
    except Exception as exc:
        logger.info("assistant context: last plan unavailable: %s", exc)
        return None
    if latest is None:
        return None
    name, config, result = latest
    terminal = _get(result, "terminal") or {}
    withdrawal = _get(config, "withdrawal") or {}
    years = _num(_get(config, "years"))
    return PlanFact(
        name=str(name),
        success_rate=_num(_get(result, "success_rate")),
        years=int(years) if years is not None else None,
        terminal_median=_num(_get(terminal, "median", "p50")),
        terminal_p10=_num(_get(terminal, "p10")),
        strategy=str(_get(withdrawal, "strategy") or "") or None,
    )
