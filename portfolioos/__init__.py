"""PortfolioOS: a local-first desktop app for one person's money."""

__version__ = "0.1.0"
APP_NAME = "PortfolioOS"
