"""Pure domain logic: exact (Decimal) ledger arithmetic, no I/O, no Qt."""
