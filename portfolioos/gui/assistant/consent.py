"""The consent dialog: exactly what would be sent to a cloud provider, before it is.

It shows the request the consent gate stopped (method, URL, headers with the key
masked, the JSON body with the portfolio snapshot), so the user agrees to bytes, not
to a description. Nothing is sent unless the user presses Send.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from portfolioos.llm.consent import ConsentRequest

_LEVELS = {"totals": "totals and weights only", "full": "full detail"}
_WHY = {
    "missing": "You have not agreed to send data to this provider yet.",
    "version": "What PortfolioOS sends has changed since you last agreed.",
    "privacy_level": "The provider's privacy level changed since you last agreed.",
}


class ConsentDialog(QDialog):
    def __init__(self, consent: ConsentRequest, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.consent = consent
        self.setObjectName("consentDialog")
        self.setWindowTitle(f"Send to {consent.provider}?")
        self.resize(760, 560)
        layout = QVBoxLayout(self)
        request = consent.request
        heading = QLabel(
            f"<b>{consent.provider}</b> is a cloud service. Nothing has been sent to it. "
            f"{_WHY.get(consent.reason, '')}"
        )
        heading.setWordWrap(True)
        detail = QLabel(
            f"Below is the exact request PortfolioOS would send to <b>{request.url}</b>, at "
            f"the privacy level <b>{_LEVELS.get(consent.privacy_level, consent.privacy_level)}"
            "</b>. If you agree, PortfolioOS may send this provider requests like this one "
            "(your questions with a portfolio snapshot at this level) from now on, until you "
            "change its privacy level or revoke consent in Settings."
        )
        detail.setWordWrap(True)
        self.payload = QPlainTextEdit(request.text())
        self.payload.setObjectName("consentPayload")
        self.payload.setReadOnly(True)
        self.payload.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.payload.setFont(QFontDatabase.systemFont(QFontDatabase.SystemFont.FixedFont))
        buttons = QDialogButtonBox()
        self.accept_button = buttons.addButton(
            "Agree and send", QDialogButtonBox.ButtonRole.AcceptRole
        )
        self.accept_button.setObjectName("consentAccept")
        self.decline_button = buttons.addButton(
            "Don't send", QDialogButtonBox.ButtonRole.RejectRole
        )
        self.decline_button.setObjectName("consentDecline")
        self.decline_button.setDefault(True)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        layout.addWidget(heading)
        layout.addWidget(detail)
        layout.addWidget(self.payload, 1)
        layout.addWidget(buttons)
