"""Accounts and everything derived from the ledger (the plan's portfolio:* channels).

The engine itself lives in portfolioos.services.engine (holdings, lots, net worth,
performance); this class keeps the account operations and inherits those reads.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from portfolioos.domain.accounts import Account, AccountDraft
from portfolioos.errors import ConflictError, NotFoundError
from portfolioos.services.changes import Changes
from portfolioos.services.engine import PortfolioEngine

if TYPE_CHECKING:
    from portfolioos.services.context import AppContext
    from portfolioos.storage.ledger_store import LedgerStore


class PortfolioService(PortfolioEngine):
    def __init__(self, ctx: AppContext) -> None:
        self._ctx = ctx

    @property
    def _ledger(self) -> LedgerStore:
        from portfolioos.storage.ledger_store import LedgerStore

        return LedgerStore(self._ctx.portfolio_db)

    # -- accounts ---------------------------------------------------------------

    def list_accounts(self) -> list[Account]:
        return self._ctx.config.list_accounts()

    def account(self, ref: int | str) -> Account:
        """An account by id or by name (case-insensitive); a clear error if absent."""
        if isinstance(ref, int):
            return self._ctx.config.get_account(ref)
        found = self._ctx.config.find_account(ref)
        if found is not None:
            return found
        if ref.strip().isdigit():
            return self._ctx.config.get_account(int(ref))
        names = ", ".join(a.name for a in self.list_accounts()) or "none yet"
        raise NotFoundError(f"No account named '{ref}' (accounts: {names}).")

    def create_account(self, draft: AccountDraft) -> tuple[Account, Changes]:
        account = self._ctx.config.insert_account(draft.validated())
        return account, Changes(accounts=True)

    def update_account(self, ref: int | str, **fields: object) -> tuple[Account, Changes]:
        current = self.account(ref)
        draft = AccountDraft(
            name=current.name,
            type=current.type,
            institution=current.institution,
            currency=current.currency,
            notes=current.notes,
            lot_method=current.lot_method,
            track_wash_sales=current.track_wash_sales,
        )
        draft = replace(draft, **{k: v for k, v in fields.items() if v is not None})  # type: ignore[arg-type]
        updated = self._ctx.config.update_account(current.id, draft.validated())
        ledger_changed = (
            updated.lot_method != current.lot_method
            or updated.track_wash_sales != current.track_wash_sales
        )
        if ledger_changed:
            # the stored lots and holdings follow the new method (a LedgerError here names
            # the row the new method cannot apply, e.g. a SPECIFIC lot list under FIFO)
            self.rederive([updated.id])
        return updated, Changes(accounts=True, ledger=ledger_changed)

    def delete_account(self, ref: int | str, *, force: bool = False) -> Changes:
        """Delete an account; one with ledger rows only when forced, rows and all.

        The ledger rows go first, in one DuckDB transaction; the account row second.
        A crash in between leaves an empty account, never orphaned rows.
        """
        account = self.account(ref)
        count = self._ledger.count_transactions(account.id)
        if count and not force:
            raise ConflictError(
                f"Account '{account.name}' has {count} transaction(s); delete it with force "
                f"(--force) to remove them too."
            )
        if count or force:
            self._ledger.delete_account_data(account.id)
        self._ctx.config.delete_account(account.id)
        return Changes(accounts=True, ledger=bool(count))
