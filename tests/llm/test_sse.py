"""SSE parsing is incremental and indifferent to where the bytes were split."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from portfolioos.llm.sse import SSEEvent, SSEParser

STREAM = (
    ": a comment\r\n"
    "event: message_start\r\n"
    'data: {"a": 1}\r\n'
    "\r\n"
    "data: line one\n"
    "data: line two\n"
    "\n"
    "event: ping\rdata: {}\r\r"
    "data: [DONE]\n\n"
    "data: never terminated"
)
EXPECTED = [
    SSEEvent("message_start", '{"a": 1}'),
    SSEEvent("message", "line one\nline two"),
    SSEEvent("ping", "{}"),
    SSEEvent("message", "[DONE]"),
]


def parse(chunks: list[str]) -> list[SSEEvent]:
    parser = SSEParser()
    events = [e for chunk in chunks for e in parser.feed(chunk)]
    return events + list(parser.close())


def test_whole_stream() -> None:
    assert parse([STREAM]) == EXPECTED


def test_one_character_at_a_time() -> None:
    assert parse(list(STREAM)) == EXPECTED


@settings(max_examples=150, deadline=None)
@given(st.lists(st.integers(min_value=0, max_value=len(STREAM)), max_size=20))
def test_any_split_gives_the_same_events(cuts: list[int]) -> None:
    points = sorted(set(cuts))
    chunks = [STREAM[a:b] for a, b in zip([0, *points], [*points, len(STREAM)], strict=True)]
    assert parse(chunks) == EXPECTED


def test_an_event_is_yielded_as_soon_as_its_blank_line_arrives() -> None:
    parser = SSEParser()
    assert list(parser.feed("data: first\n")) == []
    assert list(parser.feed("\ndata: sec")) == [SSEEvent("message", "first")]
