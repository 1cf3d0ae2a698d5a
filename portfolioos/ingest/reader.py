"""One entry point: a file (and optionally a broker or a saved mapping) to a ParsedFile."""

from __future__ import annotations

from pathlib import Path

from portfolioos.errors import ImportFileError
from portfolioos.ingest.detect import detect, locate
from portfolioos.ingest.mapper import map_table
from portfolioos.ingest.model import ParsedFile
from portfolioos.ingest.ofx import looks_like_ofx, read_ofx
from portfolioos.ingest.profiles import PROFILES, Profile, by_name
from portfolioos.ingest.table import parse_table, read_bytes


def resolve_broker(broker: str) -> Profile | None:
    """None for auto-detection; the profile for a name; ImportFileError listing names."""
    if broker in ("", "auto"):
        return None
    profile = by_name(broker)
    if profile is None and broker.lower() != "ofx":
        names = ", ".join(["auto", *(p.name for p in PROFILES), "ofx"])
        raise ImportFileError(f"Unknown broker '{broker}'; choose one of {names}.")
    return profile


def read_file(
    path: Path,
    *,
    account_id: int,
    currency: str,
    broker: str = "auto",
    profile: Profile | None = None,
) -> ParsedFile:
    data = read_bytes(path)
    return read_data(
        data, path.name, account_id=account_id, currency=currency, broker=broker, profile=profile
    )


def read_data(
    data: bytes,
    name: str,
    *,
    account_id: int,
    currency: str,
    broker: str = "auto",
    profile: Profile | None = None,
) -> ParsedFile:
    if broker.lower() == "ofx" or (
        profile is None and broker in ("", "auto") and looks_like_ofx(data)
    ):
        return read_ofx(data, name, account_id=account_id, currency=currency)
    chosen = profile or resolve_broker(broker)
    table = parse_table(data, name)
    if chosen is None:
        chosen, match = detect(table, PROFILES)
    else:
        found = locate(table, chosen)
        if found is None or found.missing:
            missing = ", ".join(found.missing) if found else "its header row"
            raise ImportFileError(
                f"{name}: does not look like {chosen.title}: missing "
                f"{missing}; it expects the headers "
                f"{', '.join(chosen.expected_headers())}."
            )
        match = found
    parsed = map_table(table, chosen, match, account_id=account_id, currency=currency)
    if not parsed.entries and not parsed.rejected:
        raise ImportFileError(f"{name}: found the {chosen.title} header but no transactions.")
    return parsed
