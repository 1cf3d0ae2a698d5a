"""Writing files out: CSV (defanged against formula injection) and the full JSON export.

Writers are generic over rows (dataclasses or mappings), so they take whatever the
portfolio, engine and planner services return. Every file is written atomically.
"""
