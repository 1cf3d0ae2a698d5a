"""The retirement planner as an application service (`ctx.simulation`).

Reads plans from files or saved scenarios, resolves a plan that starts from accounts
into the accounts' current net worth, runs the pure engine with progress and cancel,
and remembers the last result's summary (in the saved scenario's row, and as the
`planner.last_result` preference) so that the assistant can quote it.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from dataclasses import replace
from datetime import UTC, datetime
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast

from portfolioos.errors import ValidationError
from portfolioos.progress import NEVER_CANCELLED, CancelToken, Progress, no_progress
from portfolioos.services.changes import Changes
from portfolioos.simulation import engine, scenario, sensitivity
from portfolioos.simulation.results import SimulationResult
from portfolioos.simulation.scenario import AccountsRef, Scenario
from portfolioos.simulation.sensitivity import Grid, SensitivityPoint
from portfolioos.storage.scenario_store import ScenarioStore, StoredScenario

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)

LAST_RESULT_KEY = "planner.last_result"


class _NetWorth(Protocol):
    @property
    def total_value(self) -> Decimal | float: ...


class _NetWorthSource(Protocol):
    """What the planner needs from PortfolioService (net worth of chosen accounts)."""

    def net_worth(self, *, accounts: list[str | int]) -> _NetWorth: ...


class SimulationService:
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx
        self._store = ScenarioStore(ctx.config)
        self._last: dict[str, Any] | None = None

    # -- plans ------------------------------------------------------------------------

    def load_plan(self, path: str | Path) -> Scenario:
        """A plan from a .json or .toml file (by suffix; anything else is tried as JSON)."""
        file = Path(path)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as exc:
            raise ValidationError(
                f"{file}: cannot read the plan: {exc.strerror}.", field="config"
            ) from None
        if file.suffix.lower() == ".toml":
            return _located(lambda: scenario.from_toml(text, str(file)), file)
        return _located(lambda: scenario.from_json(text, str(file)), file)

    def parse_plan(self, data: Mapping[str, Any]) -> Scenario:
        return scenario.from_mapping(data)

    def resolve(self, plan: Scenario) -> Scenario:
        """Replace `{"accounts": [...]}` by those accounts' current net worth."""
        if not isinstance(plan.initial_portfolio, AccountsRef):
            return plan
        source = cast(_NetWorthSource, self._ctx.portfolio)
        total = float(source.net_worth(accounts=list(plan.initial_portfolio.accounts)).total_value)
        if total <= 0:
            names = ", ".join(str(a) for a in plan.initial_portfolio.accounts)
            raise ValidationError(
                f"initial_portfolio: the net worth of {names} is {total:,.2f}; "
                "a plan needs a positive starting value.",
                field="initial_portfolio.accounts",
            )
        return plan.with_initial(total)

    # -- runs -------------------------------------------------------------------------

    def run(
        self,
        plan: Scenario | str,
        *,
        trials: int | None = None,
        seed: int | None = None,
        chunk_size: int = engine.DEFAULT_CHUNK,
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> SimulationResult:
        name, resolved = self._plan(plan, trials, seed)
        result = engine.run(resolved, progress=progress, cancel=cancel.check, chunk_size=chunk_size)
        self._remember(name, resolved, result)
        return result

    def sensitivity(
        self,
        plan: Scenario | str,
        param: str,
        values: Sequence[float],
        *,
        trials: int | None = None,
        seed: int | None = None,
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> list[SensitivityPoint]:
        _, resolved = self._plan(plan, trials, seed)
        return sensitivity.sensitivity(
            resolved, param, values, progress=progress, cancel=cancel.check
        )

    def grid(
        self,
        plan: Scenario | str,
        x_param: str,
        x_values: Sequence[float],
        y_param: str,
        y_values: Sequence[float],
        *,
        trials: int | None = None,
        seed: int | None = None,
        progress: Progress = no_progress,
        cancel: CancelToken = NEVER_CANCELLED,
    ) -> Grid:
        _, resolved = self._plan(plan, trials, seed)
        return sensitivity.grid(
            resolved, x_param, x_values, y_param, y_values, progress=progress, cancel=cancel.check
        )

    def last_result(self) -> dict[str, Any] | None:
        """The summary of the latest run in this data folder (this process's, else stored)."""
        if self._last is not None:
            return self._last
        stored = self._ctx.config.get_preference(LAST_RESULT_KEY)
        return stored if isinstance(stored, dict) else None

    # -- saved scenarios --------------------------------------------------------------

    def save_scenario(self, name: str, plan: Scenario) -> tuple[StoredScenario, Changes]:
        clean = name.strip()
        if not clean:
            raise ValidationError("name: a scenario needs a name.", field="name")
        stored = self._store.save(clean, replace(plan, name=clean).to_dict())
        return stored, Changes(scenarios=True)

    def scenario(self, name: str) -> Scenario:
        stored = self._store.get(name)
        return scenario.from_mapping(stored.config)

    def stored_scenario(self, name: str) -> StoredScenario:
        return self._store.get(name)

    def list_scenarios(self) -> list[StoredScenario]:
        return self._store.list()

    def delete_scenario(self, name: str) -> Changes:
        self._store.delete(name)
        return Changes(scenarios=True)

    # -- internals --------------------------------------------------------------------

    def _plan(
        self, plan: Scenario | str, trials: int | None, seed: int | None
    ) -> tuple[str | None, Scenario]:
        name = plan if isinstance(plan, str) else None
        chosen = self.scenario(plan) if isinstance(plan, str) else plan
        if trials is not None or seed is not None:
            data = chosen.to_dict()
            if trials is not None:
                data["trials"] = trials
            if seed is not None:
                data["seed"] = seed
            chosen = scenario.from_mapping(data)
        return name, self.resolve(chosen)

    def _remember(self, name: str | None, plan: Scenario, result: SimulationResult) -> None:
        summary = {
            "scenario": name or plan.name or None,
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "strategy": plan.withdrawal.strategy.value,
            "returns_model": plan.returns.model.value,
            **result.summary(),
        }
        self._last = summary
        if self._ctx.lock is None:  # a read-only context does not write
            return
        self._ctx.config.set_preference(LAST_RESULT_KEY, summary)
        if name is not None:
            self._store.set_last_result(name, summary)


def _located(parse: Any, file: Path) -> Scenario:
    try:
        result: Scenario = parse()
    except ValidationError as exc:
        if exc.message.startswith(str(file)):
            raise
        raise ValidationError(f"{file}: {exc.message}", field=exc.field) from None
    return result
