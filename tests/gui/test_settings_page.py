from __future__ import annotations

from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.pages.settings import SettingsPage


def test_preferences_are_saved_through_the_service(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = window.show_page("Settings")
    assert isinstance(page, SettingsPage)
    assert page.folder_label.text() == str(window.ctx.paths.root)
    page.base_currency.setText("eur")
    page.theme.setCurrentIndex(page.theme.findData("dark"))
    page.sync_interval.setValue(12)
    page.save()
    assert window.ctx.settings.get("base_currency") == "EUR"
    assert window.ctx.settings.get("theme") == "dark"
    assert window.ctx.settings.get("sync_interval_hours") == 12
    assert page.status.text() == "Saved."
    assert page.base_currency.text() == "EUR"


def test_bad_value_is_reported_and_not_saved(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = window.show_page("Settings")
    assert isinstance(page, SettingsPage)
    page.base_currency.setText("E1")
    page.save()
    assert window.ctx.settings.get("base_currency") == "USD"
    assert page.status.text() == ""
