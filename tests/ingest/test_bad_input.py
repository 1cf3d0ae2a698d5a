"""Bad input ends in one ImportFileError that says what is wrong and where: empty,
binary, undecodable, a runaway field, a header without rows, an unknown layout."""

from __future__ import annotations

import pytest

from portfolioos.errors import ImportFileError
from portfolioos.ingest.reader import read_data

HEADER = b"date,type,symbol,quantity,price,fees,amount,currency\n"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "f.csv, line 1: the file is empty."),
        (b"  \r\n\n", "f.csv, line 1: the file is empty."),
        (b"PK\x03\x04\x00\x00", "f.csv, line 1: this is a binary file"),
        (
            HEADER + b"2023-01-02,deposit,,,,,1,USD,\x81\x8d\n",
            "f.csv, line 2: the text is neither UTF-8 nor Windows-1252",
        ),
        (
            HEADER + b'2023-01-02,buy,"' + b"A" * 20_000 + b"\n",
            "f.csv, line 2, column 3: a field of 20001 characters is longer than the 10000",
        ),
        (HEADER, "f.csv: found the Generic CSV"),
        (b"Datum,Omschrijving,Bedrag\n01-02-2023,x,1\n", "f.csv: not a layout PortfolioOS knows"),
    ],
)
def test_bad_files_are_one_located_error(data: bytes, message: str) -> None:
    with pytest.raises(ImportFileError) as caught:
        read_data(data, "f.csv", account_id=1, currency="USD")
    assert caught.value.message.startswith(message), caught.value.message


def test_windows_1252_and_utf16_exports_are_read() -> None:
    row = "2023-01-02,deposit,,,,,1,USD,Caf\u00e9\n"
    header = HEADER.decode().rstrip("\n") + ",note\n"
    for data in ((header + row).encode("cp1252"), ("\ufeff" + header + row).encode("utf-16")):
        parsed = read_data(data, "f.csv", account_id=1, currency="USD")
        assert [e.note for e in parsed.entries] == ["Caf\u00e9"]
