"""One error hierarchy for everything a user can cause.

Every subclass carries a message that says what was wrong and where (file, line,
column, field), because it is shown verbatim: in a dialog by the GUI, on stderr by
the CLI. Tracebacks go to the log file only. Programming errors are *not*
`PortfolioOSError`s; they are bugs and surface as such in the log.
"""

from __future__ import annotations

from dataclasses import dataclass


class PortfolioOSError(Exception):
    """Base class: the message is safe and useful to show to the user as is."""

    @property
    def message(self) -> str:
        return str(self.args[0]) if self.args else self.__class__.__name__


class ValidationError(PortfolioOSError):
    """A value given by the user (a field, an option, a config entry) is not acceptable."""

    def __init__(self, message: str, *, field: str | None = None) -> None:
        super().__init__(message)
        self.field = field


class NotFoundError(PortfolioOSError):
    """A named thing (account, batch, provider, symbol) does not exist."""


class ConflictError(PortfolioOSError):
    """The change would break a rule of the data (a duplicate name, a referenced row)."""


class DataFolderLockedError(PortfolioOSError):
    """Another PortfolioOS process owns this data folder."""


class StorageError(PortfolioOSError):
    """A database could not be opened, migrated or written."""


class LedgerError(PortfolioOSError):
    """The ledger contains something the engine cannot apply (a sell before any buy...)."""


class ImportFileError(PortfolioOSError):
    """A file to import cannot be read or parsed; the message names file and line."""


class MarketDataError(PortfolioOSError):
    """Fetching or validating market data failed."""


class SimulationError(PortfolioOSError):
    """A plan cannot be simulated as given."""


class SecretsError(PortfolioOSError):
    """The keychain refused or is unavailable."""


class LLMError(PortfolioOSError):
    """A language-model provider failed or refused."""


class ConsentRequiredError(LLMError):
    """A cloud provider would be sent data the user has not consented to send."""


class Cancelled(PortfolioOSError):
    """The user cancelled a long operation; nothing past the last checkpoint was kept."""

    def __init__(self, message: str = "Cancelled.") -> None:
        super().__init__(message)


@dataclass(frozen=True, slots=True)
class Location:
    """Where in an input a problem is: rendered as `file:line:column (field)`."""

    file: str | None = None
    line: int | None = None
    column: str | int | None = None
    field: str | None = None

    def __str__(self) -> str:
        parts: list[str] = []
        if self.file:
            parts.append(self.file)
        if self.line is not None:
            parts.append(f"line {self.line}")
        if self.column is not None:
            parts.append(f"column {self.column}")
        if self.field is not None and self.field != self.column:
            parts.append(f"field '{self.field}'")
        return ", ".join(parts)
