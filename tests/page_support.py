"""Helpers of the page tests: sign-in, CSRF tokens from forms, and an accessibility check of a page."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from typing import Any

from fastapi.testclient import TestClient
from service_support import ADMIN

PAGE_LIMIT = 200 * 1024  # bytes of a page without images (HTML + CSS + JS)


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([^"]+)"', html)
    assert found, "the page has no form with a CSRF token"
    return found.group(1)


def sign_in(client: TestClient, token: str = ADMIN) -> str:
    """Sign the client in as the office; returns the session's CSRF token."""
    form = client.get("/office/signin")
    r = client.post("/office/signin", data={"csrf": csrf_of(form.text), "token": token, "next": "/office"})
    assert r.status_code == 200, r.text
    return csrf_of(client.get("/office").text)


class _Audit(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lang: str | None = None
        self.headings: list[int] = []
        self.labels_for: set[str] = set()
        self.controls: list[dict[str, Any]] = []
        self.label_depth = 0
        self.outside: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        a = {k: v or "" for k, v in attrs}
        if tag == "html":
            self.lang = a.get("lang")
        if re.fullmatch(r"h[1-6]", tag):
            self.headings.append(int(tag[1]))
        if tag == "label":
            self.label_depth += 1
            if a.get("for"):
                self.labels_for.add(a["for"])
        if tag in ("input", "select", "textarea") and a.get("type") not in ("hidden", "submit", "button"):
            self.controls.append({**a, "tag": tag, "wrapped": self.label_depth > 0})
        for attr in ("src", "href"):
            value = a.get(attr, "")
            if tag in ("script", "link", "img", "iframe", "source") and re.match(r"^(https?:)?//", value):
                self.outside.append(value)

    def handle_endtag(self, tag: str) -> None:
        if tag == "label":
            self.label_depth -= 1

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.handle_starttag(tag, attrs)



def accessibility_problems(html: str) -> list[str]:
    """What a screen-reader user would miss: the language, one h1, heading order, labels, SVG names,
    anything loaded from outside the service, and the page weight."""
    audit = _Audit()
    audit.feed(html)
    problems = []
    if audit.lang not in ("zh-CN", "en"):
        problems.append(f"<html lang> is {audit.lang!r}")
    if audit.headings.count(1) != 1:
        problems.append(f"{audit.headings.count(1)} h1 elements (want exactly one)")
    for before, after in zip(audit.headings, audit.headings[1:], strict=False):
        if after > before + 1:
            problems.append(f"heading h{before} is followed by h{after}")
    for control in audit.controls:
        named = control["wrapped"] or control.get("id") in audit.labels_for or control.get("aria-label")
        if not named:
            problems.append(f"<{control['tag']} name={control.get('name')!r}> has no label")
    if "<svg" in html and re.search(r"<svg(?![^>]*aria-label)[^>]*>(?!\s*<title)", html):
        problems.append("an <svg> without a title or aria-label")
    problems.extend(f"loads {url} from outside the service" for url in audit.outside)
    if len(html.encode("utf-8")) > PAGE_LIMIT:
        problems.append(f"the page is {len(html.encode('utf-8'))} bytes")
    return problems
