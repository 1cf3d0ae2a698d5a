"""A smaller ICU data library for the Linux bundle.

PySide6's wheel ships ICU 73 with all of its data: libicudata.so.73 is 32 MB, one
symbol (`icudt73_dat`) holding a .dat package of ~3,900 items. Qt Core is the only
user (Gui, Widgets and the plugins import no ICU symbol), and it calls only:

- ucol_*  (QCollator: file dialogs sort names with it)       -> coll/ tree, all kept
- u_strToUpper/Lower (QLocale::toUpper/toLower)              -> case data built into
                                                               libicuuc, no items
- ucal_* getCanonicalTimeZoneID / getTimeZoneDisplayName     -> zoneinfo64, metaZones,
  (QTimeZone; offsets come from the system's tzdata)            timezoneTypes, the
                                                               root and English zone
                                                               names
- ucnv_*  (QStringConverter for encodings Qt lacks)          -> cnvalias.icu plus the
                                                               WHATWG encodings' tables

So this drops what no such call reads: break iterators and their CJK/Thai/Khmer/Lao/
Burmese dictionaries (Qt segments text itself), transliterators, number spell-out
rules, unit/currency/language/region display names, the zone names and calendar/number
data of languages other than English (QTimeZone::displayName falls back to English
there; the app is English-only, and Qt formats dates and numbers from its own CLDR
tables), stringprep/IDNA2003/spoof/character-name data, and ~170 legacy (mostly EBCDIC)
converters. Every collation tailoring stays.

    python icu_trim.py ORIGINAL.so OUTPUT.so       # prints what it did

The result is an ELF shared object with the same SONAME exporting the same symbol,
made with `icupkg` (Debian: icu-devtools) and the C compiler. Without either tool, or
if anything fails, `trim()` returns None and the caller keeps the original.
`portfolioos self-test` (step `text`) checks the bundled result: Swedish and German
collation, Turkish case mapping, time-zone ids and names, Shift_JIS/GB18030/Big5/
windows-1252 decoding.
"""

from __future__ import annotations

import fnmatch
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
from pathlib import Path

# Whole trees no Qt Core call reads.
DROP_TREES = ("brkitr", "translit", "rbnf", "unit", "curr", "lang", "region")
# Items at the top no Qt Core call reads: character names (u_charName), stringprep
# profiles (usprep, IDNA2003), spoof-checker confusables, emoji/layout properties.
DROP_TOP = ("unames.icu", "*.spp", "confusables*.cfu", "uemoji.icu", "ulayout.icu")
# zone/: the tree's own housekeeping and English; other languages fall back to root.
ZONE_KEEP = ("root.res", "pool.res", "res_index.res", "tzdbNames.res", "en.res", "en_*.res")
# The main locale tree at the top (de.res, fr_CA.res...: calendars, number formats,
# date patterns for udat/unum, which Qt does not call; Qt has its own CLDR tables for
# QLocale). ucal_open reads week data from it and falls back to root. Keep the tree's
# housekeeping and English; supplementalData, likelySubtags, zoneinfo64 and the other
# non-locale items are not locale-shaped and always stay.
MAIN_KEEP = ("root.res", "pool.res", "res_index.res", "en.res", "en_*.res")
LOCALE_ITEM = re.compile(r"^[a-z]{2,3}(_[A-Za-z0-9]+)*\.res$")
# Converters kept: the tables behind the WHATWG Encoding Standard's labels (what a
# browser decodes, so what a user's file may be in), resolved with ucnv_getName on
# ICU 73, plus the JIS X 0208/0212 tables ISO-2022-JP loads. UTF-*, ISO-8859-1,
# US-ASCII, ISO-2022 and the like are algorithmic and need no table.
KEEP_CONVERTERS = {
    "ibm-866_P100-1995",
    "ibm-912_P100-1995",
    "ibm-913_P100-2000",
    "ibm-914_P100-1995",
    "ibm-915_P100-1995",
    "ibm-1089_P100-1995",
    "ibm-9005_X110-2007",
    "ibm-5012_P100-1999",
    "ibm-920_P100-1995",
    "iso-8859_10-1998",
    "iso-8859_11-2001",
    "ibm-921_P100-1995",
    "iso-8859_14-1998",
    "ibm-923_P100-1998",
    "iso-8859_16-2001",
    "ibm-878_P100-1996",
    "ibm-1168_P100-2002",
    "macos-0_2-10.2",
    "macos-7_3-10.2",
    "windows-874-2000",
    "ibm-5346_P100-1998",
    "ibm-5347_P100-1998",
    "ibm-5348_P100-1997",
    "ibm-5349_P100-1998",
    "ibm-5350_P100-1998",
    "ibm-9447_P100-2002",
    "ibm-9448_X100-2005",
    "ibm-9449_P100-2002",
    "ibm-5354_P100-1998",
    "windows-936-2000",
    "ibm-1383_P110-1999",
    "gb18030",
    "windows-950-2000",
    "ibm-1375_P100-2008",
    "euc-jp-2007",
    "ibm-943_P15A-2003",
    "ibm-970_P110_P110-2006_U2",
    "windows-949-2000",
    "ibm-437_P100-1995",
    "ibm-850_P100-1995",
    "jisx-208",
    "jisx-212",
    # base tables of the extension-only windows-936/949/950 (icupkg checks this)
    "ibm-1386_P100-2001",
    "ibm-1363_P11B-1998",
    "ibm-1373_P100-2002",
}

SYMBOL = re.compile(rb"^icudt(\d+)_dat$")


def find_data_symbol(lib: bytes) -> tuple[str, int, int]:
    """(symbol name, file offset, size) of ICU's `icudt<N>_dat` in an ELF64 LE file."""
    if lib[:4] != b"\x7fELF" or lib[4] != 2 or lib[5] != 1:
        raise ValueError("not a 64-bit little-endian ELF file")
    (shoff,) = struct.unpack_from("<Q", lib, 0x28)
    shentsize, shnum = struct.unpack_from("<HH", lib, 0x3A)
    sections = []
    for i in range(shnum):
        name, kind, _flags, addr, offset, size, link, _info, _align, entsize = struct.unpack_from(
            "<IIQQQQIIQQ", lib, shoff + i * shentsize
        )
        sections.append((kind, addr, offset, size, link, entsize))
    for kind, _addr, offset, size, link, entsize in sections:
        if kind != 11:  # SHT_DYNSYM
            continue
        strtab = sections[link][2]
        for pos in range(offset, offset + size, entsize):
            st_name, _info, _other, shndx, value, st_size = struct.unpack_from("<IBBHQQ", lib, pos)
            end = lib.index(b"\0", strtab + st_name)
            name = lib[strtab + st_name : end]
            if SYMBOL.match(name) and 0 < shndx < len(sections):
                _k, s_addr, s_offset, _s, _l, _e = sections[shndx]
                return name.decode(), s_offset + (value - s_addr), st_size
    raise ValueError("no icudt<N>_dat symbol in the dynamic symbol table")


def soname(lib: Path) -> str:
    out = subprocess.run(["readelf", "-dW", str(lib)], capture_output=True, text=True)
    match = re.search(r"\(SONAME\)\s+Library soname: \[([^\]]+)\]", out.stdout)
    return match.group(1) if match else lib.name


def removals(items: list[str], also_drop: tuple[str, ...] = ()) -> list[str]:
    """Items of the package (as `icupkg -l` lists them) that the app never reads, plus
    any matching `also_drop` patterns (tests use that to break the data on purpose)."""
    out = []
    for item in items:
        tree, _, name = item.rpartition("/")
        if tree in DROP_TREES or any(fnmatch.fnmatchcase(item, p) for p in also_drop):
            out.append(item)
        elif tree == "zone":
            if not any(fnmatch.fnmatchcase(name, p) for p in ZONE_KEEP):
                out.append(item)
        elif not tree and _drop_at_top(name):
            out.append(item)
    return out


def _drop_at_top(name: str) -> bool:
    if any(fnmatch.fnmatchcase(name, p) for p in DROP_TOP):
        return True
    if name.endswith(".cnv"):
        return name[:-4] not in KEEP_CONVERTERS
    if LOCALE_ITEM.match(name):
        return not any(fnmatch.fnmatchcase(name, p) for p in MAIN_KEEP)
    return False


def trim(original: Path, output: Path, log=print, also_drop: tuple[str, ...] = ()) -> Path | None:
    """Write a trimmed copy of `original` to `output`; None (and why) when it cannot."""
    icupkg = shutil.which("icupkg") or next(
        (p for p in ("/usr/sbin/icupkg", "/usr/bin/icupkg") if os.access(p, os.X_OK)), None
    )
    cc = shutil.which(os.environ.get("CC", "cc")) or shutil.which("gcc")
    if icupkg is None or cc is None or shutil.which("readelf") is None:
        missing = [n for n, t in (("icupkg", icupkg), ("cc", cc)) if t is None]
        log(
            f"icu: {' and '.join(missing) or 'readelf'} not found; keeping the full ICU data "
            "(install icu-devtools and a C compiler for a ~28 MB smaller bundle)"
        )
        return None
    try:
        return _trim(original, output, icupkg, cc, log, also_drop)
    except (OSError, ValueError, subprocess.CalledProcessError) as exc:
        detail = getattr(exc, "stderr", None) or exc
        log(f"icu: trimming failed, keeping the full ICU data: {str(detail).strip()[:500]}")
        return None


def _trim(original: Path, output: Path, icupkg: str, cc: str, log, also_drop) -> Path:
    lib = original.read_bytes()
    symbol, offset, size = find_data_symbol(lib)
    with tempfile.TemporaryDirectory(prefix="icu-trim-") as tmp:
        work = Path(tmp)
        package = work / f"{symbol[:-4]}l.dat"  # icudt73l.dat: ICU's own name for it
        package.write_bytes(lib[offset : offset + size])
        listing = subprocess.run(
            [icupkg, "-l", str(package)], capture_output=True, text=True, check=True
        ).stdout.split()
        drop = removals(listing, also_drop)
        (work / "remove.txt").write_text("\n".join(drop) + "\n", encoding="ascii")
        # Same file name: icupkg names the items "<basename>/tree/item", and ICU only
        # finds items under its own package name.
        trimmed = work / "out" / package.name
        trimmed.parent.mkdir()
        # icupkg refuses to write a package whose kept items need a removed one
        # (resource pools, aliases, base tables of extension-only converters).
        subprocess.run(
            [icupkg, "-r", str(work / "remove.txt"), str(package), str(trimmed)],
            capture_output=True,
            text=True,
            check=True,
        )
        # ICU maps the data in place: 16-byte alignment, read-only, no code.
        (work / "data.S").write_text(
            "\t.section .rodata\n"
            f"\t.globl {symbol}\n"
            f"\t.type {symbol}, @object\n"
            "\t.balign 16\n"
            f"{symbol}:\n"
            f'\t.incbin "{trimmed}"\n'
            f"\t.size {symbol}, . - {symbol}\n"
            '\t.section .note.GNU-stack,"",@progbits\n',
            encoding="ascii",
        )
        output.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            [
                cc,
                "-shared",
                "-nostdlib",
                f"-Wl,-soname,{soname(original)}",
                "-Wl,-z,noexecstack",
                "-o",
                str(output),
                str(work / "data.S"),
            ],
            capture_output=True,
            text=True,
            check=True,
        )
        kept = len(listing) - len(drop)
        check_symbol, _o, new_size = find_data_symbol(output.read_bytes())
        if check_symbol != symbol:
            raise ValueError(f"the new library exports {check_symbol}, not {symbol}")
        log(
            f"icu: {original.name} {original.stat().st_size / 1e6:.1f} MB -> "
            f"{output.stat().st_size / 1e6:.1f} MB ({kept} of {len(listing)} items, "
            f"data {size / 1e6:.1f} -> {new_size / 1e6:.1f} MB)"
        )
        return output


if __name__ == "__main__":
    if len(sys.argv) != 3:
        print(__doc__.split("\n\n")[-3].strip(), file=sys.stderr)
        raise SystemExit(2)
    result = trim(Path(sys.argv[1]), Path(sys.argv[2]))
    raise SystemExit(0 if result else 1)
