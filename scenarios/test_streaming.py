"""Chunked and server-sent answers reach the client as the app produces them, not at the end.

The app sends COUNT lines (events), the first at once and then one every INTERVAL_MS. A proxy
that buffers the answer, or compresses it without flushing, holds them all back until the
last one: the first then arrives after the whole interval, and all arrive together.
"""

import pytest

from harness.evidence import timed_lines

pytestmark = pytest.mark.streaming

COUNT = 5
INTERVAL_MS = 400
PACE = {"count": COUNT, "interval_ms": INTERVAL_MS}
PRODUCED_IN = (COUNT - 1) * INTERVAL_MS / 1000  # seconds from the first line to the last
FIRST_WITHIN = 1.0  # seconds: the first line is sent at once; well before the last is made
SPREAD_AT_LEAST = 0.75 * PRODUCED_IN  # first to last arrival, allowing for scheduling
ENCODINGS = ["identity", "gzip"]


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_stream_lines_arrive_incrementally(stack, client, encoding):
    """/stream lines arrive one by one: the first at once, the rest spread over the interval.

    With `Accept-Encoding: gzip` too: a proxy that compresses must flush each chunk.
    """
    answer = timed_lines(client, "/stream", PACE, {"Accept-Encoding": encoding})
    evidence = f"{stack.id}: /stream with Accept-Encoding {encoding}: {answer.summary()}"
    times = answer.times("{")
    assert answer.status == 200 and len(times) == COUNT, evidence
    assert times[0] < FIRST_WITHIN, f"first line late (held back?); {evidence}"
    assert times[-1] - times[0] >= SPREAD_AT_LEAST, f"lines arrived together; {evidence}"


@pytest.mark.parametrize("encoding", ENCODINGS)
def test_sse_events_arrive_incrementally(stack, client, encoding):
    """/sse events arrive one by one, as `text/event-stream`, compressed or not."""
    answer = timed_lines(client, "/sse", PACE, {"Accept-Encoding": encoding})
    evidence = f"{stack.id}: /sse with Accept-Encoding {encoding}: {answer.summary('data:')}"
    times = answer.times("data:")
    content_type = answer.headers.get("content-type", "")
    assert answer.status == 200 and content_type.startswith("text/event-stream"), evidence
    assert len(times) == COUNT, evidence
    assert times[0] < FIRST_WITHIN, f"first event late (held back?); {evidence}"
    assert times[-1] - times[0] >= SPREAD_AT_LEAST, f"events arrived together; {evidence}"
