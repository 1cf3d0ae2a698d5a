"""packaging/linux/icu_trim.py: the bundle's smaller ICU data library, checked the way
Qt uses it. The trimmed library is swapped in with LD_PRELOAD (same SONAME, so Qt Core's
own copy is never loaded) in a child process that runs the self-test's `text` checks."""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest

REPO = Path(__file__).resolve().parents[2]

pytestmark = [
    pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux bundles only"),
    pytest.mark.skipif(
        shutil.which("icupkg") is None and not Path("/usr/sbin/icupkg").exists(),
        reason="needs icupkg (icu-devtools)",
    ),
    pytest.mark.skipif(shutil.which("cc") is None, reason="needs a C compiler"),
]

CHECK = "from portfolioos.gui.textcheck import check_text_services as c\nprint(c().summary())\n"


def icu_trim() -> ModuleType:
    spec = importlib.util.spec_from_file_location(
        "icu_trim", REPO / "packaging" / "linux" / "icu_trim.py"
    )
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def qt_icudata() -> Path:
    spec = importlib.util.find_spec("PySide6")  # where, without loading Qt here
    assert spec and spec.origin
    found = sorted((Path(spec.origin).parent / "Qt" / "lib").glob("libicudata.so.*"))
    if not found:
        pytest.skip("this PySide6 does not ship ICU")
    return found[0]


def run_check(library: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, LD_PRELOAD=str(library), PYTHONPATH=str(REPO))
    env["QT_QPA_PLATFORM"] = "offscreen"
    return subprocess.run(
        [sys.executable, "-c", CHECK], env=env, capture_output=True, text=True, timeout=120
    )


def test_trimmed_data_answers_every_text_check(tmp_path: Path) -> None:
    original = qt_icudata()
    messages: list[str] = []
    out = icu_trim().trim(original, tmp_path / original.name, log=messages.append)
    assert out is not None, messages
    assert out.stat().st_size < original.stat().st_size / 2, messages
    proc = run_check(out)
    assert proc.returncode == 0, proc.stderr
    assert "collation 4 ok" in proc.stdout and "9 encodings decoded" in proc.stdout


def test_the_check_notices_missing_collation_and_zone_data(tmp_path: Path) -> None:
    original = qt_icudata()
    out = icu_trim().trim(
        original,
        tmp_path / original.name,
        log=lambda m: None,
        also_drop=("coll/sv*", "coll/zh*", "coll/yue*", "zone/en*", "ibm-943*"),
    )
    assert out is not None
    proc = run_check(out)
    assert proc.returncode != 0
    assert "QCollator(sv_SE)" in proc.stderr and "QCollator(zh_CN)" in proc.stderr
    assert "QCollator(de_DE)" not in proc.stderr  # German data was kept
    assert "Shift_JIS" in proc.stderr and "in English" in proc.stderr


def test_a_removal_that_breaks_a_dependency_keeps_the_original(tmp_path: Path) -> None:
    """Cantonese collation builds on Chinese: icupkg refuses, trim() falls back."""
    messages: list[str] = []
    out = icu_trim().trim(
        qt_icudata(), tmp_path / "x.so", log=messages.append, also_drop=("coll/zh*",)
    )
    assert out is None
    assert "coll/yue.res depends on missing item coll/zh_Hant.res" in messages[0]


def test_without_the_tools_the_original_is_kept(tmp_path: Path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("PATH", str(tmp_path))  # no icupkg, no cc
    module = icu_trim()
    monkeypatch.setattr(module.os, "access", lambda *a: False)
    messages: list[str] = []
    assert module.trim(qt_icudata(), tmp_path / "x.so", log=messages.append) is None
    assert "keeping the full ICU data" in messages[0]


def test_data_symbol_is_found_in_the_wheel_library() -> None:
    original = qt_icudata()
    name, offset, size = icu_trim().find_data_symbol(original.read_bytes())
    assert name.startswith("icudt") and name.endswith("_dat")
    with original.open("rb") as fh:
        fh.seek(offset)
        header = fh.read(4)
    assert header[2:4] == b"\xda\x27"  # ICU's data header magic
    assert offset + size <= original.stat().st_size
