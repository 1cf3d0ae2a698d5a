"""The Linux bundle: build time, size on disk, and start to first painted window.

The launch figure is measured the way benchmarks/startup.py measures the source tree:
a fresh process with Qt offscreen and PORTFOLIOOS_QUIT_AFTER_PAINT=1, timed from
launch to exit. The baseline, measured in the same run, is `python -m portfolioos` from
this checkout; the ratio says what the bundle adds (or saves) over running from source.

    python benchmarks/bundle.py [--no-build] [--runs 7]

--no-build reuses dist/PortfolioOS from an earlier `make bundle`.
"""

from __future__ import annotations

import argparse
import compileall
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BUNDLE = REPO / "dist" / "PortfolioOS"
SIZE_GOAL_MB = 250
LAUNCH_GOAL_S = 2.0


def tree_size(root: Path) -> int:
    """Bytes on disk of every regular file (symlinks counted once, as links)."""
    total = 0
    for dirpath, _dirs, files in os.walk(root):
        for name in files:
            path = Path(dirpath) / name
            if not path.is_symlink():
                total += path.stat().st_size
    return total


# Components, by the first part of each file's path under _internal/ (globs, first
# match wins); what matches none is counted under its own top-level name.
COMPONENTS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("DuckDB", ("_duckdb*", "duckdb", "duckdb-*")),
    ("pyarrow", ("pyarrow", "pyarrow-*", "libarrow*", "libparquet*")),
    ("Qt: ICU (libicu*, data trimmed)", ("PySide6/Qt/lib/libicu*",)),
    ("Qt: libraries (Core, Gui, Widgets, ...)", ("PySide6/Qt/lib",)),
    ("Qt: plugins", ("PySide6/Qt/plugins",)),
    ("Qt: Python bindings (PySide6, shiboken6)", ("PySide6", "shiboken6")),
    ("numpy + OpenBLAS (numpy.libs)", ("numpy", "numpy.libs", "numpy-*")),
    ("pandas", ("pandas", "pandas-*")),
    ("Python runtime (libpython, stdlib)", ("libpython*", "python3*", "base_library.zip")),
    ("OpenSSL (libcrypto, libssl)", ("libcrypto*", "libssl*")),
    ("curl_cffi (yfinance's HTTP)", ("curl_cffi", "curl_cffi-*", "_cffi_backend*")),
    ("cryptography", ("cryptography", "cryptography-*")),
    ("system libraries (X11/xcb, fontconfig, glib, D-Bus, libstdc++...)", ("lib*.so*",)),
    ("resources (demo data, market history)", ("resources",)),
)


def components(root: Path) -> list[tuple[int, str]]:
    """Bytes per component of the bundle, largest first (symlinks not counted); the
    executable (which holds every Python module, compressed) is one of them."""
    from fnmatch import fnmatchcase

    internal = root / "_internal"
    sizes: dict[str, int] = {}
    for dirpath, _dirs, files in os.walk(internal):
        for name in files:
            path = Path(dirpath) / name
            if path.is_symlink():
                continue
            rel = path.relative_to(internal).as_posix()
            label = next(
                (
                    label
                    for label, globs in COMPONENTS
                    for g in globs
                    if fnmatchcase(rel, g) or fnmatchcase(rel, g + "/*")
                ),
                "other: " + rel.split("/", 1)[0],
            )
            sizes[label] = sizes.get(label, 0) + path.stat().st_size
    for entry in root.iterdir():
        if entry.is_symlink() or entry == internal:
            continue
        if entry.is_dir():
            label = f"{entry.name}/ (desktop entry, icons)"
        elif os.access(entry, os.X_OK) and entry.suffix != ".sh":
            label = f"executable {entry.name} (all Python code, compressed)"
        else:
            label = f"other: {entry.name}"
        size = tree_size(entry) if entry.is_dir() else entry.stat().st_size
        sizes[label] = sizes.get(label, 0) + size
    return sorted(((b, label) for label, b in sizes.items()), reverse=True)


def timed(cmd: list[str], env: dict[str, str]) -> float:
    start = time.perf_counter()
    subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--no-build", action="store_true", help="reuse dist/PortfolioOS")
    parser.add_argument("--runs", type=int, default=7)
    args = parser.parse_args()

    if not args.no_build:
        env = dict(os.environ)
        env.setdefault("PYTHON", sys.executable)
        start = time.perf_counter()
        subprocess.run([str(REPO / "packaging" / "linux" / "build.sh")], env=env, check=True)
        print(f"build (packaging/linux/build.sh): {time.perf_counter() - start:7.1f} s")
    exe = BUNDLE / "portfolioos"
    if not exe.is_file():
        print(f"no bundle at {BUNDLE}; run without --no-build", file=sys.stderr)
        return 1

    total = tree_size(BUNDLE)
    size_mb = total / 1e6
    print(
        f"bundle size on disk: {size_mb:7.1f} MB = {total / 2**20:.1f} MiB "
        f"(goal <= {SIZE_GOAL_MB} MB)"
    )
    for tarball in sorted((REPO / "dist").glob("PortfolioOS-*-linux-*.tar.gz")):
        print(f"  {tarball.name}: {tarball.stat().st_size / 1e6:.1f} MB")
    parts = components(BUNDLE)
    print("  by component (MB):")
    small = 0
    for size, label in parts:
        if size >= 1e6:
            print(f"    {size / 1e6:6.1f}  {label}")
        else:
            small += size
    print(f"    {small / 1e6:6.1f}  everything else under 1 MB each")

    env = dict(os.environ, QT_QPA_PLATFORM="offscreen", PORTFOLIOOS_QUIT_AFTER_PAINT="1")
    env.pop("PYTHONDONTWRITEBYTECODE", None)
    compileall.compile_dir(str(REPO / "portfolioos"), quiet=1)  # source as installed
    src_env = dict(env, PYTHONPATH=str(REPO) + os.pathsep + env.get("PYTHONPATH", ""))
    work = Path(tempfile.mkdtemp(prefix="portfolioos-bench-"))
    bundle_cmd = [str(exe), "--data-dir", str(work / "bundle")]
    source_cmd = [sys.executable, "-m", "portfolioos", "--data-dir", str(work / "source")]

    first = timed(bundle_cmd, env)  # creates the data folder; warms the file cache
    timed(source_cmd, src_env)
    bundle_times, source_times = [], []
    for _ in range(args.runs):
        bundle_times.append(timed(bundle_cmd, env))
        source_times.append(timed(source_cmd, src_env))
    b_med, s_med = statistics.median(bundle_times), statistics.median(source_times)
    print(f"bundle first start (creates the data folder): {first * 1000:7.0f} ms")
    print(
        f"bundle, start to first paint:          {b_med * 1000:7.0f} ms "
        f"(median of {args.runs}, min {min(bundle_times) * 1000:.0f}; goal <= "
        f"{LAUNCH_GOAL_S * 1000:.0f} ms)"
    )
    print(
        f"python -m portfolioos (source), same:  {s_med * 1000:7.0f} ms "
        f"(median of {args.runs}, min {min(source_times) * 1000:.0f})"
    )
    print(f"ratio bundle / source: {b_med / s_med:.2f}")
    ok = size_mb <= SIZE_GOAL_MB and b_med <= LAUNCH_GOAL_S
    print("goals met" if ok else "goals NOT met")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
