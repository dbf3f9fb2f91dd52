"""Secrets never reach a log: tokens in paths (feeds today) are replaced before a record is written."""

from __future__ import annotations

import logging
import re

_TOKEN_IN_PATH = re.compile(r"/feeds/[^/?#\s\"]+")

def redact(text: str) -> str:
    """``/feeds/<token>.ics`` with the token replaced, for logs."""
    return _TOKEN_IN_PATH.sub("/feeds/<redacted>", text)


class RedactFeedTokens(logging.Filter):
    """Removes feed tokens from log records (uvicorn's access log puts the path in ``args``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and "/feeds/" in record.msg:
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) and "/feeds/" in a else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_log_filter() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn", "frontline"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFeedTokens) for f in logger.filters):
            logger.addFilter(RedactFeedTokens())
