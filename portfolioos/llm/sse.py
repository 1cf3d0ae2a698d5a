"""Incremental Server-Sent Events parsing (the WHATWG event-stream rules).

Fed text chunks as they arrive, split anywhere (even inside a line or a CRLF); yields
each event once its blank line has been seen, so a streamed answer shows up token by
token instead of when the response ends.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class SSEEvent:
    event: str
    data: str


class SSEParser:
    def __init__(self) -> None:
        self._buffer = ""
        self._event = ""
        self._data: list[str] = []
        self._pending_cr = False

    def feed(self, chunk: str) -> Iterator[SSEEvent]:
        if self._pending_cr and chunk.startswith("\n"):
            chunk = chunk[1:]
        self._pending_cr = chunk.endswith("\r")
        self._buffer += chunk
        while True:
            cut = _line_end(self._buffer)
            if cut is None:
                return
            end, width = cut
            line, self._buffer = self._buffer[:end], self._buffer[end + width :]
            event = self._line(line)
            if event is not None:
                yield event

    def close(self) -> Iterator[SSEEvent]:
        """End of stream: a final event without its blank line is dropped, per the spec."""
        if self._buffer:
            self._line(self._buffer)
            self._buffer = ""
        return iter(())

    def _line(self, line: str) -> SSEEvent | None:
        if line == "":
            if not self._data:
                self._event = ""
                return None
            event = SSEEvent(self._event or "message", "\n".join(self._data))
            self._event, self._data = "", []
            return event
        if line.startswith(":"):
            return None
        name, _, value = line.partition(":")
        value = value.removeprefix(" ")
        if name == "event":
            self._event = value
        elif name == "data":
            self._data.append(value)
        return None


def _line_end(text: str) -> tuple[int, int] | None:
    """(index, width) of the first line break: LF, CRLF or a lone CR."""
    lf, cr = text.find("\n"), text.find("\r")
    if lf == -1 and cr == -1:
        return None
    if cr == -1 or (lf != -1 and lf < cr):
        return lf, 1
    if cr + 1 < len(text) and text[cr + 1] == "\n":
        return cr, 2
    return cr, 1  # a trailing CR ends the line; feed() skips the LF that may follow
