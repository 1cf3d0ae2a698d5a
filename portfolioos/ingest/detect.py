"""Which profile fits a table: the header row with the most of a profile's columns.

Detection reads only header cells, never data, so the answer is explainable: on
failure the message names the closest profile and the headers it expected.
"""

from __future__ import annotations

from dataclasses import dataclass

from portfolioos.errors import ImportFileError
from portfolioos.ingest.profiles import SUM_FIELDS, Profile, norm_header, readable_header
from portfolioos.ingest.table import Table

HEADER_SCAN_ROWS = 80


@dataclass(frozen=True, slots=True)
class HeaderMatch:
    row: int  # index into table.rows
    columns: dict[str, tuple[int, ...]]  # ledger field -> cell indices
    names: tuple[str, ...]  # the header cells as written
    score: float
    missing: tuple[str, ...]


def match_header(
    cells: tuple[str, ...], profile: Profile
) -> tuple[dict[str, tuple[int, ...]], list[str]]:
    normed = [norm_header(c) for c in cells]
    found: dict[str, tuple[int, ...]] = {}
    for fld in profile.columns:
        hits: list[int] = []
        for wanted in profile.headers_for(fld):
            offset = 0
            if wanted.endswith(("+1", "+2")):
                wanted, offset = wanted[:-2], int(wanted[-1])
            hits.extend(
                i + offset for i, h in enumerate(normed) if h == wanted and i + offset < len(normed)
            )
            if hits and fld not in SUM_FIELDS:
                break
        if hits:
            found[fld] = tuple(dict.fromkeys(hits)) if fld in SUM_FIELDS else (hits[0],)
    missing = [f for f in profile.required if f not in found]
    return found, missing


def _score(profile: Profile, found: dict[str, tuple[int, ...]], cells: tuple[str, ...]) -> float:
    normed = {norm_header(c) for c in cells}
    signature = sum(1 for s in profile.signature if norm_header(s) in normed)
    return len(found) + 2 * signature


def locate(table: Table, profile: Profile) -> HeaderMatch | None:
    """The best header row for this profile, or None when its required columns are absent."""
    best: HeaderMatch | None = None
    for index, row in enumerate(table.rows[:HEADER_SCAN_ROWS] if not profile.parts else ()):
        if row.blank:
            continue
        found, missing = match_header(row.cells, profile)
        score = _score(profile, found, row.cells) - 100 * len(missing)
        if best is None or score > best.score:
            best = HeaderMatch(index, found, row.cells, score, tuple(missing))
    if profile.parts:
        return _locate_sections(table, profile)
    return best


def _locate_sections(table: Table, profile: Profile) -> HeaderMatch | None:
    sections = {p.section for p in profile.parts}
    score = 0.0
    first: int | None = None
    for index, row in enumerate(table.rows):
        if len(row.cells) > 2 and row.cells[1] == "Header" and row.cells[0] in sections:
            part = next(p for p in profile.parts if p.section == row.cells[0])
            found, missing = match_header(row.cells[2:], part)
            if not missing:
                score += len(found) + 5
                first = index if first is None else first
    if first is None:
        return HeaderMatch(0, {}, (), -100.0, ("a 'Trades,Header,...' section",))
    return HeaderMatch(first, {}, (), score, ())


def detect(table: Table, profiles: tuple[Profile, ...]) -> tuple[Profile, HeaderMatch]:
    """The profile whose header fits best; ImportFileError naming the closest otherwise."""
    scored: list[tuple[float, Profile, HeaderMatch]] = []
    for profile in profiles:
        match = locate(table, profile)
        if match is not None:
            scored.append((match.score, profile, match))
    complete = [s for s in scored if not s[2].missing]
    if complete:
        _, profile, match = max(complete, key=lambda s: s[0])
        return profile, match
    if not scored:
        raise ImportFileError(f"{table.name}: no header row found.")
    _, closest, match = max(scored, key=lambda s: s[0])
    line = table.rows[match.row].line if table.rows else 1
    raise ImportFileError(
        f"{table.name}: not a layout PortfolioOS knows. Closest: {closest.title} (header "
        f"looked for near line {line}), which expects the headers "
        f"{', '.join(closest.expected_headers())}; missing: "
        f"{', '.join(_missing_names(closest, match))}. Choose a broker with --broker or save a "
        "column mapping for this account."
    )


def _missing_names(profile: Profile, match: HeaderMatch) -> list[str]:
    if profile.parts:
        return list(match.missing)
    return [" or ".join(_quoted(h) for h in profile.columns.get(f, (f,))) for f in match.missing]


def _quoted(header: str) -> str:
    readable = readable_header(header)
    return f"'{header}'" if readable == header else readable
