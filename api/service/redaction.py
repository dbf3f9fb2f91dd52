"""Secrets never reach a log: tokens and codes in paths are replaced before a record is written.

Paths that carry a secret: ``/feeds/<token>.ics`` (calendar feeds), ``/me/<token>`` (a leader's or
unit's personal link; ``/l/<token>`` and ``/u/<token>`` are the same link opening the web pages) and
``/checkin/<code>`` (a visit's check-in code, also its page ``/checkin/<code>/page``).
"""

from __future__ import annotations

import logging
import re

_MARKERS = ("/feeds/", "/me/", "/checkin/", "/l/", "/u/")


def redact(text: str) -> str:
    """``/feeds/<token>.ics``, ``/me/<token>`` and ``/checkin/<code>`` with the secret replaced, for logs.
    (``/api/me/visits`` carries no secret and stays as it is.)"""
    return _SECRET_IN_PATH_SIMPLE.sub(_replace, text)


_SECRET_IN_PATH_SIMPLE = re.compile(r"(/api)?(/(?:feeds|me|checkin|l|u))/([^/?#\s\"]+)")


def _replace(match: re.Match[str]) -> str:
    if match.group(1):  # /api/me/visits: a route, not a secret
        return match.group(0)
    return f"{match.group(2)}/<redacted>"


def _has_secret(text: str) -> bool:
    return any(marker in text for marker in _MARKERS)


class RedactFeedTokens(logging.Filter):
    """Removes tokens and codes from log records (uvicorn's access log puts the path in ``args``)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str) and _has_secret(record.msg):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) and _has_secret(a) else a for a in record.args)
        elif isinstance(record.args, dict):
            record.args = {k: redact(v) if isinstance(v, str) else v for k, v in record.args.items()}
        return True


def install_log_filter() -> None:
    for name in ("uvicorn.access", "uvicorn.error", "uvicorn", "frontline"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactFeedTokens) for f in logger.filters):
            logger.addFilter(RedactFeedTokens())
