"""The `text` step of `portfolioos self-test`: Qt's ICU-backed text services answer.

On Linux, Qt Core hands collation, locale case mapping, time-zone names and legacy
encodings to ICU, and the bundle ships a trimmed ICU data library
(packaging/linux/icu_trim.py). A missing data item does not crash anything: ICU falls
back to root rules, so "ä" sorts like "a" in Swedish, Turkish "i" upper-cases to "I",
a Shift_JIS file no longer decodes. Each check below has an answer that only the
right data gives, with Python's own codecs as the oracle for the encodings.

On macOS and Windows Qt uses the operating system's services instead, whose answers
are not ours to pin down; the step says so and passes.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass

# (locale, a, b, expected sign of compare(a, b), numeric mode, why)
COLLATION = (
    ("sv_SE", "ä", "z", 1, False, "Swedish sorts ä after z"),
    ("de_DE", "ä", "z", -1, False, "German sorts ä with a"),
    ("zh_CN", "阿", "波", -1, False, "Chinese sorts by pinyin (a before bo)"),
    ("en_US", "file10", "file9", 1, True, "numeric mode compares digits as numbers"),
)
CASE = (
    ("tr_TR", "upper", "i", "İ"),
    ("de_DE", "upper", "straße", "STRASSE"),
    ("el_GR", "lower", "ΣΑΣ", "σας"),  # final sigma needs ICU's context rules
)
# (Qt/ICU name, Python codec, sample)
ENCODINGS = (
    ("windows-1252", "cp1252", "€ café"),
    ("ISO-8859-15", "iso8859_15", "€ 15"),
    ("KOI8-R", "koi8_r", "Привет"),
    ("Shift_JIS", "shift_jis", "日本語"),
    ("EUC-JP", "euc_jp", "日本語"),
    ("ISO-2022-JP", "iso2022_jp", "日本語"),
    ("GB18030", "gb18030", "中文"),
    ("Big5", "big5", "繁體"),
    ("EUC-KR", "euc_kr", "한국어"),
)
ZONE = "Europe/Berlin"
ZONE_NAME_EN = "Central European Standard Time"


class TextCheckFailed(RuntimeError):
    """One of Qt's text services gave an answer only missing ICU data explains."""


@dataclass(frozen=True, slots=True)
class TextReport:
    collation: int
    case: int
    encodings: int
    zone: str

    def summary(self) -> str:
        return (
            f"collation {self.collation} ok, case mapping {self.case} ok, "
            f"{self.encodings} encodings decoded, {ZONE} '{self.zone}'"
        )


def applies() -> bool:
    return sys.platform.startswith("linux")


def check_text_services() -> TextReport:
    """Run every check; raise TextCheckFailed listing each wrong answer."""
    problems: list[str] = []
    report = TextReport(
        collation=_collation(problems),
        case=_case(problems),
        encodings=_encodings(problems),
        zone=_zone(problems),
    )
    if problems:
        raise TextCheckFailed("; ".join(problems))
    return report


def _collation(problems: list[str]) -> int:
    from PySide6.QtCore import QCollator, QLocale

    ok = 0
    for locale, a, b, sign, numeric, why in COLLATION:
        collator = QCollator(QLocale(locale))
        collator.setNumericMode(numeric)
        got = collator.compare(a, b)
        if (got > 0) - (got < 0) == sign:
            ok += 1
        else:
            problems.append(f"QCollator({locale}).compare({a!r}, {b!r}) = {got}: {why}")
    return ok


def _case(problems: list[str]) -> int:
    from PySide6.QtCore import QLocale

    ok = 0
    for locale, direction, text, expected in CASE:
        loc = QLocale(locale)
        got = loc.toUpper(text) if direction == "upper" else loc.toLower(text)
        if got == expected:
            ok += 1
        else:
            problems.append(f"QLocale({locale}).to{direction.title()}({text!r}) = {got!r}")
    return ok


def _encodings(problems: list[str]) -> int:
    """Decode an XML document declared in each encoding: QXmlStreamReader goes through
    QStringDecoder, the one Qt path PySide6 exposes that decodes named encodings."""
    from PySide6.QtCore import QBuffer, QByteArray, QIODevice, QXmlStreamReader

    ok = 0
    for name, codec, sample in ENCODINGS:
        raw = f'<?xml version="1.0" encoding="{name}"?><t>{sample}</t>'.encode(codec)
        buffer = QBuffer()
        buffer.setData(QByteArray(raw))
        buffer.open(QIODevice.OpenModeFlag.ReadOnly)
        reader = QXmlStreamReader(buffer)
        text = ""
        while not reader.atEnd():
            reader.readNext()
            if reader.isCharacters():
                text += reader.text()
        if reader.hasError() or text != sample:
            error = reader.errorString() if reader.hasError() else f"got {text!r}"
            problems.append(f"{name}: {error}")
        else:
            ok += 1
    return ok


def _zone(problems: list[str]) -> str:
    from PySide6.QtCore import QDate, QDateTime, QLocale, QTime, QTimeZone

    zone = QTimeZone(ZONE.encode())
    if not zone.isValid():
        problems.append(f"QTimeZone({ZONE}) is not valid")
        return ""
    for month, hours in ((1, 1), (7, 2)):
        moment = QDateTime(QDate(2024, month, 15), QTime(12, 0), QTimeZone.utc())
        if zone.offsetFromUtc(moment) != hours * 3600:
            problems.append(f"{ZONE} is UTC{zone.offsetFromUtc(moment) / 3600:+g} in month {month}")
    name = zone.displayName(
        QTimeZone.TimeType.StandardTime, QTimeZone.NameType.LongName, QLocale("en_US")
    )
    if name != ZONE_NAME_EN:
        problems.append(f"{ZONE} is called {name!r} in English, not {ZONE_NAME_EN!r}")
    return str(name)
