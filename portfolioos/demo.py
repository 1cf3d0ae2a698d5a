"""`portfolioos --demo`: a throwaway data folder with a sample portfolio and its prices.

A newcomer without data (or without network) should see a populated app, not an empty
window. The folder is filled from `resources/demo/` (written by
scripts/make_demo_data.py) through the same paths real data takes: accounts through
PortfolioService, ledgers through ImportService (generic format), prices and security
info through the market store's one-transaction symbol write. Everything goes in bulk
(one frame per file or symbol), so a demo folder is ready in about a second.
"""

from __future__ import annotations

import csv
import logging
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from portfolioos.paths import resources_dir

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)

DEMO_BENCHMARK = "VTI"
DEMO_SOURCE = "demo"
DEMO_NOTE = "Demo prices from resources/demo (synthetic), not synced from Yahoo"


def demo_dir() -> Path:
    return resources_dir() / "demo"


def prepare_demo_folder(target: Path | None = None) -> Path:
    """A new data folder (under the temp dir unless `target` is given) filled with the
    demo portfolio; returns its path. `target` must not hold accounts yet."""
    from portfolioos.services.context import AppContext

    folder = target or Path(tempfile.mkdtemp(prefix="portfolioos-demo-")) / "data"
    with AppContext.open(folder) as ctx:
        fill_demo(ctx)
    return folder


def fill_demo(ctx: AppContext, source: Path | None = None) -> None:
    """Create the demo accounts, import their ledgers, load prices and security info,
    set the benchmark and save today's snapshots."""
    from portfolioos.domain.accounts import AccountDraft
    from portfolioos.errors import ConflictError

    src = source or demo_dir()
    if ctx.portfolio.list_accounts():
        raise ConflictError(f"{ctx.paths.root} already has accounts; the demo needs an empty one.")
    for row in _rows(src / "accounts.csv"):
        account, _ = ctx.portfolio.create_account(
            AccountDraft(name=row["name"], type=row["type"], institution=row["institution"])
        )
        result = ctx.imports.import_file(src / row["file"], account.id, broker="generic")
        logger.info("demo: %s <- %s (%d rows)", account.name, row["file"], result.added)
    load_prices(ctx, src)
    ctx.settings.set("benchmark_symbol", DEMO_BENCHMARK)
    ctx.portfolio.save_snapshots()


def load_prices(ctx: AppContext, src: Path) -> int:
    """Bars and security info per symbol, each symbol in one transaction; returns bars."""
    import pandas as pd

    from portfolioos.storage.market_store import MarketStore, SymbolWrite

    bars = pd.read_csv(src / "prices.csv", parse_dates=["date"])
    bars["currency"] = "USD"
    bars["source"] = DEMO_SOURCE
    info = {row["symbol"]: row for row in _rows(src / "securities.csv")}
    store = MarketStore(ctx.market_db)
    now = datetime.now(UTC).replace(tzinfo=None)
    empty_divs = pd.DataFrame({"date": [], "amount": [], "currency": []})
    empty_splits = pd.DataFrame({"date": [], "ratio": []})
    for symbol, frame in bars.groupby("symbol", sort=True):
        meta: dict[str, Any] | None = info.get(str(symbol))
        if meta is not None:
            meta = {k: v for k, v in meta.items() if k != "symbol"}
            meta["quote_type"] = meta.get("asset_type")
        store.write_symbol(
            SymbolWrite(
                str(symbol),
                frame.drop(columns=["symbol"]),
                empty_divs,
                empty_splits,
                meta,
                source=DEMO_SOURCE,
            ),
            status="ok",
            message=DEMO_NOTE,
            when=now,
        )
    return len(bars)


def _rows(path: Path) -> list[dict[str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return [{k: (v or "").strip() for k, v in row.items()} for row in csv.DictReader(handle)]


def announce(folder: Path) -> None:
    """Say on the terminal what the user is looking at and how to get to real data."""
    print(
        f"PortfolioOS demo: a sample portfolio in a temporary folder ({folder}), "
        "deleted when the window closes.\n"
        "To start with your own data, run without --demo and add an account and an "
        "import on the Accounts and Import pages (or `portfolioos accounts add` and "
        "`portfolioos import FILE --account NAME`).",
        flush=True,
    )
