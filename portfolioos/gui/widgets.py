"""Small widgets every page is made of: cards, progress, loading, empty and error states,
the ledger filter bar.

They carry no business logic and call no services: a page gives them values and wires
their signals. Colours come from `gui.colors`, so both themes work.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from PySide6.QtCore import QDate, QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QColor, QPainter, QPalette
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDateEdit,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QProgressBar,
    QPushButton,
    QSizePolicy,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from portfolioos.gui import colors
from portfolioos.gui import format as fmt
from portfolioos.gui.format import Tone

ALL = "All"


def _palette_event(event: QEvent) -> bool:
    # Palette events also arrive while a widget is still being built; callers wait
    # for their `_ready` flag.
    return event.type() in (QEvent.Type.PaletteChange, QEvent.Type.ApplicationPaletteChange)


def _scaled_font(widget: QWidget, factor: float, bold: bool = False) -> None:
    font = widget.font()
    font.setPointSizeF(font.pointSizeF() * factor)
    font.setBold(bold)
    widget.setFont(font)


class MetricCard(QFrame):
    """Title, one big value, a sub-line with the coloured change ("+$1,234 (+2.1%)")."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("metricCard")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        self.setBackgroundRole(QPalette.ColorRole.Base)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(14, 10, 14, 10)
        layout.setSpacing(2)
        self.title_label = QLabel(title)
        self.title_label.setObjectName("cardTitle")
        self.value_label = QLabel(fmt.DASH)
        self.value_label.setObjectName("cardValue")
        _scaled_font(self.value_label, 1.7, bold=True)
        self.value_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.sub_label = QLabel("")
        self.sub_label.setObjectName("cardSub")
        self.sub_label.setTextFormat(Qt.TextFormat.RichText)
        for label in (self.title_label, self.value_label, self.sub_label):
            layout.addWidget(label)
        self.tone = Tone.NEUTRAL
        self._sub = ("", "")
        self._ready = True
        self._restyle()

    def set_value(
        self,
        value: Any,
        *,
        currency: str = "USD",
        change: Any = None,
        fraction: Any = None,
        note: str = "",
        text: str | None = None,
    ) -> None:
        """Show money `value` (or a ready `text`) and an optional change with its tone.

        `change` is an amount, `fraction` a relative change (0.021 -> +2.1%); `note`
        follows in muted text ("vs. yesterday", "2 holdings unpriced").
        """
        self.value_label.setText(text if text is not None else fmt.money(value, currency))
        change_text, self.tone = ("", Tone.NEUTRAL)
        if change is not None or fraction is not None:
            change_text, self.tone = fmt.change(change, fraction, currency)
        self._sub = (change_text, note)
        self._restyle()

    def sub_text(self) -> str:
        return " ".join(part for part in self._sub if part)

    def _restyle(self) -> None:
        pal = self.palette()
        muted = colors.muted_text(pal).name()
        self.title_label.setStyleSheet(f"color: {muted};")
        change_text, note = self._sub
        parts = []
        if change_text:
            color = colors.tone_color(self.tone, pal).name()
            parts.append(f'<span style="color:{color}; font-weight:600;">{change_text}</span>')
        if note:
            parts.append(f'<span style="color:{muted};">{note}</span>')
        self.sub_label.setText("&nbsp;&nbsp;".join(parts))
        self.sub_label.setVisible(bool(parts))

    def changeEvent(self, event: QEvent) -> None:
        if _palette_event(event) and getattr(self, "_ready", False):
            self._restyle()
        super().changeEvent(event)


class ProgressPanel(QFrame):
    """Progress bar, message and Cancel for one `workers.Task`; hides itself when done.

    `start(fn, *args, ...)` runs `fn` through `workers.run_task` with the panel wired
    before the task starts (no race). `attach(task)` follows a task started elsewhere:
    call it right after `run_task`; a task that already finished before `attach` is not
    seen finishing, so prefer `start` for work that can be quick. Cancel calls
    `task.cancel()` (cooperative: the message says "Cancelling…" until the task stops).
    """

    finished = Signal(str)  # "done" | "cancelled" | "error"

    def __init__(self, parent: QWidget | None = None, *, hide_when_done: bool = True) -> None:
        super().__init__(parent)
        self.setObjectName("progressPanel")
        self.hide_when_done = hide_when_done
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 4, 0, 4)
        column = QVBoxLayout()
        column.setSpacing(2)
        self.message = QLabel("")
        self.message.setObjectName("progressMessage")
        self.bar = QProgressBar()
        self.bar.setRange(0, 1000)
        self.bar.setTextVisible(False)
        self.bar.setFixedHeight(8)
        column.addWidget(self.message)
        column.addWidget(self.bar)
        layout.addLayout(column, 1)
        self.cancel_button = QPushButton("Cancel")
        self.cancel_button.setObjectName("cancelButton")
        self.cancel_button.clicked.connect(self.cancel)
        layout.addWidget(self.cancel_button, 0, Qt.AlignmentFlag.AlignBottom)
        self.task: Any = None
        self.state = "idle"
        self._callbacks: dict[str, Any] = {}
        self.setVisible(False)

    def start(
        self,
        fn: Any,
        *args: Any,
        message: str = "Working…",
        on_result: Any = None,
        on_error: Any = None,
        on_cancelled: Any = None,
        **kwargs: Any,
    ) -> Any:
        """`workers.run_task(fn, *args, **kwargs)` with this panel following it.

        The callbacks run on the GUI thread before the panel's `finished` signal.
        """
        from portfolioos.gui.workers import run_task

        self._callbacks = {"done": on_result, "error": on_error, "cancelled": on_cancelled}
        self._begin(message)
        # Bound methods of this QObject: Qt drops the connections if the panel is
        # deleted before the task ends.
        self.task = run_task(
            fn,
            *args,
            on_result=self._on_result,
            on_error=self._on_error,
            on_cancelled=self._on_cancelled,
            on_progress=self.set_progress,
            **kwargs,
        )
        return self.task

    def _begin(self, message: str) -> None:
        self.state = "running"
        self.cancel_button.setEnabled(True)
        self.set_progress(0.0, message)
        self.bar.setRange(0, 0)  # busy until the first progress report
        self.setVisible(True)

    def attach(self, task: Any, message: str = "Working…") -> None:
        """Follow `task` (a `workers.Task` just returned by `run_task`) until it ends."""
        self._begin(message)
        self.task = task
        self._callbacks = {}
        signals = task.signals
        signals.progress.connect(self.set_progress)
        signals.result.connect(self._on_result)
        signals.error.connect(self._on_error)
        signals.cancelled.connect(self._on_cancelled)

    def _on_result(self, value: Any) -> None:
        self._finish("done", value)

    def _on_error(self, message: str) -> None:
        self._finish("error", message)

    def _on_cancelled(self) -> None:
        self._finish("cancelled")

    def _finish(self, state: str, *args: Any) -> None:
        callback = self._callbacks.get(state)
        if callback is not None:
            callback(*args)
        self._end(state)

    def set_progress(self, fraction: float, message: str = "") -> None:
        if self.bar.maximum() == 0:
            self.bar.setRange(0, 1000)
        self.bar.setValue(round(max(0.0, min(1.0, fraction)) * 1000))
        if message:
            self.message.setText(message)

    def fraction(self) -> float:
        return self.bar.value() / 1000 if self.bar.maximum() else 0.0

    def cancel(self) -> None:
        if self.task is not None and self.state == "running":
            self.task.cancel()
            self.cancel_button.setEnabled(False)
            self.message.setText("Cancelling…")

    def _end(self, state: str) -> None:
        if self.state != "running":
            return
        self.state = state
        self.task = None
        self.cancel_button.setEnabled(False)
        if self.hide_when_done:
            self.setVisible(False)
        self.finished.emit(state)


class BusyOverlay(QWidget):
    """A translucent veil with a message over another widget while it loads.

    Shown after `delay_ms` so fast loads never flash it. It follows the parent's size
    and swallows clicks meanwhile.
    """

    def __init__(self, parent: QWidget, *, delay_ms: int = 150) -> None:
        super().__init__(parent)
        self.setObjectName("busyOverlay")
        self.setAttribute(Qt.WidgetAttribute.WA_NoSystemBackground)
        self.label = QLabel("", self)
        self.label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        _scaled_font(self.label, 1.15, bold=True)
        layout = QVBoxLayout(self)
        layout.addWidget(self.label, 0, Qt.AlignmentFlag.AlignCenter)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._reveal)
        self.delay_ms = delay_ms
        parent.installEventFilter(self)
        self.hide()

    def start(self, message: str = "Loading…") -> None:
        self.label.setText(message)
        self.setGeometry(self.parentWidget().rect())
        if self.delay_ms <= 0:
            self._reveal()
        else:
            self._timer.start(self.delay_ms)

    def stop(self) -> None:
        self._timer.stop()
        self.hide()

    @property
    def active(self) -> bool:
        return self._timer.isActive() or self.isVisible()

    def _reveal(self) -> None:
        self.setGeometry(self.parentWidget().rect())
        self.raise_()
        self.show()

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.parentWidget() and event.type() == QEvent.Type.Resize:
            self.setGeometry(self.parentWidget().rect())
        return False

    def paintEvent(self, event: Any) -> None:
        painter = QPainter(self)
        veil = QColor(self.palette().color(QPalette.ColorRole.Base))
        veil.setAlpha(200)
        painter.fillRect(self.rect(), veil)

    def mousePressEvent(self, event: Any) -> None:
        event.accept()


class EmptyState(QWidget):
    """ "Nothing here yet" with one line of help and one action button."""

    action = Signal()

    def __init__(
        self, title: str, message: str = "", action: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("emptyState")
        layout = QVBoxLayout(self)
        layout.addStretch(1)
        self.title_label = QLabel(title)
        _scaled_font(self.title_label, 1.3, bold=True)
        self.message_label = QLabel(message)
        self.message_label.setWordWrap(True)
        self.button = QPushButton(action)
        self.button.setObjectName("emptyAction")
        self.button.setVisible(bool(action))
        self.button.clicked.connect(self.action)
        # The message takes the full width (no layout alignment) so word wrap gets a
        # width to wrap at; centring is the label's own text alignment.
        for widget in (self.title_label, self.message_label):
            widget.setAlignment(Qt.AlignmentFlag.AlignCenter)
            layout.addWidget(widget)
        layout.addSpacing(6)
        layout.addWidget(self.button, 0, Qt.AlignmentFlag.AlignHCenter)
        layout.addStretch(1)
        self.message_label.setVisible(bool(message))
        self._ready = True
        self._restyle()

    def set_text(self, title: str, message: str = "", action: str | None = None) -> None:
        self.title_label.setText(title)
        self.message_label.setText(message)
        self.message_label.setVisible(bool(message))
        if action is not None:
            self.button.setText(action)
            self.button.setVisible(bool(action))

    def _restyle(self) -> None:
        self.message_label.setStyleSheet(f"color: {colors.muted_text(self.palette()).name()};")

    def changeEvent(self, event: QEvent) -> None:
        if _palette_event(event) and getattr(self, "_ready", False):
            self._restyle()
        super().changeEvent(event)


class ErrorBanner(QFrame):
    """An inline bar for a standing problem ("No secure keychain: …"), not a dialog.

    `level` is "warning" or "error"; an optional action button emits `action`; the
    close button hides it and emits `dismissed`.
    """

    action = Signal()
    dismissed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("errorBanner")
        self.level = "warning"
        layout = QHBoxLayout(self)
        layout.setContentsMargins(12, 6, 6, 6)
        self.label = QLabel("")
        self.label.setWordWrap(True)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.label, 1)
        self.action_button = QPushButton("")
        self.action_button.setObjectName("bannerAction")
        self.action_button.clicked.connect(self.action)
        layout.addWidget(self.action_button)
        self.close_button = QToolButton()
        self.close_button.setObjectName("bannerClose")
        self.close_button.setText("✕")
        self.close_button.setAutoRaise(True)
        self.close_button.setToolTip("Dismiss")
        self.close_button.clicked.connect(self._dismiss)
        layout.addWidget(self.close_button)
        self.setVisible(False)
        self._ready = True

    def show_message(
        self, message: str, *, level: str = "warning", action: str = "", closable: bool = True
    ) -> None:
        if level not in ("warning", "error"):
            raise ValueError(f"level must be 'warning' or 'error', not {level!r}")
        self.level = level
        self.label.setText(message)
        self.action_button.setText(action)
        self.action_button.setVisible(bool(action))
        self.close_button.setVisible(closable)
        self._restyle()
        self.setVisible(True)

    def text(self) -> str:
        return self.label.text()

    def _dismiss(self) -> None:
        self.setVisible(False)
        self.dismissed.emit()

    def _colors(self) -> tuple[QColor, QColor, QColor]:
        pick = colors.warning_colors if self.level == "warning" else colors.error_colors
        return pick(self.palette())

    def _restyle(self) -> None:
        # Only children get style sheets: one on the banner itself would change its
        # palette and re-enter changeEvent. The frame is painted in paintEvent.
        text = self._colors()[2].name()
        self.label.setStyleSheet(f"color: {text};")
        self.close_button.setStyleSheet(f"color: {text};")
        self.update()

    def paintEvent(self, event: Any) -> None:
        background, border, _ = self._colors()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(border)
        painter.setBrush(background)
        painter.drawRoundedRect(self.rect().adjusted(0, 0, -1, -1), 4, 4)

    def changeEvent(self, event: QEvent) -> None:
        if _palette_event(event) and getattr(self, "_ready", False):
            self._restyle()
        super().changeEvent(event)


class FilterBar(QWidget):
    """Account, symbol, type, date range and free text; one `changed(dict)` signal.

    Text fields are debounced (250 ms) so typing does not re-query on every key.
    The dict always has the keys: account, symbol, type, date_from, date_to, search,
    with None (or "") for "no filter"; dates are `datetime.date`.
    """

    changed = Signal(dict)

    def __init__(self, parent: QWidget | None = None, *, debounce_ms: int = 250) -> None:
        super().__init__(parent)
        self.setObjectName("filterBar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.account = QComboBox()
        self.account.setObjectName("filterAccount")
        self.account.setMinimumContentsLength(14)
        self.account.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.symbol = QLineEdit()
        self.symbol.setObjectName("filterSymbol")
        self.symbol.setPlaceholderText("Symbol")
        self.symbol.setMaximumWidth(110)
        self.type = QComboBox()
        self.type.setObjectName("filterType")
        self.use_dates = QCheckBox("From")
        self.use_dates.setObjectName("filterUseDates")
        self.date_from = QDateEdit()
        self.date_to = QDateEdit()
        for edit, name in ((self.date_from, "filterFrom"), (self.date_to, "filterTo")):
            edit.setObjectName(name)
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("yyyy-MM-dd")
            edit.setEnabled(False)
        today = QDate.currentDate()
        self.date_from.setDate(today.addYears(-1))
        self.date_to.setDate(today)
        self.search = QLineEdit()
        self.search.setObjectName("filterSearch")
        self.search.setPlaceholderText("Search notes, names…")
        self.search.setClearButtonEnabled(True)
        self.reset_button = QToolButton()
        self.reset_button.setText("Clear")
        self.reset_button.setObjectName("filterClear")
        self.reset_button.clicked.connect(self.clear)
        layout.addWidget(self.account)
        layout.addWidget(self.symbol)
        layout.addWidget(self.type)
        layout.addWidget(self.use_dates)
        layout.addWidget(self.date_from)
        layout.addWidget(QLabel("to"))
        layout.addWidget(self.date_to)
        layout.addWidget(self.search, 1)
        layout.addWidget(self.reset_button)
        self.set_accounts([])
        self.set_types([])
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self._emit)
        self._last: dict[str, Any] | None = None
        self._quiet = False
        self.account.currentIndexChanged.connect(self._emit)
        self.type.currentIndexChanged.connect(self._emit)
        self.use_dates.toggled.connect(self._dates_toggled)
        self.date_from.dateChanged.connect(self._emit)
        self.date_to.dateChanged.connect(self._emit)
        self.symbol.textChanged.connect(self._timer.start)
        self.search.textChanged.connect(self._timer.start)
        self.symbol.returnPressed.connect(self._emit)
        self.search.returnPressed.connect(self._emit)

    def set_accounts(self, names: list[str] | list[tuple[str, Any]]) -> None:
        """Names, or (label, value) pairs whose value goes into the filter dict."""
        self._fill(self.account, names, "All accounts")

    def set_types(self, types: list[str] | list[tuple[str, Any]]) -> None:
        self._fill(self.type, types, "All types")

    def _fill(self, combo: QComboBox, items: list[Any], all_label: str) -> None:
        current = combo.currentData()
        self._quiet = True
        try:
            combo.clear()
            combo.addItem(all_label, None)
            for item in items:
                label, value = item if isinstance(item, tuple) else (str(item), item)
                combo.addItem(label, value)
            index = combo.findData(current) if current is not None else 0
            combo.setCurrentIndex(max(index, 0))
        finally:
            self._quiet = False

    def _dates_toggled(self, on: bool) -> None:
        self.date_from.setEnabled(on)
        self.date_to.setEnabled(on)
        self._emit()

    def filters(self) -> dict[str, Any]:
        dates = self.use_dates.isChecked()
        return {
            "account": self.account.currentData(),
            "symbol": self.symbol.text().strip().upper() or None,
            "type": self.type.currentData(),
            "date_from": _to_date(self.date_from.date()) if dates else None,
            "date_to": _to_date(self.date_to.date()) if dates else None,
            "search": self.search.text().strip(),
        }

    def set_filters(self, **values: Any) -> None:
        """Set several fields at once; emits one `changed` at the end."""
        self._quiet = True
        try:
            if "account" in values:
                self.account.setCurrentIndex(max(self.account.findData(values["account"]), 0))
            if "type" in values:
                self.type.setCurrentIndex(max(self.type.findData(values["type"]), 0))
            if "symbol" in values:
                self.symbol.setText(values["symbol"] or "")
            if "search" in values:
                self.search.setText(values["search"] or "")
            if values.get("date_from") or values.get("date_to"):
                self.use_dates.setChecked(True)
                if values.get("date_from"):
                    self.date_from.setDate(QDate(values["date_from"]))
                if values.get("date_to"):
                    self.date_to.setDate(QDate(values["date_to"]))
            elif "date_from" in values or "date_to" in values:
                self.use_dates.setChecked(False)
        finally:
            self._quiet = False
        self._timer.stop()
        self._emit()

    def clear(self) -> None:
        self.set_filters(
            account=None, type=None, symbol="", search="", date_from=None, date_to=None
        )

    def _emit(self, *_: Any) -> None:
        if self._quiet:
            return
        self._timer.stop()
        current = self.filters()
        if current != self._last:
            self._last = current
            self.changed.emit(current)


def _to_date(value: QDate) -> dt.date:
    return dt.date(value.year(), value.month(), value.day())
