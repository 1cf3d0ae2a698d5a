"""One rotating log file per data folder, set up once at start.

Tracebacks belong here and never in front of the user. Secrets never reach it: the
`RedactingFilter` masks any value registered with `redact()` (API keys read from the
keychain register themselves) before a record is formatted.
"""

from __future__ import annotations

import logging
import os
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


class SizeRotatingFileHandler(logging.FileHandler):
    """log -> log.1 -> ... -> log.N when the file passes `max_bytes`.

    The standard RotatingFileHandler lives in logging.handlers, whose imports (socket,
    pickle, queue...) cost the window's first paint more than this whole class.
    """

    def __init__(self, path: Path, *, max_bytes: int, backups: int) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.max_bytes = max_bytes
        self.backups = backups

    def emit(self, record: logging.LogRecord) -> None:
        try:
            if self.stream is not None and self.stream.tell() >= self.max_bytes:
                self._rotate()
        except OSError:
            self.handleError(record)
        super().emit(record)

    def _rotate(self) -> None:
        self.close()
        base = self.baseFilename
        for index in range(self.backups - 1, 0, -1):
            older = f"{base}.{index}"
            if os.path.exists(older):
                os.replace(older, f"{base}.{index + 1}")
        if os.path.exists(base):
            os.replace(base, f"{base}.1")


def setup_logging(log_file: Path, *, verbose: bool = False) -> None:
    """Send everything at INFO (DEBUG with -v) to a 2 MB x 5 rotating file."""
    global _installed
    root = logging.getLogger()
    if _installed is not None:
        root.removeHandler(_installed)
        _installed.close()
    handler = SizeRotatingFileHandler(log_file, max_bytes=2_000_000, backups=5)
    handler.setFormatter(logging.Formatter(_FORMAT))
    handler.addFilter(RedactingFilter())
    root.addHandler(handler)
    root.setLevel(logging.DEBUG if verbose else logging.INFO)
    _installed = handler
    for noisy in ("urllib3", "httpx", "httpcore", "yfinance", "peewee", "matplotlib"):
        logging.getLogger(noisy).setLevel(logging.WARNING)
