"""Reconcile 1,000,000 ledger rows (1,000 symbols x 10 accounts) with FIFO.

    PYTHONPATH=. /work/venv-probe/bin/python benchmarks/reconcile.py [--rows N] [--runs 3]

Builds a throw-away data folder, fills it through LedgerStore.append_frame (one
transaction), then times, in the same process and run:
  baseline  reading the ledger's columns from DuckDB, unsorted (no engine at all)
  read      LedgerReader.columns(): sorted read + exact decimal -> int conversion
  engine    domain.reconcile.reconcile() (FIFO, holdings/lots/cash: plain buy/sell groups
            are computed whole in numpy; the per-row loop's time is shown beside it)
  holdings  converting the books to Decimal Holding records
  total     read + engine + holdings  (the figure the <= 5 s goal is about)
  rederive  PortfolioService.rederive(): total + writing lots and holdings tables
and the peak Python heap (tracemalloc, measured in a separate run since tracing slows
the loop) and the process's max RSS. Timings are the best of --runs.
"""

from __future__ import annotations

import argparse
import resource
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

from portfolioos.domain.accounts import AccountDraft, LotMethod
from portfolioos.domain.reconcile import reconcile
from portfolioos.services.context import AppContext
from portfolioos.storage.arrow_c import fetch
from portfolioos.storage.ledger_store import LEDGER_COLUMNS, LedgerReader, LedgerStore

ACCOUNTS = 10
SYMBOLS = 1000


def ledger_frame(rows: int, seed: int = 7) -> pd.DataFrame:
    """Random buys and sells per (account, symbol); a sale never exceeds the shares held."""
    rng = np.random.default_rng(seed)
    groups = ACCOUNTS * SYMBOLS
    per = rows // groups
    n = per * groups
    group = np.repeat(np.arange(groups), per)
    account = group // SYMBOLS + 1
    symbol = np.char.add("S", (group % SYMBOLS).astype(str))
    day = np.sort(rng.integers(0, 3650, size=(groups, per)), axis=1).ravel()
    dates = np.datetime64("2014-01-01") + day.astype("timedelta64[D]")
    qty = rng.integers(1, 100, size=n) + rng.integers(0, 1000, size=n) / 1000
    is_sell = rng.random(n) < 0.4
    is_sell[::per] = False
    # a sale takes at most what is held: walk each group once
    q = qty.reshape(groups, per)
    s = is_sell.reshape(groups, per)
    for g in range(groups):
        held = 0.0
        qg, sg = q[g], s[g]
        for j in range(per):
            if sg[j]:
                take = round(min(qg[j], held * 0.7), 3)
                if take <= 0:
                    sg[j] = False
                    held += qg[j]
                else:
                    qg[j] = take
                    held -= take
            else:
                held += qg[j]
    price = np.round(rng.uniform(5, 500, size=n), 2)
    fees = np.where(rng.random(n) < 0.3, 1.0, 0.0)
    amount = np.where(is_sell, qty * price - fees, -(qty * price + fees))
    frame = pd.DataFrame(
        {
            "account_id": account,
            "date": dates,
            "type": np.where(is_sell, "sell", "buy"),
            "symbol": symbol,
            "quantity": np.char.mod("%.3f", qty),
            "price": np.char.mod("%.2f", price),
            "amount": np.char.mod("%.5f", amount),
            "fees": np.char.mod("%.2f", fees),
            "currency": "USD",
            "note": "",
            "lot_id": None,
            "split_ratio": None,
            "acquired_date": None,
            "original_basis": None,
            "batch_id": None,
            "source_line": None,
            "fingerprint": np.char.add("f", np.arange(n).astype(str)),
        }
    )
    return frame.loc[:, list(LEDGER_COLUMNS)]


def best(fn, runs: int):  # type: ignore[no-untyped-def]
    times, value = [], None
    for _ in range(runs):
        t0 = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - t0)
    return min(times), value


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        ctx = AppContext.open(Path(tmp) / "data")
        try:
            for a in range(ACCOUNTS):
                ctx.portfolio.create_account(AccountDraft(name=f"acct{a + 1}", lot_method="fifo"))
            t0 = time.perf_counter()
            frame = ledger_frame(args.rows)
            gen = time.perf_counter() - t0
            t0 = time.perf_counter()
            with ctx.portfolio_db.write() as cur:
                LedgerStore(ctx.portfolio_db).append_frame(cur, frame)
            load = time.perf_counter() - t0
            rows = ctx.portfolio_db.fetchone("SELECT count(*) FROM transactions")[0]
            print(
                f"ledger: {rows:,} rows, {ACCOUNTS} accounts x {SYMBOLS} symbols "
                f"(generated in {gen:.1f} s, inserted in {load:.1f} s)"
            )
            reader = LedgerReader(ctx.portfolio_db)
            methods = {a: LotMethod.FIFO for a in range(1, ACCOUNTS + 1)}

            def baseline() -> object:
                # the engine's columns, unsorted, through the same exact Arrow C stream read
                return fetch(
                    ctx.portfolio_db.cursor().sql(
                        "SELECT id, account_id, date, type, symbol, currency, quantity, price,"
                        " amount, fees, lot_id, split_ratio, acquired_date, original_basis"
                        " FROM transactions"
                    )
                )

            t_base, _ = best(baseline, args.runs)
            t_read, cols = best(reader.columns, args.runs)
            t_engine, result = best(lambda: reconcile(cols, methods, disposals=False), args.runs)
            t_loop, _ = best(lambda: reconcile(cols, methods, disposals=False, vector=False), 1)
            t_hold, holdings = best(lambda: result.holdings(), args.runs)
            t_rederive, _ = best(lambda: ctx.portfolio.rederive(), 1)
            t_page, page = best(
                lambda: ctx.portfolio.transactions(offset=500_000, limit=200), args.runs
            )
            t_count, _ = best(lambda: ctx.portfolio.transaction_count(symbol="S7"), args.runs)
            total = t_read + t_engine + t_hold
            lots = sum(len(b.lots) for b in result.books.values())
            cols = result = None  # type: ignore[assignment]  # free them before tracing
            tracemalloc.start()
            reconcile(reader.columns(), methods, disposals=False).holdings()
            _, peak = tracemalloc.get_traced_memory()
            tracemalloc.stop()
            rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            print(f"holdings {len(holdings):,}, open lots {lots:,}")
            print(f"baseline  read columns, unsorted     {t_base:6.2f} s")
            print(f"read      sorted columns as ints     {t_read:6.2f} s")
            print(
                f"engine    FIFO, whole groups (numpy) {t_engine:6.2f} s  "
                f"(the row loop alone, 1 run: {t_loop:.2f} s)"
            )
            print(f"holdings  Decimal records            {t_hold:6.2f} s")
            print(
                f"total     read+engine+holdings       {total:6.2f} s  "
                f"({total / t_base:.1f}x baseline; goal <= 5 s: "
                f"{'met' if total <= 5 else 'NOT met'})"
            )
            print(f"rederive  total + write lots/holdings {t_rederive:5.2f} s (1 run)")
            print(
                f"GUI table: page of {len(page)} rows at offset 500,000 in {t_page:.3f} s; "
                f"filtered count in {t_count:.3f} s"
            )
            print(f"peak Python heap (tracemalloc) {peak / 2**20:,.0f} MiB; max RSS {rss:,.0f} MiB")
            print(f"(best of {args.runs} runs; the machine is shared, so timings are noisy)")
        finally:
            ctx.close()
    return 0


if __name__ == "__main__":
    sys.exit(main())
