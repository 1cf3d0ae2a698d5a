"""Hypothesis against the readers: arbitrary bytes and mangled rows end in a located
ImportFileError or in located rejected rows, never in another exception."""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from portfolioos.errors import ImportFileError
from portfolioos.ingest.reader import read_data

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "brokers"
SAMPLES = sorted(p.name for p in FIXTURES.iterdir() if not p.name.endswith(".expected.csv"))
FUZZ = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def check(data: bytes, name: str = "input.csv") -> None:
    try:
        parsed = read_data(data, name, account_id=1, currency="USD")
    except ImportFileError as exc:
        assert exc.message.startswith(name), exc.message
        return
    for issue in parsed.rejected:
        assert issue.line is not None or issue.column is not None, issue
        assert issue.message


@FUZZ
@given(st.binary(max_size=2000))
def test_arbitrary_bytes(data: bytes) -> None:
    check(data)


@FUZZ
@given(st.sampled_from(SAMPLES), st.binary(max_size=200))
def test_ofx_and_csv_headers_with_garbage(sample: str, tail: bytes) -> None:
    head = (FIXTURES / sample).read_bytes()[:300]
    check(head + tail, sample)


_CELL = st.one_of(
    st.text(max_size=12),
    st.sampled_from(
        [
            "",
            "--",
            "(1,234.50)",
            "$-3.00",
            "1e400",
            "NaN",
            "Infinity",
            "0",
            "-0",
            "99999999999999999999999999999",
            "13/45/2023",
            "2023-02-30",
            "=cmd()",
            '"',
            "\x00",
            "\u00e9\u20ac",
            "0.000000000000001",
            "1.234,56",
            "12-",
        ]
    ),
)


@FUZZ
@given(st.sampled_from(SAMPLES), st.data())
def test_mangled_rows(sample: str, data: st.DataObject) -> None:
    raw = (FIXTURES / sample).read_bytes()
    text = raw.decode("utf-8", errors="replace").replace("\ufeff", "")
    lines = text.splitlines()
    for _ in range(data.draw(st.integers(1, 4))):
        if len(lines) < 2:
            break
        i = data.draw(st.integers(1, len(lines) - 1))
        cells = lines[i].split(",")
        action = data.draw(st.sampled_from(["replace", "drop", "dup", "cut", "widen"]))
        if action == "replace" and cells:
            j = data.draw(st.integers(0, len(cells) - 1))
            cells[j] = data.draw(_CELL)
        elif action == "drop" and cells:
            cells.pop(data.draw(st.integers(0, len(cells) - 1)))
        elif action == "dup":
            lines.insert(i, lines[i])
        elif action == "cut":
            lines[i] = lines[i][: data.draw(st.integers(0, len(lines[i])))]
            continue
        elif action == "widen":
            cells.extend(data.draw(st.lists(_CELL, max_size=3)))
        lines[i] = ",".join(cells)
    check("\n".join(lines).encode("utf-8", errors="replace"), sample)
