"""`portfolioos simulate` and `portfolioos sensitivity`: the retirement planner headless."""

from __future__ import annotations

import argparse
from typing import TYPE_CHECKING, Any

from portfolioos.cli.output import print_json, print_table
from portfolioos.errors import ValidationError

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext
    from portfolioos.simulation.results import SimulationResult
    from portfolioos.simulation.scenario import Scenario


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    sim = sub.add_parser(
        "simulate",
        parents=[common],
        help="run a retirement plan (Monte Carlo or historical sequences)",
    )
    _plan_options(sim)
    sim.add_argument(
        "--save",
        metavar="NAME",
        help="save the plan as a named scenario (its last result is kept with it)",
    )
    sim.add_argument("--json", action="store_true")
    sim.set_defaults(handler=_simulate, access="write")

    sens = sub.add_parser(
        "sensitivity",
        parents=[common],
        help="re-run a plan over values of one parameter (or a grid of two)",
    )
    _plan_options(sens)
    sens.add_argument(
        "--vary",
        required=True,
        metavar="PARAM",
        help="withdrawal_rate, equity_share, expected_return, inflation, years, "
        "life_event_amount, fees, or a dotted plan path such as "
        "returns.bonds.mean or life_events[1].amount",
    )
    sens.add_argument(
        "--values",
        required=True,
        metavar="LIST",
        help="comma-separated values, e.g. 0.03,0.035,0.04",
    )
    sens.add_argument(
        "--grid", metavar="PARAM2", help="a second parameter: print a success-rate grid (heat map)"
    )
    sens.add_argument("--grid-values", metavar="LIST", help="values of the second parameter")
    sens.add_argument("--json", action="store_true")
    sens.set_defaults(handler=_sensitivity, access="read")


def _plan_options(parser: argparse.ArgumentParser) -> None:
    source = parser.add_mutually_exclusive_group(required=True)
    source.add_argument("--config", metavar="PLAN", help="plan file (.json or .toml)")
    source.add_argument("--scenario", metavar="NAME", help="a saved scenario")
    parser.add_argument("--trials", type=int, metavar="N", help="override the plan's trials")
    parser.add_argument("--seed", type=int, metavar="S", help="override the plan's seed")


def _plan(args: argparse.Namespace, ctx: AppContext) -> Scenario | str:
    if args.scenario:
        return str(args.scenario)
    return ctx.simulation.load_plan(args.config)


def _simulate(args: argparse.Namespace, ctx: AppContext) -> int:
    plan = _plan(args, ctx)
    if args.save:
        if isinstance(plan, str):
            plan = ctx.simulation.scenario(plan)
        stored, _ = ctx.simulation.save_scenario(args.save, plan)
        plan = stored.name
    result = ctx.simulation.run(plan, trials=args.trials, seed=args.seed)
    if args.json:
        print_json(result.to_dict())
    else:
        _print_result(result)
    return 0


def _sensitivity(args: argparse.Namespace, ctx: AppContext) -> int:
    plan = _plan(args, ctx)
    values = parse_values(args.values, "--values")
    if args.grid:
        if not args.grid_values:
            raise ValidationError("--grid-values: required with --grid.", field="--grid-values")
        y_values = parse_values(args.grid_values, "--grid-values")
        grid = ctx.simulation.grid(
            plan, args.vary, values, args.grid, y_values, trials=args.trials, seed=args.seed
        )
        if args.json:
            print_json(grid.to_dict())
        else:
            print(f"success rate: rows {args.grid}, columns {args.vary}")
            rows = [
                {
                    args.grid: f"{y:g}",
                    **{f"{x:g}": f"{rate:.1%}" for x, rate in zip(grid.x_values, row, strict=True)},
                }
                for y, row in zip(grid.y_values, grid.success_rate, strict=True)
            ]
            print_table(rows, [args.grid, *(f"{x:g}" for x in grid.x_values)])
        return 0
    points = ctx.simulation.sensitivity(plan, args.vary, values, trials=args.trials, seed=args.seed)
    if args.json:
        print_json({"param": args.vary, "results": [p.to_dict() for p in points]})
    else:
        print_table(
            [
                {
                    args.vary: f"{p.value:g}",
                    "success_rate": f"{p.result.success_rate:.1%}",
                    "median_terminal_real": f"{p.result.terminal_real['p50']:,.0f}",
                    "p10_terminal_real": f"{p.result.terminal_real['p10']:,.0f}",
                }
                for p in points
            ],
            [args.vary, "success_rate", "median_terminal_real", "p10_terminal_real"],
        )
    return 0


def parse_values(text: str, option: str) -> list[float]:
    values: list[float] = []
    for part in text.replace(";", ",").split(","):
        if not part.strip():
            continue
        try:
            values.append(float(part))
        except ValueError:
            raise ValidationError(
                f"{option}: {part.strip()!r} is not a number.", field=option
            ) from None
    if not values:
        raise ValidationError(f"{option}: give at least one value.", field=option)
    return values


def _print_result(result: SimulationResult) -> None:
    print(
        f"success rate: {result.success_rate:.1%} of {result.trials:,} trials over "
        f"{result.years} years (seed {result.seed})"
    )
    t = result.terminal_real
    print(
        f"terminal value (today's dollars): median {t['p50']:,.0f}, "
        f"10th percentile {t['p10']:,.0f}, 90th percentile {t['p90']:,.0f}"
    )
    if result.median_years_lasted_failures is not None:
        print(f"failed trials lasted a median of {result.median_years_lasted_failures:g} years")
    step = max(1, result.years // 10)
    rows: list[dict[str, Any]] = []
    for year in [*range(0, result.years + 1, step)] + (
        [result.years] if result.years % step else []
    ):
        row: dict[str, Any] = {"year": year}
        for label, path in result.percentiles_real.items():
            row[label] = f"{path[year]:,.0f}"
        rows.append(row)
    print("portfolio value by year, today's dollars:")
    print_table(rows, ["year", *result.percentiles_real])
