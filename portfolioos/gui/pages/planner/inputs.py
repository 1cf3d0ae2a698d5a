"""Spin boxes that speak the plan's units: fractions shown as percents, optional amounts.

The plan schema stores rates as fractions (0.04); people type "4 %". Optional values
(a spending floor, a first-year amount) are a spin box whose lowest value reads "none".
"""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractSpinBox, QDoubleSpinBox, QSpinBox, QWidget

NONE_TEXT = "none"


def _tidy(box: QAbstractSpinBox, width: int) -> None:
    box.setMinimumWidth(width)
    box.setKeyboardTracking(False)  # one valueChanged per finished edit, not per key
    box.setAccelerated(True)


class PercentSpin(QDoubleSpinBox):
    """A fraction edited as a percent: `fraction()` 0.04 <-> "4.00 %"."""

    def __init__(
        self,
        low: float,
        high: float,
        value: float,
        *,
        decimals: int = 2,
        step: float = 0.25,
        optional: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.optional = optional
        self.setDecimals(decimals)
        # An optional value gets one step below its range for "none".
        bottom = low * 100 - (step if optional else 0.0)
        self.setRange(bottom, high * 100)
        self.setSingleStep(step)
        self.setSuffix(" %")
        if optional:
            self.setSpecialValueText(NONE_TEXT)
        _tidy(self, 86)
        self.set_fraction(value)

    def fraction(self) -> float | None:
        if self.optional and self.value() == self.minimum():
            return None
        return round(self.value() / 100.0, self.decimals() + 2)

    def set_fraction(self, value: float | None) -> None:
        if value is None:
            self.setValue(self.minimum())
        else:
            self.setValue(float(value) * 100.0)


class MoneySpin(QDoubleSpinBox):
    """Whole dollars with thousands separators; optional ones read "none" at 0."""

    def __init__(
        self,
        value: float | None,
        *,
        maximum: float = 1e12,
        minimum: float = 0.0,
        optional: bool = False,
        step: float = 10_000,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.optional = optional
        self.setDecimals(0)
        self.setRange(minimum, maximum)
        self.setSingleStep(step)
        self.setPrefix("$ ")
        self.setGroupSeparatorShown(True)
        if optional:
            self.setSpecialValueText(NONE_TEXT)
        _tidy(self, 120)
        self.set_amount(value)

    def amount(self) -> float | None:
        if self.optional and self.value() == self.minimum():
            return None
        return float(self.value())

    def set_amount(self, value: float | None) -> None:
        self.setValue(self.minimum() if value is None else float(value))


class IntSpin(QSpinBox):
    """A whole number; `optional` makes the lowest value read `none_text` (None)."""

    def __init__(
        self,
        low: int,
        high: int,
        value: int | None,
        *,
        optional: bool = False,
        none_text: str = NONE_TEXT,
        group: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.optional = optional
        self.setRange(low - 1 if optional else low, high)
        if optional:
            self.setSpecialValueText(none_text)
        self.setGroupSeparatorShown(group)
        _tidy(self, 80)
        self.set_int(value)

    def number(self) -> int | None:
        if self.optional and self.value() == self.minimum():
            return None
        return int(self.value())

    def set_int(self, value: int | None) -> None:
        self.setValue(self.minimum() if value is None else int(value))


class PlainSpin(QDoubleSpinBox):
    """A plain decimal (degrees of freedom)."""

    def __init__(self, low: float, high: float, value: float, *, decimals: int = 1) -> None:
        super().__init__()
        self.setDecimals(decimals)
        self.setRange(low, high)
        self.setSingleStep(1.0)
        _tidy(self, 80)
        self.setValue(value)
