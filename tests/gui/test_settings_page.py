from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from keyring.backends import fail
from PySide6.QtWidgets import QApplication

from portfolioos.gui.main_window import MainWindow
from portfolioos.gui.pages.settings import SettingsPage
from portfolioos.gui.theme import apply_theme
from portfolioos.secrets import Keychain
from portfolioos.services.context import AppContext
from tests.gui.helpers import answer_next_box
from tests.llm_servers import FakeLLMServer, serving


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


# -- providers, keys, data sources and backups --------------------------------------


@pytest.fixture(autouse=True)
def light_theme_after() -> Iterator[None]:
    yield
    app = QApplication.instance()
    assert isinstance(app, QApplication)
    apply_theme(app, "light")


@pytest.fixture
def server() -> Iterator[FakeLLMServer]:
    with serving("openai") as s:
        yield s


@pytest.fixture
def session_keys(ctx: AppContext) -> AppContext:
    """keyring's fail backend, as on a Linux box without a Secret Service."""
    ctx.__dict__["keychain"] = Keychain(ctx.paths.root, config=ctx.config, backend=fail.Keyring())
    return ctx


def settings(window: MainWindow, section: str) -> SettingsPage:
    page = window.show_page("Settings")
    assert isinstance(page, SettingsPage)
    page.show_section(section)
    return page


def test_theme_is_applied_live(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = settings(window, "general")
    page.theme.setCurrentIndex(page.theme.findData("dark"))
    page.save()
    assert QApplication.instance().property("darkTheme") is True  # type: ignore[union-attr]
    page.theme.setCurrentIndex(page.theme.findData("light"))
    page.save()
    assert QApplication.instance().property("darkTheme") is False  # type: ignore[union-attr]


def test_provider_add_test_default_edit_from_the_page(
    qtbot, session_keys: AppContext, server: FakeLLMServer
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(session_keys)
    qtbot.addWidget(window)
    page = settings(window, "assistant")
    section = page.providers
    assert section.model.rowCount() == 0

    dialog = section.add()
    dialog.type.setCurrentIndex(dialog.type.findData("lmstudio"))
    assert dialog.endpoint.text() == "http://localhost:1234/v1"  # the type's default
    dialog.name.setText("Studio")
    dialog.endpoint.setText(server.url)
    dialog.model.setText("test-model")
    dialog.save()
    assert not dialog.isVisible()
    studio = session_keys.assistant.providers.get("Studio")
    assert (studio.is_local, studio.privacy_level.value, studio.is_default) == (True, "full", True)
    assert [p.name for p in section.model.rows] == ["Studio"]

    # a bad endpoint is refused with the service's message, in the dialog
    dialog = section.add()
    dialog.type.setCurrentIndex(dialog.type.findData("openai_compatible"))
    dialog.name.setText("Other")
    dialog.endpoint.setText("ftp://example.org")
    dialog.save()
    assert dialog.error.isVisibleTo(dialog)
    assert "is not an http(s) URL" in dialog.error.text()
    dialog.endpoint.setText(server.url)
    dialog.model.setText("other-model")
    dialog.rate.setValue(12)
    dialog.save()
    other = session_keys.assistant.providers.get("Other")
    assert other.rate_limit_per_min == 12 and not other.is_default

    # test connection runs in a worker and reports what the server said
    section.select(studio.id)
    with qtbot.waitSignal(section.tested, timeout=10000) as tested:
        section.test_button.click()
    assert tested.args == [True]
    assert section.result.ok is True
    assert "2 model(s): test-model, other-model" in section.result.text()
    assert [(r.method, r.path) for r in server.requests] == [("GET", "/v1/models")]

    # set default
    section.select(other.id)
    section.default_button.click()
    assert session_keys.assistant.providers.get(None).name == "Other"
    assert section.selected() is not None and section.selected().name == "Other"  # type: ignore[union-attr]

    # edit
    dialog = section.edit_selected()
    assert dialog is not None and dialog.name.text() == "Other"
    dialog.model.setText("bigger-model")
    dialog.privacy.setCurrentIndex(dialog.privacy.findData("totals"))
    dialog.save()
    edited = session_keys.assistant.providers.get("Other")
    assert (edited.model, edited.privacy_level.value) == ("bigger-model", "totals")
    assert edited.is_default

    # remove (after a confirmation)
    answer_next_box(yes=True)
    section.remove_button.click()
    assert [p.name for p in session_keys.assistant.providers.providers()] == ["Studio"]


def test_testing_a_cloud_provider_asks_consent_first(
    qtbot, session_keys: AppContext, server: FakeLLMServer
) -> None:  # type: ignore[no-untyped-def]
    session_keys.keychain.set("openai-api-key", "sk-test-abcdef")
    cloud, _ = session_keys.assistant.add_provider("GPT", "openai", endpoint_url=server.url)
    window = MainWindow(session_keys)
    qtbot.addWidget(window)
    section = settings(window, "assistant").providers
    section.select(cloud.id)
    section.test_button.click()
    qtbot.waitUntil(lambda: section.consent_dialog is not None, timeout=5000)
    assert server.requests == []
    assert section.consent_dialog.payload.toPlainText().startswith(  # type: ignore[union-attr]
        f"GET {server.url}/models"
    )
    with qtbot.waitSignal(section.tested):
        section.consent_dialog.decline_button.click()  # type: ignore[union-attr]
    assert server.requests == []
    assert "nothing was sent" in section.result.text()

    section.test_button.click()
    qtbot.waitUntil(lambda: section.consent_dialog is not None, timeout=5000)
    with qtbot.waitSignal(section.tested, timeout=10000) as tested:
        section.consent_dialog.accept_button.click()  # type: ignore[union-attr]
    assert tested.args == [True]
    assert len(server.requests) == 1
    assert server.requests[0].headers["authorization"] == "Bearer sk-test-abcdef"
    assert session_keys.assistant.providers.get("GPT").consent is not None
    assert section.revoke_button.isEnabled()
    section.revoke_button.click()
    assert session_keys.assistant.providers.get("GPT").consent is None


def test_no_secure_keychain_shows_the_standing_warning_and_the_file_opt_in(
    qtbot, session_keys: AppContext
) -> None:  # type: ignore[no-untyped-def]
    window = MainWindow(session_keys)
    qtbot.addWidget(window)
    page = settings(window, "assistant")
    keys = page.keys
    qtbot.waitUntil(lambda: keys.model.rowCount() == 4, timeout=5000)
    status = session_keys.keychain.status()
    assert keys.banner.isVisibleTo(keys) and keys.banner.text() == status.warning
    assert keys.banner.action_button.text() == "Store keys in a file…"

    # a key set here is kept for the session, not written anywhere
    keys.select("openai-api-key")
    dialog = keys.set_selected()
    assert dialog is not None
    dialog.value.setText("sk-session-only-123")
    with qtbot.waitSignal(keys.loaded, timeout=5000):
        dialog.save()
    assert session_keys.keychain.get("openai-api-key") == "sk-session-only-123"
    row = next(k for k in keys.model.rows if k.name == "openai-api-key")
    assert row.is_set and row.mode == "session"
    root = session_keys.paths.root
    assert not [p for p in root.rglob("*") if p.is_file() and b"sk-session-only" in p.read_bytes()]

    # declining the opt-in changes nothing; accepting it switches to the file
    answer_next_box(yes=False)
    keys.banner.action_button.click()
    assert session_keys.keychain.mode() == "session"
    answer_next_box(yes=True)
    with qtbot.waitSignal(keys.loaded, timeout=5000):
        keys.banner.action_button.click()
    assert session_keys.keychain.mode() == "file"
    assert "UNENCRYPTED" in keys.banner.text()
    assert keys.banner.action_button.text() == "Stop using the file"


@pytest.mark.keyring
def test_keys_set_in_settings_land_in_the_keychain(qtbot, ctx: AppContext) -> None:  # type: ignore[no-untyped-def]
    import secretstorage

    name = f"gui{uuid.uuid4().hex[:8]}"
    provider, _ = ctx.assistant.add_provider(
        name, "openai_compatible", endpoint_url="http://127.0.0.1:9/v1"
    )
    key_name = provider.key_name
    assert key_name is not None
    window = MainWindow(ctx)
    qtbot.addWidget(window)
    keys = settings(window, "assistant").keys
    qtbot.waitUntil(lambda: keys.model.rowCount() == 5, timeout=10000)
    assert not keys.banner.isVisibleTo(keys)
    assert "system keychain" in keys.where.text()
    row = next(k for k in keys.model.rows if k.name == key_name)
    assert row.used_by == name and not row.is_set
    secret = f"sk-{uuid.uuid4().hex}"
    keys.select(key_name)
    dialog = keys.set_selected()
    assert dialog is not None
    dialog.value.setText(secret)
    try:
        with qtbot.waitSignal(keys.loaded, timeout=10000):
            dialog.save()
        assert dialog.value.text() == ""  # the field does not keep it
        conn = secretstorage.dbus_init()
        try:
            collection = secretstorage.get_default_collection(conn)
            found = [
                item.get_secret().decode()
                for item in collection.search_items(
                    {"service": "PortfolioOS", "username": key_name}
                )
            ]
        finally:
            conn.close()
        assert found == [secret]
        row = next(k for k in keys.model.rows if k.name == key_name)
        assert row.is_set and row.mode == "keychain"
        root = ctx.paths.root
        assert not [p for p in root.rglob("*") if p.is_file() and secret.encode() in p.read_bytes()]

        answer_next_box(yes=True)
        with qtbot.waitSignal(keys.loaded, timeout=10000):
            keys.delete_button.click()
        assert ctx.keychain.get(key_name) is None
    finally:
        ctx.keychain.delete(key_name)


def test_data_sources_are_switched_and_throttled(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = settings(window, "sources")
    page.sources.enabled["FRED"].setChecked(False)
    page.sources.limits["Yahoo Finance"].setValue(30)
    assert [
        (s.name, s.enabled, s.rate_limit_per_min) for s in window.ctx.settings.data_sources()
    ] == [
        ("Yahoo Finance", True, 30),
        ("FRED", False, 100),
    ]


def test_backup_create_list_and_staged_restore(qtbot, window: MainWindow) -> None:  # type: ignore[no-untyped-def]
    page = settings(window, "backups")
    section = page.backups
    assert section.model.rowCount() == 0
    with qtbot.waitSignal(section.created, timeout=20000) as created:
        section.create_button.click()
    backup = created.args[0]
    assert [b.name for b in section.model.rows] == [backup.name]
    assert [b.name for b in window.ctx.settings.list_backups()] == [backup.name]
    assert f"Backup {backup.name} created" in section.result.text()
    assert (backup.path / "portfolio.duckdb").is_file()

    assert section.selected() == backup  # the new backup is selected
    answer_next_box(yes=True)
    section.restore_button.click()
    assert window.ctx.settings.pending_restore() == backup.name
    assert section.pending.isVisibleTo(section)
    assert "will be restored when PortfolioOS next starts" in section.pending.text()
    section.pending.action_button.click()
    assert window.ctx.settings.pending_restore() is None
    assert not section.pending.isVisibleTo(section)


def test_backup_restored_from_the_page_is_applied_at_the_next_start(qtbot, data_dir) -> None:  # type: ignore[no-untyped-def]
    from portfolioos.domain.accounts import AccountDraft

    ctx = AppContext.open(data_dir)
    try:
        ctx.portfolio.create_account(AccountDraft(name="Before"))
        window = MainWindow(ctx)
        qtbot.addWidget(window)
        section = settings(window, "backups").backups
        with qtbot.waitSignal(section.created, timeout=20000) as created:
            section.create_button.click()
        backup = created.args[0]
        ctx.portfolio.create_account(AccountDraft(name="After"))
        answer_next_box(yes=True)
        section.restore_button.click()
        assert {a.name for a in ctx.portfolio.list_accounts()} == {"Before", "After"}
        window.close()
    finally:
        ctx.close()

    restarted = AppContext.open(data_dir)  # what the next start does
    try:
        assert [a.name for a in restarted.portfolio.list_accounts()] == ["Before"]
        window = MainWindow(restarted)
        qtbot.addWidget(window)
        section = settings(window, "backups").backups
        assert not section.pending.isVisibleTo(section)
        assert section.result.ok is True
        assert section.result.text().startswith(f"Restored backup {backup.name}")
        names = {b.name for b in section.model.rows}
        assert backup.name in names and any(n.endswith("before-restore") for n in names)
    finally:
        restarted.close()
