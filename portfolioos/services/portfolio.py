"""Accounts and everything derived from the ledger (the plan's portfolio:* channels).

The engine lives in portfolioos.services.engine (holdings, lots, net worth,
performance) and the account operations in portfolioos.services.accounts; this class
is both, under the one name the rest of the app uses.
"""

from __future__ import annotations

from portfolioos.services.accounts import AccountService
from portfolioos.services.engine import PortfolioEngine


class PortfolioService(AccountService, PortfolioEngine):
    """Accounts plus the engine; `transaction_count` is the engine's filtered count."""
