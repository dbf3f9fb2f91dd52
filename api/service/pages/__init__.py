"""The web pages: the party office, each leader and each unit, and students checking in.

Everything a page needs lives in this folder: the page routes (``office.py``, ``people.py``,
``checkin.py``, ``start.py``), the Jinja2 templates (``templates/``), the CSS and the few lines of
JavaScript (``static/``), the server-side SVG charts (``charts.py``) and QR codes (``qr.py``), and
browser sessions with CSRF tokens (``sessions.py``). Pages call the same functions as the JSON API
(``api.service.actions``, ``views``, ``plans``, ``feeds``, ``evidence``); no rule is written twice.
Nothing is loaded from outside the service: no CDN, no web font, no build step.
"""

from __future__ import annotations

from api.service.pages.site import install

__all__ = ["install"]
