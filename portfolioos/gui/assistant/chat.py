"""The chat transcript: one bubble per message, the answer growing as deltas arrive.

Answers render as Markdown (what models write); questions as plain text. The view
sticks to the bottom while text streams in, unless the user scrolled up to read.
"""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtGui import QPalette
from PySide6.QtWidgets import (
    QFrame,
    QGridLayout,
    QHBoxLayout,
    QLabel,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from portfolioos.gui import colors

SUGGESTIONS = (
    "How concentrated is my portfolio?",
    "What is my allocation by asset type?",
    "How did my net worth change this year?",
    "What if I retire two years earlier?",
)


class Bubble(QFrame):
    """One message. `state` is "done", "streaming", "cancelled" or "error"."""

    def __init__(self, role: str, author: str, text: str = "", parent: QWidget | None = None):
        super().__init__(parent)
        self.role = role
        self.state = "done"
        self._text = text
        self._note = ""
        self.setObjectName("userBubble" if role == "user" else "assistantBubble")
        self.setFrameShape(QFrame.Shape.StyledPanel)
        self.setAutoFillBackground(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(12, 8, 12, 10)
        layout.setSpacing(4)
        self.author = QLabel(author)
        self.author.setObjectName("bubbleAuthor")
        font = self.author.font()
        font.setBold(True)
        font.setPointSizeF(font.pointSizeF() * 0.9)
        self.author.setFont(font)
        self.body = QLabel()
        self.body.setObjectName("bubbleBody")
        self.body.setWordWrap(True)
        self.body.setTextFormat(
            Qt.TextFormat.PlainText if role == "user" else Qt.TextFormat.MarkdownText
        )
        self.body.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.LinksAccessibleByMouse
        )
        self.body.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.footer = QLabel("")
        self.footer.setObjectName("bubbleFooter")
        self.footer.setWordWrap(True)
        self.footer.hide()
        layout.addWidget(self.author)
        layout.addWidget(self.body)
        layout.addWidget(self.footer)
        self._ready = True
        self._render()
        self._restyle()

    def text(self) -> str:
        """The message text so far (without notes such as "cancelled")."""
        return self._text

    def append(self, delta: str) -> None:
        self._text += delta
        self._render()

    def set_text(self, text: str) -> None:
        self._text = text
        self._render()

    def set_state(self, state: str, note: str = "") -> None:
        self.state = state
        self._note = note
        self._render()
        self._restyle()

    def set_footer(self, text: str) -> None:
        self.footer.setText(text)
        self.footer.setVisible(bool(text))

    def _render(self) -> None:
        if self.state == "error":
            self.body.setTextFormat(Qt.TextFormat.PlainText)
            self.body.setText(self._note)
            return
        text = self._text
        if self.state == "streaming" and not text:
            text = "…"
        self.body.setText(text)
        self.set_footer(self._note if self.state == "cancelled" else self.footer.text())

    def _restyle(self) -> None:
        # The application palette, not our own: our style sheet shapes our palette.
        pal = colors.palette()
        base = pal.color(QPalette.ColorRole.Base)
        if self.state == "error":
            background, border, text = colors.error_colors(pal)
        elif self.role == "user":
            background = colors.blend(base, pal.color(QPalette.ColorRole.Highlight), 0.14)
            border = colors.blend(base, pal.color(QPalette.ColorRole.Highlight), 0.35)
            text = pal.color(QPalette.ColorRole.Text)
        else:
            background = base
            border = colors.blend(base, pal.color(QPalette.ColorRole.Text), 0.18)
            text = pal.color(QPalette.ColorRole.Text)
        muted = colors.muted_text(pal).name()
        # One sheet for the frame and its labels, rebuilt on a palette change.
        sheet = (
            f"QFrame#{self.objectName()} {{ background: {background.name()};"
            f" border: 1px solid {border.name()}; border-radius: 8px; }}"
            f" QLabel#bubbleAuthor {{ color: {muted}; background: transparent; border: none; }}"
            f" QLabel#bubbleFooter {{ color: {muted}; background: transparent; border: none; }}"
            f" QLabel#bubbleBody {{ color: {text.name()}; background: transparent;"
            " border: none; }"
        )
        if sheet != self.styleSheet():  # setting it raises a palette change: no loop
            self.setStyleSheet(sheet)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (
            QEvent.Type.PaletteChange,
            QEvent.Type.ApplicationPaletteChange,
        ) and getattr(self, "_ready", 0):
            self._restyle()
        super().changeEvent(event)


class ChatView(QScrollArea):
    """The transcript; `suggestion(str)` when the user picks a starter question."""

    suggestion = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("chatView")
        self.setWidgetResizable(True)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        inner = QWidget()
        inner.setObjectName("chatInner")
        self.column = QVBoxLayout(inner)
        self.column.setContentsMargins(4, 4, 12, 4)
        self.column.setSpacing(10)
        self.column.addStretch(1)
        self.setWidget(inner)
        self.bubbles: list[Bubble] = []
        self._stick = True
        bar = self.verticalScrollBar()
        bar.rangeChanged.connect(self._follow)
        bar.valueChanged.connect(self._scrolled)
        self.intro = self._intro()
        self.column.insertWidget(0, self.intro)

    def _intro(self) -> QWidget:
        box = QWidget()
        box.setObjectName("chatIntro")
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 24, 0, 0)
        title = QLabel("Ask about your portfolio")
        font = title.font()
        font.setPointSizeF(font.pointSizeF() * 1.25)
        font.setBold(True)
        title.setFont(font)
        hint = QLabel(
            "Answers are based on a snapshot of your holdings, allocation, net-worth trend "
            "and last plan, at the privacy level chosen for the provider."
        )
        hint.setWordWrap(True)
        hint.setStyleSheet(f"color: {colors.muted_text().name()};")
        layout.addWidget(title)
        layout.addWidget(hint)
        # Two columns, so the starters never make the transcript wider than the view.
        chips = QGridLayout()
        chips.setSpacing(8)
        for index, text in enumerate(SUGGESTIONS):
            chip = QPushButton(text)
            chip.setObjectName("suggestion")
            chip.setCursor(Qt.CursorShape.PointingHandCursor)
            chip.clicked.connect(lambda _=False, t=text: self.suggestion.emit(t))
            chips.addWidget(chip, index // 2, index % 2)
        chips.setColumnStretch(2, 1)
        layout.addSpacing(6)
        layout.addLayout(chips)
        return box

    def clear(self) -> None:
        for bubble in self.bubbles:
            holder = bubble.parentWidget()
            self.column.removeWidget(holder)
            holder.deleteLater()
        self.bubbles = []
        self.intro.show()
        self._stick = True

    def add(self, role: str, author: str, text: str = "") -> Bubble:
        self.intro.hide()
        bubble = Bubble(role, author, text)
        row = QHBoxLayout()
        # Questions lean right, answers left: the indent on the other side.
        holder = QWidget()
        holder.setLayout(row)
        row.setContentsMargins(0, 0, 0, 0)
        if role == "user":
            row.addSpacing(80)
            row.addWidget(bubble, 1)
        else:
            row.addWidget(bubble, 1)
            row.addSpacing(80)
        self.column.insertWidget(self.column.count() - 1, holder)
        self.bubbles.append(bubble)
        self._stick = True
        return bubble

    def _scrolled(self, value: int) -> None:
        bar = self.verticalScrollBar()
        self._stick = value >= bar.maximum() - 8

    def _follow(self, _low: int, high: int) -> None:
        if self._stick:
            self.verticalScrollBar().setValue(high)
