"""One rotating log file per data folder, set up once at start.

Tracebacks belong here and never in front of the user. Secrets never reach it: the
`RedactingFilter` masks any value registered with `redact()` (API keys read from the
keychain register themselves) before a record is formatted.
"""

from __future__ import annotations

import logging
import logging.handlers
import threading
from pathlib import Path

_FORMAT = "%(asctime)s %(levelname)-7s %(name)s [%(threadName)s] %(message)s"
_secrets: set[str] = set()
_secrets_lock = threading.Lock()
_installed: logging.Handler | None = None


def redact(secret: str) -> None:
    """Never let this exact string appear in a log line."""
    if len(secret) >= 4:
        with _secrets_lock:
            _secrets.add(secret)


class RedactingFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        with _secrets_lock:
            secrets = tuple(_secrets)
        if not secrets:
            return True
        text = record.getMessage()
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        exc_text = record.exc_text or ""
        changed = False
        for secret in secrets:
            if secret in text:
                text = text.replace(secret, "***")
                changed = True
            if secret in exc_text:
                exc_text = exc_text.replace(secret, "***")
                changed = True
        if changed:
            record.msg, record.args = text, None
            record.exc_text = exc_text or None
        return True


def setup_logging(log_file: Path, *, verbose: bool = False) -> None:
    """Send everything at INFO (DEBUG with -v) to a 2 MB x 5 rotating file."""
    global _installed
    root = logging.getLogger()
    if _installed is not None:
        root.removeHandler(_installed)
        _installed.close()
    handler = logging.handlers.RotatingFileHandler(
        log_file, maxBytes=2_000_000, backupCount=5, encoding="utf-8", delay=True
    )
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    _installed = handler
    for noisy in ("urllib3", "httpx", "httpcore", "yfinance", "peewee", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
