"""`portfolioos self-test`: prove that this copy of the app works, end to end.

Meant for a fresh install and for the bundle build: in a throwaway data folder it
creates an account, imports the bundled sample, reconciles, runs a small simulation,
loads every native library, checks Qt's ICU-backed text services, renders the main
window and asks the keychain a harmless question. Each step reports
ok / skipped / failed; the exit code is 0 only when none failed, and the last line
names the failing step.
"""

from __future__ import annotations

import argparse
import csv
import importlib
import json
import logging
import sys
import tempfile
import threading
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from portfolioos.domain.accounts import Account
    from portfolioos.services.context import AppContext

logger = logging.getLogger(__name__)

KEYCHAIN_SERVICE = "PortfolioOS self-test"
KEYCHAIN_TIMEOUT = 20.0
SAMPLE = Path("selftest") / "transactions.csv"
# Small and historical on purpose: it reads the shipped market history, so a bundle
# that forgot resources/ fails here.
SIMULATION_PLAN: dict[str, Any] = {
    "initial_portfolio": 1_000_000,
    "years": 30,
    "seed": 7,
    "allocation": {"stocks": 0.5, "bonds": 0.5},
    "returns": {"model": "historical"},
    "inflation": {"model": "historical"},
    "withdrawal": {"strategy": "constant_dollar", "initial_rate": 0.04},
}


class StepFailed(Exception):
    """A step ran and found something wrong; the message says what."""


@dataclass
class State:
    ctx: AppContext
    account: Account | None = None
    imported: int = 0


@dataclass
class StepResult:
    name: str
    status: str  # "ok", "skipped", "failed"
    detail: str
    seconds: float = 0.0
    trace: str = field(default="", repr=False)


@dataclass(frozen=True)
class Step:
    name: str
    run: Callable[[State], str]
    needs: tuple[str, ...] = ()


def register(
    sub: argparse._SubParsersAction[argparse.ArgumentParser], common: argparse.ArgumentParser
) -> None:
    p = sub.add_parser(
        "self-test",
        help="check that this installation works, in a temporary data folder",
        parents=[common],
    )
    p.add_argument(
        "--skip",
        action="append",
        default=[],
        metavar="STEP",
        choices=[s.name for s in STEPS],
        help="leave out a step (repeatable), e.g. keychain on a machine without one",
    )
    p.add_argument("--keep", action="store_true", help="keep the temporary data folder")
    p.add_argument("--json", action="store_true")
    p.set_defaults(handler=_self_test, access="none")


# -- the steps ---------------------------------------------------------------------


def step_account(state: State) -> str:
    from portfolioos.domain.accounts import AccountDraft

    account, _ = state.ctx.portfolio.create_account(
        AccountDraft(name="Self-test brokerage", type="brokerage", currency="USD")
    )
    if state.ctx.portfolio.account(account.id).name != account.name:
        raise StepFailed("the new account could not be read back")
    state.account = account
    return f"created account {account.id} '{account.name}'"


def step_import(state: State) -> str:
    imports = state.ctx.imports
    assert state.account is not None
    sample = sample_path()
    if not sample.is_file():
        raise StepFailed(f"the bundled sample is missing: {sample}")
    result = imports.import_file(sample, state.account.id)
    added = int(result.added)
    if added <= 0:
        raise StepFailed(f"importing {sample.name} added no transactions")
    state.imported = added
    return f"{added} transactions from {sample.name}"


def step_reconcile(state: State) -> str:
    """Re-derive lots and holdings and compare the shares held with what the sample
    file itself says (buys and transfers in minus sells and transfers out)."""
    report = state.ctx.portfolio.reconcile()
    rows = report.transactions
    if rows < state.imported:
        raise StepFailed(f"reconciled {rows} transactions, but {state.imported} were imported")
    expected = expected_shares(sample_path())
    held: dict[str, Decimal] = {}
    for holding in report.holdings:
        held[holding.symbol] = held.get(holding.symbol, Decimal(0)) + holding.shares
    held = {k: v for k, v in held.items() if v != 0}
    if held != expected:
        raise StepFailed(f"holdings {_fmt(held)} differ from the sample's {_fmt(expected)}")
    return f"{rows} transactions -> holdings {_fmt(held)}, as the sample says"


def sample_path() -> Path:
    from portfolioos.paths import resources_dir

    return resources_dir() / SAMPLE


def expected_shares(sample: Path) -> dict[str, Decimal]:
    """Shares per symbol implied by a generic-layout CSV (the known answer)."""
    signs = {"buy": 1, "reinvest": 1, "transfer_in": 1, "sell": -1, "transfer_out": -1}
    shares: dict[str, Decimal] = {}
    with sample.open(newline="", encoding="utf-8") as fh:
        for row in csv.DictReader(fh):
            sign = signs.get(row["type"])
            if sign and row["symbol"]:
                qty = Decimal(row["quantity"]) * sign
                shares[row["symbol"]] = shares.get(row["symbol"], Decimal(0)) + qty
    return {k: v for k, v in shares.items() if v != 0}


def _fmt(shares: dict[str, Decimal]) -> str:
    return ", ".join(f"{k} {v.normalize():f}" for k, v in sorted(shares.items())) or "none"


def step_simulation(state: State) -> str:
    simulation = state.ctx.simulation
    result = simulation.run(simulation.parse_plan(SIMULATION_PLAN))
    rate = float(result.success_rate)
    if not 0.0 <= rate <= 1.0:
        raise StepFailed(f"success rate {rate} is outside 0..1")
    return f"historical 50/50, 4% for 30 years: {rate:.1%} success"


def step_libraries(state: State) -> str:
    """Load every native library the app relies on and make each do one small thing.

    In a bundle this is where a missing or damaged shared library shows up (a stripped
    OpenBLAS, a forgotten CA bundle), whatever the other steps happen to touch."""
    import ssl

    import certifi
    import duckdb
    import numpy as np
    import pandas as pd

    checks: list[str] = []
    frame = pd.DataFrame({"x": np.arange(1, 5, dtype=np.float64)})
    if float(np.linalg.norm(frame["x"].to_numpy())) != float(np.sqrt(30.0)):
        raise StepFailed("numpy/OpenBLAS gave a wrong norm")
    checks.append(f"numpy {np.__version__}")
    from portfolioos.storage.probe import column_sums, exact_decimals

    if column_sums(frame) != 10.0:
        raise StepFailed("DuckDB could not scan a pandas frame")
    units = exact_decimals()
    if units != [-12345678901234123456789012, 1, None]:
        raise StepFailed(f"DuckDB decimals did not read back exactly: {units}")
    checks.append(f"duckdb {duckdb.__version__} (exact decimals)")
    ssl.create_default_context(cafile=certifi.where())
    checks.append("TLS roots")
    for module in ("curl_cffi", "yfinance", "fredapi", "ofxtools", "httpx", "keyring"):
        importlib.import_module(module)
    checks.append("market/import/keychain modules")
    return ", ".join(checks)


def step_text(state: State) -> str:
    """Qt's ICU-backed text services (collation, case mapping, time-zone names,
    legacy encodings): the Linux bundle ships ICU with a trimmed data library."""
    from portfolioos.gui.textcheck import TextCheckFailed, applies, check_text_services

    if not applies():
        return "not checked: Qt uses the operating system's text services here"
    try:
        line: str = check_text_services().summary()  # gui/ is not type-checked: Any
    except TextCheckFailed as exc:
        raise StepFailed(f"ICU data missing? {exc}") from exc
    return line


def step_window(state: State) -> str:
    from portfolioos.gui.selftest import render_main_window

    report = render_main_window(state.ctx)
    return (
        f"{len(report.pages)} page(s) rendered at {report.width}x{report.height} "
        f"on '{report.platform}'"
    )


def step_keychain(state: State) -> str:
    """Ask the OS keychain for an entry that does not exist: it must answer None.

    Runs in a thread with a time limit because a locked keychain may wait for the user
    to type a password (and a misconfigured D-Bus may never answer)."""
    import keyring

    if sys.platform.startswith("linux"):
        secret_service_cipher()
    backend = keyring.get_keyring()
    name = f"{type(backend).__module__}.{type(backend).__name__}"
    if "fail" in type(backend).__module__ or "null" in type(backend).__module__:
        raise StepFailed(f"no usable keychain (keyring chose {name}); API keys cannot be stored")
    answer: list[object] = []

    def read() -> None:
        try:
            answer.append(keyring.get_password(KEYCHAIN_SERVICE, "absent-entry"))
        except Exception as exc:
            answer.append(exc)

    worker = threading.Thread(target=read, name="selftest-keychain", daemon=True)
    worker.start()
    worker.join(KEYCHAIN_TIMEOUT)
    if not answer:
        raise StepFailed(
            f"{name} did not answer within {KEYCHAIN_TIMEOUT:.0f} s "
            "(locked, or waiting for a password prompt?)"
        )
    if isinstance(answer[0], Exception):
        raise StepFailed(f"{name} refused a read: {answer[0]}")
    if answer[0] is not None:
        raise StepFailed(f"{name} returned a value for an entry that does not exist")
    return f"{name} answered" + (", AES-CBC ok" if sys.platform.startswith("linux") else "")


# NIST SP 800-38A, F.2.1 (CBC-AES128.Encrypt), first two blocks.
CBC_KEY = "2b7e151628aed2a6abf7158809cf4f3c"
CBC_IV = "000102030405060708090a0b0c0d0e0f"
CBC_PLAIN = "6bc1bee22e409f96e93d7e117393172aae2d8a571e03ac9c9eb76fac45af8e51"
CBC_CIPHER = "7649abac8119b246cee98e9b12e9197d5086cb9b507219ee95db113a917678b2"


def secret_service_cipher() -> None:
    """The cipher secretstorage protects secrets with on their way to the Secret
    Service, called as it calls it, against the standard's known answer. The Linux
    bundle ships a small libcrypto-backed stand-in for the `cryptography` package
    (packaging/shims/cryptography), and reading an absent entry never encrypts."""
    from cryptography.hazmat.backends import default_backend
    from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes

    key, iv, plain = bytes.fromhex(CBC_KEY), bytes.fromhex(CBC_IV), bytes.fromhex(CBC_PLAIN)
    cipher = Cipher(algorithms.AES(key), modes.CBC(iv), default_backend())
    encryptor = cipher.encryptor()
    sealed = encryptor.update(plain) + encryptor.finalize()
    if sealed.hex() != CBC_CIPHER:
        raise StepFailed("AES-CBC gave a wrong ciphertext for the NIST test vector")
    decryptor = cipher.decryptor()
    if decryptor.update(sealed) + decryptor.finalize() != plain:
        raise StepFailed("AES-CBC did not decrypt the NIST test vector back")


STEPS: tuple[Step, ...] = (
    Step("account", step_account),
    Step("import", step_import, needs=("account",)),
    Step("reconcile", step_reconcile, needs=("import",)),
    Step("simulation", step_simulation),
    Step("libraries", step_libraries),
    Step("text", step_text),
    Step("window", step_window),
    Step("keychain", step_keychain),
)


# -- the runner --------------------------------------------------------------------


def run_steps(
    ctx: AppContext,
    steps: tuple[Step, ...] = STEPS,
    *,
    skip: tuple[str, ...] = (),
    report: Callable[[StepResult], None] = lambda r: None,
) -> list[StepResult]:
    state = State(ctx)
    results: list[StepResult] = []
    status: dict[str, str] = {}
    for step in steps:
        start = time.perf_counter()
        missing = [n for n in step.needs if status.get(n) != "ok"]
        if step.name in skip:
            result = StepResult(step.name, "skipped", "skipped: --skip")
        elif missing:
            result = StepResult(step.name, "skipped", f"skipped: needs {', '.join(missing)}")
        else:
            try:
                result = StepResult(step.name, "ok", step.run(state))
            except StepFailed as exc:
                result = StepResult(step.name, "failed", str(exc))
            except Exception as exc:
                logger.exception("self-test step %s", step.name)
                message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
                result = StepResult(
                    step.name,
                    "failed",
                    f"{type(exc).__name__}: {one_line(message)}",
                    trace=traceback.format_exc(),
                )
        result.seconds = time.perf_counter() - start
        status[step.name] = result.status
        results.append(result)
        report(result)
    return results


def one_line(message: str, limit: int = 300) -> str:
    """A long multi-line error (numpy's ImportError is 20 lines of advice before the
    cause) as one line that keeps its start and its end, where the cause usually is."""
    text = " / ".join(line.strip() for line in message.splitlines() if line.strip())
    if len(text) <= limit:
        return text
    return f"{text[: limit // 3]} … {text[-(limit - limit // 3) :]}"


def summary(results: list[StepResult], seconds: float) -> str:
    failed = [r for r in results if r.status == "failed"]
    ok = sum(r.status == "ok" for r in results)
    skipped = [r.name for r in results if r.status == "skipped"]
    tail = f", {len(skipped)} skipped ({', '.join(skipped)})" if skipped else ""
    if failed:
        first = failed[0]
        return (
            f"self-test FAILED at step '{first.name}': {first.detail} "
            f"({ok} ok, {len(failed)} failed{tail}, {seconds:.1f} s)"
        )
    return f"self-test passed: {ok} ok{tail} in {seconds:.1f} s"


def _self_test(args: argparse.Namespace) -> int:
    from portfolioos import __version__
    from portfolioos.gui.selftest import choose_platform
    from portfolioos.logsetup import setup_logging
    from portfolioos.paths import DataPaths
    from portfolioos.services.context import AppContext

    choose_platform()  # before anything can load Qt
    started = time.perf_counter()
    folder = Path(tempfile.mkdtemp(prefix="portfolioos-selftest-"))
    paths = DataPaths(folder / "data").ensure()
    setup_logging(paths.log_file, verbose=bool(getattr(args, "verbose", False)))
    frozen = " (bundle)" if getattr(sys, "frozen", False) else ""
    if not args.json:
        print(f"PortfolioOS {__version__}{frozen} self-test in {paths.root}")

    def show(r: StepResult) -> None:
        if not args.json:
            print(f"  {r.status:8} {r.name:11} {r.detail} ({r.seconds:.1f} s)", flush=True)
            if r.trace and getattr(args, "verbose", False):
                print(r.trace, file=sys.stderr)

    try:
        with AppContext.open(paths.root, writer=True) as ctx:
            results = run_steps(ctx, skip=tuple(args.skip), report=show)
    finally:
        if not args.keep:
            _remove(folder)
    line = summary(results, time.perf_counter() - started)
    passed = not any(r.status == "failed" for r in results)
    if args.json:
        print(
            json.dumps(
                {
                    "passed": passed,
                    "version": __version__,
                    "frozen": bool(frozen),
                    "summary": line,
                    "steps": [
                        {
                            "name": r.name,
                            "status": r.status,
                            "detail": r.detail,
                            "seconds": round(r.seconds, 3),
                        }
                        for r in results
                    ],
                }
            )
        )
    else:
        if args.keep:
            print(f"data folder kept: {paths.root}")
        print(line)
    return 0 if passed else 1


def _remove(folder: Path) -> None:
    import shutil

    logging.shutdown()  # the log file lives inside the folder (Windows keeps it open)
    shutil.rmtree(folder, ignore_errors=True)
