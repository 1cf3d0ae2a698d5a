"""A retirement plan as a validated, immutable value, read from JSON or TOML text.

The plan schema is a contract shared with the CLI, the GUI and saved scenarios
(docs/plan-schema.md documents it). Parsing is strict: an unknown key, a value out of
its range or an allocation that does not sum to 1 is refused with a `ValidationError`
whose `field` is the dotted path of the culprit (`withdrawal.initial_rate`,
`life_events[2].year`), because a silently ignored typo in a retirement plan is a
wrong answer the user cannot see.
"""

from __future__ import annotations

import json
import math
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, TypeVar

from portfolioos.errors import ValidationError

E = TypeVar("E", bound=StrEnum)

MAX_YEARS = 100
MAX_TRIALS = 10_000_000
ALLOCATION_TOLERANCE = 1e-6


class ReturnModel(StrEnum):
    NORMAL = "normal"
    LOGNORMAL = "lognormal"
    STUDENT_T = "student_t"
    BOOTSTRAP = "bootstrap"
    HISTORICAL = "historical"


class InflationModel(StrEnum):
    FIXED = "fixed"
    STOCHASTIC = "stochastic"
    HISTORICAL = "historical"


class Strategy(StrEnum):
    CONSTANT_DOLLAR = "constant_dollar"
    CONSTANT_PERCENTAGE = "constant_percentage"
    GUYTON_KLINGER = "guyton_klinger"
    VPW = "vpw"
    FLOOR_CEILING = "floor_ceiling"


class EventType(StrEnum):
    EXPENSE = "expense"
    INCOME_CHANGE = "income_change"
    WINDFALL = "windfall"
    SAVINGS_RATE_CHANGE = "savings_rate_change"
    PENSION = "pension"
    SOCIAL_SECURITY = "social_security"


# Moments of the shipped 1871-2013 history (nominal, rounded): the defaults when a
# random model is chosen without saying what to expect.
DEFAULT_STOCKS = (0.103, 0.177)
DEFAULT_BONDS = (0.046, 0.022)
DEFAULT_CASH = (0.0, 0.0)
DEFAULT_INFLATION = (0.025, 0.01)


@dataclass(frozen=True, slots=True)
class AssetParams:
    """Arithmetic mean and standard deviation of one asset's annual nominal return."""

    mean: float
    stdev: float


@dataclass(frozen=True, slots=True)
class Allocation:
    stocks: float
    bonds: float
    cash: float = 0.0


@dataclass(frozen=True, slots=True)
class Returns:
    model: ReturnModel = ReturnModel.LOGNORMAL
    stocks: AssetParams = AssetParams(*DEFAULT_STOCKS)
    bonds: AssetParams = AssetParams(*DEFAULT_BONDS)
    cash: AssetParams = AssetParams(*DEFAULT_CASH)
    correlation: float = 0.0  # stocks-bonds, random models only
    df: float = 5.0  # student_t degrees of freedom
    block_length: int = 5  # bootstrap block length in years


@dataclass(frozen=True, slots=True)
class Inflation:
    model: InflationModel = InflationModel.FIXED
    rate: float = DEFAULT_INFLATION[0]  # fixed rate, or the mean of the stochastic model
    stdev: float = DEFAULT_INFLATION[1]  # stochastic model only


@dataclass(frozen=True, slots=True)
class Withdrawal:
    """How much is taken each year. Rates are fractions; amounts are today's dollars.

    Guyton-Klinger defaults are the published ones (Guyton & Klinger 2006, "Decision
    Rules and Maximum Initial Withdrawal Rates", Journal of Financial Planning):
    20% guardrails, 10% cuts and raises, no capital-preservation cut in the last
    15 years, no inflation raise after a losing year when the rate is above the
    initial one. VPW's expected real returns are the Bogleheads VPW worksheet's
    (5.0% stocks, 1.9% bonds). Floor-and-ceiling defaults follow Bengen (2001):
    spend the percentage but never below 90% or above 125% of the initial real
    withdrawal.
    """

    strategy: Strategy = Strategy.CONSTANT_DOLLAR
    initial_rate: float = 0.04
    amount: float | None = None  # first-year withdrawal in today's dollars, overrides the rate
    spending_floor: float | None = None  # real (today's dollars), any strategy
    spending_ceiling: float | None = None
    # guyton_klinger
    capital_preservation_threshold: float = 0.20
    prosperity_threshold: float = 0.20
    cut: float = 0.10
    raise_rate: float = 0.10
    preservation_exception_years: int = 15
    inflation_rule: bool = True
    max_inflation_raise: float | None = None
    # vpw
    stocks_real_return: float = 0.05
    bonds_real_return: float = 0.019
    cash_real_return: float = 0.0
    # floor_ceiling
    floor: float = 0.90
    ceiling: float = 1.25


@dataclass(frozen=True, slots=True)
class LifeEvent:
    """A cash flow into (+) or out of (-) the portfolio at the start of plan year `year`.

    `year` counts from the start of the plan (0 = now). Recurring events repeat every
    year through `end_year` (inclusive, default the last year). Inflation-adjusted
    amounts are in today's dollars and grow with the simulated price level.
    """

    type: EventType
    year: int
    amount: float
    recurring: bool
    end_year: int | None
    inflation_adjusted: bool
    name: str = ""

    @property
    def sign(self) -> float:
        return -1.0 if self.type is EventType.EXPENSE else 1.0


@dataclass(frozen=True, slots=True)
class AccountsRef:
    """Start from the current net worth of these accounts (names or ids)."""

    accounts: tuple[str | int, ...]


@dataclass(frozen=True, slots=True)
class Scenario:
    initial_portfolio: float | AccountsRef
    years: int = 30
    trials: int = 10_000
    seed: int | None = None
    allocation: Allocation = Allocation(0.6, 0.4, 0.0)
    fees: float = 0.0
    returns: Returns = Returns()
    inflation: Inflation = Inflation()
    withdrawal: Withdrawal = Withdrawal()
    life_events: tuple[LifeEvent, ...] = field(default_factory=tuple)
    name: str = ""

    @property
    def initial_amount(self) -> float:
        """The starting value; a plan on accounts must be resolved by the service first."""
        if isinstance(self.initial_portfolio, AccountsRef):
            raise ValidationError(
                "initial_portfolio: the accounts' net worth has not been resolved; "
                "run the plan through SimulationService.",
                field="initial_portfolio",
            )
        return self.initial_portfolio

    def with_initial(self, amount: float) -> Scenario:
        return replace(self, initial_portfolio=float(amount))

    def to_dict(self) -> dict[str, Any]:
        """The canonical plan: every key, defaults filled in; `from_mapping` reads it back."""
        return scenario_to_dict(self)

    def validated(self) -> Scenario:
        """The same plan checked like a parsed one: code that builds a Scenario by hand
        (the GUI's form) gets the same field-named refusals as a plan file."""
        return from_mapping(self.to_dict())


# -- parsing -------------------------------------------------------------------------

_STRATEGY_KEYS: dict[Strategy, frozenset[str]] = {
    Strategy.GUYTON_KLINGER: frozenset(
        {
            "capital_preservation_threshold",
            "prosperity_threshold",
            "cut",
            "raise",
            "preservation_exception_years",
            "inflation_rule",
            "max_inflation_raise",
        }
    ),
    Strategy.VPW: frozenset({"expected_real_returns"}),
    Strategy.FLOOR_CEILING: frozenset({"floor", "ceiling"}),
}
_EVENT_DEFAULTS: dict[EventType, tuple[bool, bool]] = {  # (recurring, inflation_adjusted)
    EventType.EXPENSE: (False, True),
    EventType.WINDFALL: (False, True),
    EventType.INCOME_CHANGE: (True, True),
    EventType.SAVINGS_RATE_CHANGE: (True, True),
    EventType.PENSION: (True, False),
    EventType.SOCIAL_SECURITY: (True, True),
}


class _Section:
    """Reads one JSON object, remembering which keys were used so leftovers are refused."""

    def __init__(self, data: Any, path: str) -> None:
        if not isinstance(data, Mapping):
            raise ValidationError(
                f"{path or 'plan'}: expected an object, got {_kind(data)}.", field=path or None
            )
        self.data = data
        self.path = path
        self.used: set[str] = set()

    def where(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def has(self, key: str) -> bool:
        return key in self.data and self.data[key] is not None

    def raw(self, key: str) -> Any:
        self.used.add(key)
        return self.data.get(key)

    def number(
        self,
        key: str,
        default: float | None,
        *,
        low: float | None = None,
        high: float | None = None,
        low_open: bool = False,
        high_open: bool = False,
    ) -> float | None:
        value = self.raw(key)
        if value is None:
            return default
        where = self.where(key)
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise ValidationError(f"{where}: expected a number, got {_kind(value)}.", field=where)
        number = float(value)
        if low is not None and (number < low or (low_open and number == low)):
            bound = f"greater than {low:g}" if low_open else f"at least {low:g}"
            raise ValidationError(
                f"{where}: {number:g} is out of range; must be {bound}.", field=where
            )
        if high is not None and (number > high or (high_open and number == high)):
            bound = f"less than {high:g}" if high_open else f"at most {high:g}"
            raise ValidationError(
                f"{where}: {number:g} is out of range; must be {bound}.", field=where
            )
        return number

    def req_number(self, key: str, default: float, **bounds: Any) -> float:
        value = self.number(key, default, **bounds)
        assert value is not None
        return value

    def integer(self, key: str, default: int | None, *, low: int, high: int) -> int | None:
        value = self.raw(key)
        if value is None:
            return default
        where = self.where(key)
        if isinstance(value, float) and value.is_integer():
            value = int(value)
        if isinstance(value, bool) or not isinstance(value, int):
            raise ValidationError(
                f"{where}: expected a whole number, got {_kind(value)}.", field=where
            )
        if not low <= value <= high:
            raise ValidationError(
                f"{where}: {value} is out of range; must be {low}..{high}.", field=where
            )
        return value

    def boolean(self, key: str, default: bool) -> bool:
        value = self.raw(key)
        if value is None:
            return default
        if not isinstance(value, bool):
            where = self.where(key)
            raise ValidationError(
                f"{where}: expected true or false, got {_kind(value)}.", field=where
            )
        return value

    def choice(self, key: str, enum: type[E], default: E) -> E:
        value = self.raw(key)
        if value is None:
            return default
        try:
            return enum(value)
        except ValueError:
            where = self.where(key)
            known = ", ".join(e.value for e in enum)
            raise ValidationError(
                f"{where}: unknown value {value!r}; expected one of {known}.", field=where
            ) from None

    def section(self, key: str) -> _Section:
        return _Section(self.raw(key) or {}, self.where(key))

    def done(self) -> None:
        extra = sorted(str(k) for k in self.data if k not in self.used)
        if extra:
            where = self.where(extra[0])
            raise ValidationError(f"{where}: unknown key.", field=where)


def from_json(text: str, source: str = "plan") -> Scenario:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationError(
            f"{source}: not valid JSON (line {exc.lineno}, column {exc.colno}): {exc.msg}."
        ) from None
    return from_mapping(data)


def from_toml(text: str, source: str = "plan") -> Scenario:
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ValidationError(f"{source}: not valid TOML: {exc}.") from None
    return from_mapping(data)


def from_mapping(data: Any) -> Scenario:
    top = _Section(data, "")
    initial = _initial(top)
    years = top.integer("years", 30, low=1, high=MAX_YEARS)
    assert years is not None
    trials = top.integer("trials", 10_000, low=1, high=MAX_TRIALS)
    assert trials is not None
    seed = top.integer("seed", None, low=0, high=2**63 - 1)
    allocation = _allocation(top.section("allocation"))
    fees = top.req_number("fees", 0.0, low=0.0, high=0.1)
    returns = _returns(top.section("returns"))
    inflation = _inflation(top.section("inflation"))
    withdrawal = _withdrawal(top.section("withdrawal"))
    events = _events(top, years)
    name = top.raw("name") or ""
    if not isinstance(name, str):
        raise ValidationError("name: expected text.", field="name")
    top.done()
    return Scenario(
        initial_portfolio=initial,
        years=years,
        trials=trials,
        seed=seed,
        allocation=allocation,
        fees=fees,
        returns=returns,
        inflation=inflation,
        withdrawal=withdrawal,
        life_events=events,
        name=name,
    )


def _initial(top: _Section) -> float | AccountsRef:
    value = top.raw("initial_portfolio")
    if value is None:
        raise ValidationError(
            'initial_portfolio: required (an amount, or {"accounts": [names or ids]}).',
            field="initial_portfolio",
        )
    if isinstance(value, Mapping):
        sec = _Section(value, "initial_portfolio")
        accounts = sec.raw("accounts")
        sec.done()
        if (
            not isinstance(accounts, list)
            or not accounts
            or not all(isinstance(a, str | int) and not isinstance(a, bool) for a in accounts)
        ):
            raise ValidationError(
                "initial_portfolio.accounts: expected a non-empty list of account names or ids.",
                field="initial_portfolio.accounts",
            )
        return AccountsRef(tuple(accounts))
    amount = top.number("initial_portfolio", None, low=0.0, low_open=True)
    assert amount is not None
    return amount


def _allocation(sec: _Section) -> Allocation:
    if not sec.data:
        sec.done()
        return Allocation(0.6, 0.4, 0.0)
    stocks = sec.req_number("stocks", 0.0, low=0.0, high=1.0)
    bonds = sec.req_number("bonds", 0.0, low=0.0, high=1.0)
    cash = sec.req_number("cash", 0.0, low=0.0, high=1.0)
    sec.done()
    total = stocks + bonds + cash
    if abs(total - 1.0) > ALLOCATION_TOLERANCE:
        raise ValidationError(
            f"allocation: stocks + bonds + cash = {total:g}; must sum to 1.", field="allocation"
        )
    return Allocation(stocks, bonds, cash)


def _asset(sec: _Section, default: tuple[float, float]) -> AssetParams:
    mean = sec.req_number("mean", default[0], low=-0.5, high=1.0)
    stdev = sec.req_number("stdev", default[1], low=0.0, high=1.0)
    sec.done()
    return AssetParams(mean, stdev)


def _returns(sec: _Section) -> Returns:
    model = sec.choice("model", ReturnModel, ReturnModel.LOGNORMAL)
    stocks = _asset(sec.section("stocks"), DEFAULT_STOCKS)
    bonds = _asset(sec.section("bonds"), DEFAULT_BONDS)
    cash = _asset(sec.section("cash"), DEFAULT_CASH)
    correlation = sec.req_number("correlation", 0.0, low=-1.0, high=1.0)
    df = sec.req_number("df", 5.0, low=2.0, low_open=True, high=1000.0)
    block = sec.integer("block_length", 5, low=1, high=50)
    assert block is not None
    sec.done()
    if model in (ReturnModel.HISTORICAL, ReturnModel.BOOTSTRAP):
        for key in ("stocks", "bonds"):
            if sec.data.get(key):
                where = sec.where(key)
                raise ValidationError(
                    f"{where}: the {model.value} model uses the shipped "
                    "history; parameters are for random models.",
                    field=where,
                )
    return Returns(model, stocks, bonds, cash, correlation, df, block)


def _inflation(sec: _Section) -> Inflation:
    model = sec.choice("model", InflationModel, InflationModel.FIXED)
    rate = sec.req_number("rate", DEFAULT_INFLATION[0], low=-0.1, high=0.5)
    if sec.has("mean"):  # the stochastic model's mean may be spelt either way
        if sec.has("rate"):
            raise ValidationError(
                "inflation.mean: give rate or mean, not both.", field="inflation.mean"
            )
        rate = sec.req_number("mean", rate, low=-0.1, high=0.5)
    sec.used.add("mean")
    stdev = sec.req_number("stdev", DEFAULT_INFLATION[1], low=0.0, high=0.5)
    sec.done()
    return Inflation(model, rate, stdev)


def _withdrawal(sec: _Section) -> Withdrawal:
    strategy = sec.choice("strategy", Strategy, Strategy.CONSTANT_DOLLAR)
    for other, keys in _STRATEGY_KEYS.items():
        if other is strategy:
            continue
        for key in sorted(keys & set(sec.data)):
            if key in _STRATEGY_KEYS.get(strategy, frozenset()):
                continue
            where = sec.where(key)
            raise ValidationError(
                f"{where}: applies to the {other.value} strategy, not {strategy.value}.",
                field=where,
            )
    d = Withdrawal()
    initial_rate = sec.req_number("initial_rate", d.initial_rate, low=0.0, high=1.0)
    amount = sec.number("amount", None, low=0.0, low_open=True)
    floor_amount = sec.number("spending_floor", None, low=0.0)
    ceiling_amount = sec.number("spending_ceiling", None, low=0.0)
    if floor_amount is not None and ceiling_amount is not None and floor_amount > ceiling_amount:
        raise ValidationError(
            "withdrawal.spending_floor: above the spending ceiling.",
            field="withdrawal.spending_floor",
        )
    cp = sec.req_number(
        "capital_preservation_threshold",
        d.capital_preservation_threshold,
        low=0.0,
        low_open=True,
        high=5.0,
    )
    pr = sec.req_number(
        "prosperity_threshold",
        d.prosperity_threshold,
        low=0.0,
        low_open=True,
        high=1.0,
        high_open=True,
    )
    cut = sec.req_number("cut", d.cut, low=0.0, high=1.0, high_open=True)
    raise_rate = sec.req_number("raise", d.raise_rate, low=0.0, high=1.0)
    exception = sec.integer(
        "preservation_exception_years", d.preservation_exception_years, low=0, high=MAX_YEARS
    )
    assert exception is not None
    inflation_rule = sec.boolean("inflation_rule", d.inflation_rule)
    max_raise = sec.number("max_inflation_raise", None, low=0.0, high=1.0)
    vpw = sec.section("expected_real_returns")
    stocks_rr = vpw.req_number("stocks", d.stocks_real_return, low=-0.1, high=0.2)
    bonds_rr = vpw.req_number("bonds", d.bonds_real_return, low=-0.1, high=0.2)
    cash_rr = vpw.req_number("cash", d.cash_real_return, low=-0.1, high=0.2)
    vpw.done()
    floor = sec.req_number("floor", d.floor, low=0.0, high=1.0)
    ceiling = sec.req_number("ceiling", d.ceiling, low=1.0)
    sec.done()
    return Withdrawal(
        strategy,
        initial_rate,
        amount,
        floor_amount,
        ceiling_amount,
        cp,
        pr,
        cut,
        raise_rate,
        exception,
        inflation_rule,
        max_raise,
        stocks_rr,
        bonds_rr,
        cash_rr,
        floor,
        ceiling,
    )


def _events(top: _Section, years: int) -> tuple[LifeEvent, ...]:
    raw = top.raw("life_events")
    if raw is None:
        return ()
    if not isinstance(raw, list):
        raise ValidationError("life_events: expected a list.", field="life_events")
    events: list[LifeEvent] = []
    for index, item in enumerate(raw):
        sec = _Section(item, f"life_events[{index}]")
        kind = sec.raw("type")
        if kind is None:
            raise ValidationError(f"{sec.where('type')}: required.", field=sec.where("type"))
        etype = sec.choice("type", EventType, EventType.EXPENSE)
        recurring_default, adjusted_default = _EVENT_DEFAULTS[etype]
        year = sec.integer("year", None, low=0, high=years - 1)
        if year is None:
            raise ValidationError(f"{sec.where('year')}: required.", field=sec.where("year"))
        signed = etype in (EventType.INCOME_CHANGE, EventType.SAVINGS_RATE_CHANGE)
        amount = sec.number("amount", None, low=None if signed else 0.0)
        if amount is None:
            raise ValidationError(f"{sec.where('amount')}: required.", field=sec.where("amount"))
        recurring = sec.boolean("recurring", recurring_default)
        end_year = sec.integer("end_year", None, low=year, high=years - 1)
        if end_year is not None and not recurring:
            raise ValidationError(
                f"{sec.where('end_year')}: only a recurring event has an end year.",
                field=sec.where("end_year"),
            )
        adjusted = sec.boolean("inflation_adjusted", adjusted_default)
        name = sec.raw("name") or ""
        if not isinstance(name, str):
            raise ValidationError(f"{sec.where('name')}: expected text.", field=sec.where("name"))
        sec.done()
        events.append(LifeEvent(etype, year, amount, recurring, end_year, adjusted, name))
    return tuple(events)


def _kind(value: Any) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return "true/false"
    if isinstance(value, str):
        return f"text {value!r}"
    if isinstance(value, Mapping):
        return "an object"
    if isinstance(value, list):
        return "a list"
    return repr(value)


# -- back to a mapping ------------------------------------------------------------------


def scenario_to_dict(s: Scenario) -> dict[str, Any]:
    w = s.withdrawal
    withdrawal: dict[str, Any] = {
        "strategy": w.strategy.value,
        "initial_rate": w.initial_rate,
        "amount": w.amount,
        "spending_floor": w.spending_floor,
        "spending_ceiling": w.spending_ceiling,
    }
    if w.strategy is Strategy.GUYTON_KLINGER:
        withdrawal.update(
            {
                "capital_preservation_threshold": w.capital_preservation_threshold,
                "prosperity_threshold": w.prosperity_threshold,
                "cut": w.cut,
                "raise": w.raise_rate,
                "preservation_exception_years": w.preservation_exception_years,
                "inflation_rule": w.inflation_rule,
                "max_inflation_raise": w.max_inflation_raise,
            }
        )
    elif w.strategy is Strategy.VPW:
        withdrawal["expected_real_returns"] = {
            "stocks": w.stocks_real_return,
            "bonds": w.bonds_real_return,
            "cash": w.cash_real_return,
        }
    elif w.strategy is Strategy.FLOOR_CEILING:
        withdrawal.update({"floor": w.floor, "ceiling": w.ceiling})
    r = s.returns
    returns: dict[str, Any] = {"model": r.model.value, "cash": _asset_dict(r.cash)}
    if r.model not in (ReturnModel.HISTORICAL, ReturnModel.BOOTSTRAP):
        returns.update(
            {
                "stocks": _asset_dict(r.stocks),
                "bonds": _asset_dict(r.bonds),
                "correlation": r.correlation,
            }
        )
    if r.model is ReturnModel.STUDENT_T:
        returns["df"] = r.df
    if r.model is ReturnModel.BOOTSTRAP:
        returns["block_length"] = r.block_length
    initial: Any = (
        s.initial_portfolio
        if not isinstance(s.initial_portfolio, AccountsRef)
        else {"accounts": list(s.initial_portfolio.accounts)}
    )
    return {
        "name": s.name,
        "initial_portfolio": initial,
        "years": s.years,
        "trials": s.trials,
        "seed": s.seed,
        "allocation": {
            "stocks": s.allocation.stocks,
            "bonds": s.allocation.bonds,
            "cash": s.allocation.cash,
        },
        "fees": s.fees,
        "returns": returns,
        "inflation": {
            "model": s.inflation.model.value,
            "rate": s.inflation.rate,
            "stdev": s.inflation.stdev,
        },
        "withdrawal": withdrawal,
        "life_events": [
            {
                "type": e.type.value,
                "year": e.year,
                "amount": e.amount,
                "recurring": e.recurring,
                "end_year": e.end_year,
                "inflation_adjusted": e.inflation_adjusted,
                "name": e.name,
            }
            for e in s.life_events
        ],
    }


def _asset_dict(a: AssetParams) -> dict[str, float]:
    return {"mean": a.mean, "stdev": a.stdev}


def set_path(data: dict[str, Any], path: str, value: Any) -> None:
    """Set `a.b[2].c` (or `a.b.2.c`) inside nested dicts and lists, creating dicts."""
    parts = [p for p in path.replace("[", ".").replace("]", "").split(".") if p]
    if not parts:
        raise ValidationError("parameter: empty name.", field="parameter")
    node: Any = data
    for depth, part in enumerate(parts):
        last = depth == len(parts) - 1
        if isinstance(node, list):
            if not part.isdigit() or int(part) >= len(node):
                raise ValidationError(f"{path}: no item {part}.", field=path)
            if last:
                node[int(part)] = value
                return
            node = node[int(part)]
        elif isinstance(node, dict):
            if last:
                node[part] = value
                return
            if not isinstance(node.get(part), dict | list):
                node[part] = {}
            node = node[part]
        else:
            raise ValidationError(f"{path}: not a plan parameter.", field=path)
