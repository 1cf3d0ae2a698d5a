"""The bundle has no pyarrow (issue 10): the ledger's paths must not need it.

A subprocess makes `import pyarrow` fail, then imports files (the vectorised generic
path and a broker's row-wise path), re-derives, reads holdings, lots, history and
prices (DuckDB `.df()` and `register()` of pandas frames), exports, and runs the
self-test's library step. pandas and duckdb must not have imported pyarrow either.
"""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

from tests.conftest import cli_env

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "brokers"

SCRIPT = textwrap.dedent(
    """
    import importlib.abc, sys
    from datetime import date
    from pathlib import Path

    class NoPyarrow(importlib.abc.MetaPathFinder):
        def find_spec(self, name, path=None, target=None):
            if name == "pyarrow" or name.startswith("pyarrow."):
                raise ImportError("pyarrow is not in the bundle")
            return None

    sys.meta_path.insert(0, NoPyarrow())

    import pandas as pd
    from portfolioos.cli.selftest import step_libraries
    from portfolioos.domain.accounts import AccountDraft
    from portfolioos.services.context import AppContext
    from portfolioos.storage.price_store import PriceStore

    data, generic, fidelity = (Path(a) for a in sys.argv[1:4])
    with AppContext.open(data) as ctx:
        ctx.portfolio.create_account(AccountDraft(name="G"))
        ctx.portfolio.create_account(AccountDraft(name="F"))
        g = ctx.imports.import_file(generic, "G")
        f = ctx.imports.import_file(fidelity, "F", broker="fidelity")
        assert g.added > 5 and g.vectorised and f.added > 5 and not f.errors, (g, f)
        ctx.portfolio.rederive()
        PriceStore(ctx.market_db).upsert_prices(pd.DataFrame({
            "symbol": ["AAPL"], "date": [date(2023, 12, 29)], "open": [190.0],
            "high": [190.0], "low": [190.0], "close": [190.0], "adj_close": [190.0],
            "volume": [0], "currency": ["USD"], "source": ["test"]}))
        held = ctx.portfolio.holdings()
        assert any(h.symbol == "AAPL" and h.price is not None for h in held), held
        assert ctx.portfolio.lots("AAPL")
        history = ctx.portfolio.net_worth_history(end=date(2024, 1, 31))
        assert len(history.dates) > 300
        out = data / "tx.csv"
        ctx.exports.transactions(out)
        assert out.read_text().count("\\n") > 10
        print(step_libraries(None))
    assert "pyarrow" not in sys.modules
    print("ok")
    """
)


def test_ledger_paths_run_without_pyarrow(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-c",
            SCRIPT,
            str(tmp_path / "data"),
            str(FIXTURES / "generic.csv"),
            str(FIXTURES / "fidelity.csv"),
        ],
        capture_output=True,
        text=True,
        env=cli_env(),
        timeout=300,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip().endswith("ok"), result.stdout
    assert "exact decimals" in result.stdout
