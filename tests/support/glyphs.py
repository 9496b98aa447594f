"""Catch matplotlib's "Glyph … missing from font(s)" and "findfont" complaints while rendering."""

from __future__ import annotations

import logging
import warnings
from collections.abc import Iterator
from contextlib import contextmanager

MARKERS = ("missing from font", "findfont")


class _Collect(logging.Handler):
    def __init__(self, sink: list[str]) -> None:
        super().__init__(logging.WARNING)
        self.sink = sink

    def emit(self, record: logging.LogRecord) -> None:
        self.sink.append(record.getMessage())


@contextmanager
def glyph_problems() -> Iterator[list[str]]:
    """Yield a list that fills with every glyph or font complaint raised inside the block."""
    found: list[str] = []
    handler = _Collect(found)
    logger = logging.getLogger("matplotlib")
    logger.addHandler(handler)
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            yield found
        found.extend(str(w.message) for w in caught)
    finally:
        logger.removeHandler(handler)
    found[:] = [message for message in found if any(m in message for m in MARKERS)]
