"""Thin Qt models over rows that services return; no database, no business logic."""
