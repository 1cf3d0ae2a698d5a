"""The self-test's `text` step against this interpreter's Qt (full ICU data)."""

from __future__ import annotations

import sys

import pytest

from portfolioos.gui import textcheck


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="ICU-backed Qt on Linux")
def test_every_check_passes_with_full_icu_data() -> None:
    report = textcheck.check_text_services()
    assert report.collation == len(textcheck.COLLATION)
    assert report.case == len(textcheck.CASE)
    assert report.encodings == len(textcheck.ENCODINGS)
    assert report.zone == textcheck.ZONE_NAME_EN
