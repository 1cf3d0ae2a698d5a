"""Render every page of the main window to PNG (offscreen), for the README and review.

    python scripts/screenshots.py [--out docs/screenshots] [--data-dir DIR]

Without --data-dir it uses the demo portfolio (`portfolioos.demo`) in a fresh temporary
folder, plus assistant providers, stored conversations and a backup (`seed_folder()`). Settings is
rendered once per tab. Demo API keys are only stored where they cannot reach a real
keyring: in memory (no secure keychain) or the throwaway Secret Service of
scripts/with-keyring.sh (PORTFOLIOOS_TEST_KEYRING=1).
After the pages, a few states worth reviewing are rendered too (the import
preview and mapping editor).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from datetime import datetime
from pathlib import Path

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("PORTFOLIOOS_NO_AUTOSYNC", "1")  # no network calls while rendering
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

CONVERSATIONS = (
    (
        "How concentrated is my portfolio?",
        "Fairly concentrated in one fund. Of your **$412,380** across three accounts:\n\n"
        "| Holding | Weight |\n|---|---:|\n| VTI | 41.2% |\n| VXUS | 18.5% |\n"
        "| BND | 16.9% |\n| AAPL | 7.8% |\n| Other (6) | 15.6% |\n\n"
        "The top holding alone is 41%, and the top three are 77%. VTI is itself a "
        "diversified index fund, so the single-company risk is mostly **AAPL at 7.8%** — "
        "above the 5% many people use as a ceiling for one stock.",
        "What would it take to bring AAPL under 5%?",
        "Selling about **$11,600** of AAPL (roughly 52 shares at $223) would bring it to "
        "5.0%. Two things to weigh:\n\n"
        "1. In the *Taxable brokerage* account the lots bought in 2019 carry most of the "
        "gain; selling the 2023 lots first (HIFO) realises about $1,900 instead of $6,400.\n"
        "2. The *Roth IRA* holds 20 shares: selling those has no tax cost at all.\n\n"
        "This is information from your data, not personalised financial advice.",
    ),
    (
        "What if I retire two years earlier?",
        "Your last plan (*Retire at 62*) succeeds in 91% of 10,000 trials. Two fewer "
        "working years means two fewer contributions and two more years of withdrawals; "
        "re-run it in the Planner with the retirement year moved to see the new rate.",
        None,
        None,
    ),
    (
        "Which holdings pay the most dividends?",
        "Over the last 12 months: **VXUS** paid $2,310, **BND** $2,040 and **VTI** $1,960.",
        None,
        None,
    ),
)


def seed_folder(folder: Path) -> None:
    from portfolioos.demo import prepare_demo_folder
    from portfolioos.services.context import AppContext

    prepare_demo_folder(folder)
    with AppContext.open(folder) as ctx:
        assistant = ctx.assistant
        if not assistant.providers.providers():
            studio, _ = assistant.add_provider(
                "LM Studio", "lmstudio", model="qwen2.5-14b-instruct", make_default=True
            )
            assistant.add_provider("Claude", "anthropic", model="claude-sonnet-4-5")
            assistant.add_provider("OpenRouter", "openrouter", model="openai/gpt-4o-mini")
            for first, answer, follow, follow_answer in reversed(CONVERSATIONS):
                cid = assistant.conversations.record_exchange(
                    None, title=first, provider_id=studio.id, question=first, answer=answer
                )
                if follow and follow_answer:
                    assistant.conversations.record_exchange(
                        cid,
                        title=first,
                        provider_id=studio.id,
                        question=follow,
                        answer=follow_answer,
                    )
        seed_prices(ctx)
        if not ctx.settings.list_backups():
            ctx.settings.create_backup()


def seed_prices(ctx: object) -> None:
    """Demo daily bars (resources/demo/prices.csv) for the Markets page, written the way a
    sync writes them (one transaction per symbol, with sync state), plus VTI's dividends
    per share from the demo taxable account's ledger rows. Three VTI sessions are left
    out on purpose so the screenshot shows how a gap is marked."""
    import pandas as pd

    from portfolioos.storage.market_store import MarketStore, SymbolWrite

    store = MarketStore(ctx.market_db)  # type: ignore[attr-defined]
    if store.latest_bars():
        return
    demo = Path(__file__).resolve().parent.parent / "resources" / "demo"
    prices = pd.read_csv(demo / "prices.csv", parse_dates=["date"])
    prices["date"] = prices["date"].dt.date
    prices["currency"] = "USD"
    ledger = pd.read_csv(demo / "taxable-brokerage.csv", parse_dates=["date"])
    vti = ledger[ledger["symbol"] == "VTI"].sort_values("date")
    held = vti["quantity"].where(vti["type"] == "buy", 0).fillna(0).cumsum()
    paid = vti[(vti["type"] == "dividend") & (held > 0)]
    dividends = pd.DataFrame(
        {
            "date": paid["date"].dt.date,
            "amount": (paid["amount"] / held[paid.index]).round(4),
            "currency": "USD",
        }
    )
    info = pd.read_csv(demo / "securities.csv").set_index("symbol")
    no_splits = pd.DataFrame({"date": [], "ratio": []})
    when = datetime.now()
    for symbol, bars in prices.groupby("symbol"):
        bars = bars.drop(columns="symbol")
        if symbol == "VTI":
            bars = bars.drop(bars.index[-40:-37])
        meta = info.loc[symbol].to_dict() if symbol in info.index else {}
        store.write_symbol(
            SymbolWrite(
                str(symbol),
                bars,
                dividends if symbol == "VTI" else dividends.iloc[0:0],
                no_splits,
                {k: meta.get(k) for k in ("name", "asset_type", "sector", "currency", "exchange")},
                source="demo",
            ),
            status="ok",
            message="demo prices",
            when=when,
        )


def demo_keys(ctx: object) -> None:
    keychain = ctx.keychain  # type: ignore[attr-defined]
    if keychain.mode() == "session" or os.environ.get("PORTFOLIOOS_TEST_KEYRING"):
        keychain.set("anthropic-api-key", "sk-ant-demo-0000")
        keychain.set("fred-api-key", "demo0000fred")


def consent_shot(ctx: object, window: object, target: Path) -> None:
    """The consent dialog with the real request the Claude provider would be sent."""
    from portfolioos.gui.assistant.consent import ConsentDialog
    from portfolioos.llm.consent import CONSENT_VERSION, ConsentRequest

    assistant = ctx.assistant  # type: ignore[attr-defined]
    claude = next((p for p in assistant.providers.providers() if p.name == "Claude"), None)
    if claude is None:
        return
    question = "How concentrated is my portfolio?"
    request = ConsentRequest(
        claude.id,
        claude.name,
        claude.privacy_level.value,
        CONSENT_VERSION,
        "missing",
        assistant.preview(question, claude.id),
    )
    dialog = ConsentDialog(request, window)  # type: ignore[arg-type]
    dialog.show()
    from PySide6.QtWidgets import QApplication

    for _ in range(20):
        QApplication.processEvents()
    dialog.grab().save(str(target))
    print(target)
    dialog.close()


def settle_workers(app, window, seconds: float = 2.0) -> None:  # type: ignore[no-untyped-def]
    """Let workers finish and the window repaint (pages load in the background)."""
    import time

    from PySide6.QtCore import QThreadPool

    end = time.monotonic() + seconds
    while time.monotonic() < end:
        app.processEvents()
        QThreadPool.globalInstance().waitForDone(20)
    app.processEvents()


def extra_states(app, window, out: Path, start: int) -> None:  # type: ignore[no-untyped-def]
    """The import wizard's preview and mapping editor, over files in resources/."""
    if "Import" not in window.titles:
        return
    demo = Path(__file__).resolve().parent.parent / "resources" / "demo"
    page = window.show_page("Import")
    accounts = window.ctx.portfolio.list_accounts()
    if not accounts:
        return
    page.set_file(demo / "taxable-brokerage.csv")
    named = [a for a in accounts if a.name.lower().startswith("taxable")]
    page.select_account((named or accounts)[0].id)
    page.start_preview()
    settle_workers(app, window)
    target = out / f"{start:02d}-import-preview.png"
    window.grab().save(str(target))
    print(target)
    page.open_mapping_editor()
    settle_workers(app, window, 1.0)
    target = out / f"{start + 1:02d}-import-mapping.png"
    window.grab().save(str(target))
    print(target)
    page.reset()


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--out", default="docs/screenshots")
    parser.add_argument("--data-dir")
    parser.add_argument("--size", default="1280x800")
    parser.add_argument("--theme", default="light", choices=("light", "dark"))
    args = parser.parse_args()
    folder = Path(args.data_dir) if args.data_dir else Path(tempfile.mkdtemp()) / "data"
    if not args.data_dir:
        seed_folder(folder)

    from PySide6.QtCore import QThreadPool
    from PySide6.QtWidgets import QApplication

    from portfolioos.gui.main_window import MainWindow
    from portfolioos.gui.theme import apply_theme
    from portfolioos.services.context import AppContext

    app = QApplication.instance() or QApplication([])
    out = Path(args.out)
    out.mkdir(parents=True, exist_ok=True)
    width, height = (int(v) for v in args.size.split("x"))

    def settle(until: object = None, timeout: float = 5.0) -> None:
        deadline = time.monotonic() + timeout
        for _ in range(20):
            app.processEvents()
        while until is not None and not until() and time.monotonic() < deadline:  # type: ignore[operator]
            app.processEvents()
            time.sleep(0.01)
        for _ in range(10):
            app.processEvents()

    with AppContext.open(folder) as ctx:
        if not args.data_dir:
            demo_keys(ctx)
        apply_theme(app, args.theme)
        window = MainWindow(ctx)
        window.resize(width, height)
        window.show()
        for index, title in enumerate(window.titles):
            page = window.show_page(title)
            # A page that loads in the background (the Planner's first preview) says
            # when it has something to show; wait for that, at most 60 s.
            ready = getattr(page, "screenshot_ready", None)
            if ready is not None:
                settle(ready, timeout=60)
            settle(
                lambda p=page: (
                    not getattr(p, "loading", False)
                    and QThreadPool.globalInstance().activeThreadCount() == 0
                ),
                timeout=30,
            )
            shots = [(f"{index + 1:02d}-{title.lower().replace(' ', '-')}", None)]
            if title == "Assistant":
                history = getattr(page, "history", None)
                if history is not None and history.count():
                    page.open_conversation(int(history.item(0).data(256)))  # UserRole
            if title == "Settings":
                shots = [
                    (f"{index + 1:02d}-settings-{section}", section)
                    for section in ("general", "assistant", "sources", "backups")
                ]
            if title == "Markets":
                settle(lambda p=page: p.model.rowCount() > 0)  # type: ignore[attr-defined]
                page.select_symbol("VTI")  # type: ignore[attr-defined]
                page.chart.set_mode("candle")  # type: ignore[attr-defined]
                settle(lambda p=page: p.symbol_data is not None and p.symbol_data.symbol == "VTI")  # type: ignore[attr-defined]
                shots.append((f"{index + 1:02d}b-markets-actions", "actions"))
            if title == "Assistant":
                consent_shot(ctx, window, out / f"{index + 1:02d}b-assistant-consent.png")
            for name, section in shots:
                if section == "actions":  # Markets' corporate actions tab
                    page.show_tab("actions")  # type: ignore[attr-defined]
                    settle(
                        lambda p=page: (
                            QThreadPool.globalInstance().activeThreadCount() == 0
                            and p.actions_stack.currentWidget() is not None
                        )  # type: ignore[attr-defined]
                    )
                elif section is not None:
                    page.show_section(section)  # type: ignore[attr-defined]
                    if section == "assistant":
                        keys = page.keys  # type: ignore[attr-defined]
                        settle(lambda k=keys: k.model.rowCount() > 0)
                settle()
                target = out / f"{name}.png"
                window.grab().save(str(target))
                print(target)
        extra_states(app, window, out, len(window.titles) + 1)
        window.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
