"""Accounts: the containers every ledger row belongs to."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from portfolioos.errors import ValidationError


class AccountType(StrEnum):
    BROKERAGE = "brokerage"
    IRA = "ira"
    ROTH_IRA = "roth_ira"
    RETIREMENT_401K = "401k"
    HSA = "hsa"
    EDUCATION_529 = "529"
    CHECKING = "checking"
    SAVINGS = "savings"
    CRYPTO = "crypto"
    OTHER = "other"


class LotMethod(StrEnum):
    """How a sale picks the lots it disposes of (lot selection as data, as beancount does)."""

    FIFO = "fifo"
    LIFO = "lifo"
    HIFO = "hifo"
    AVERAGE = "average"
    SPECIFIC = "specific"


_CURRENCY = re.compile(r"^[A-Z]{3}$")
MAX_NAME = 80


@dataclass(frozen=True, slots=True)
class Account:
    id: int
    name: str
    type: AccountType
    institution: str
    currency: str
    notes: str
    lot_method: LotMethod
    track_wash_sales: bool
    created_at: datetime
    updated_at: datetime


@dataclass(frozen=True, slots=True)
class AccountDraft:
    """What a user fills in to create or edit an account, validated by `validated()`."""

    name: str
    type: AccountType | str = AccountType.BROKERAGE
    institution: str = ""
    currency: str = "USD"
    notes: str = ""
    lot_method: LotMethod | str = LotMethod.FIFO
    track_wash_sales: bool = False

    def validated(self) -> AccountDraft:
        name = " ".join(self.name.split())
        if not name:
            raise ValidationError("Account name must not be empty.", field="name")
        if len(name) > MAX_NAME:
            raise ValidationError(
                f"Account name is {len(name)} characters; at most {MAX_NAME} are allowed.",
                field="name",
            )
        return AccountDraft(
            name=name,
            type=parse_account_type(self.type),
            institution=self.institution.strip(),
            currency=parse_currency(self.currency),
            notes=self.notes.strip(),
            lot_method=parse_lot_method(self.lot_method),
            track_wash_sales=bool(self.track_wash_sales),
        )


def parse_account_type(value: AccountType | str) -> AccountType:
    try:
        return AccountType(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(t.value for t in AccountType)
        raise ValidationError(
            f"Unknown account type '{value}'; use one of: {allowed}.", field="type"
        ) from None


def parse_lot_method(value: LotMethod | str) -> LotMethod:
    try:
        return LotMethod(str(value).strip().lower())
    except ValueError:
        allowed = ", ".join(m.value for m in LotMethod)
        raise ValidationError(
            f"Unknown lot method '{value}'; use one of: {allowed}.", field="lot_method"
        ) from None


def parse_currency(value: str) -> str:
    code = value.strip().upper()
    if not _CURRENCY.match(code):
        raise ValidationError(
            f"Currency '{value}' is not a three-letter ISO 4217 code such as USD or EUR.",
            field="currency",
        )
    return code
