"""Retirement planner: a numpy Monte Carlo and historical-sequence engine.

Pure code: no Qt, no database. The only file it reads is the shipped market history
(`history.load_history`). Services resolve accounts into amounts before calling it.
"""
