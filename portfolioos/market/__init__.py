"""Adapters to market-data providers (Yahoo via yfinance, FRED via fredapi), the US
trading calendar, rate limiting and data validation. No storage, no Qt."""
