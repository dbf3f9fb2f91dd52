"""The app's endpoints as one flat list, whatever the FastAPI version nests them in."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from fastapi.routing import APIRoute


def endpoints(routes: Any) -> Iterator[Any]:
    """Every FastAPI endpoint of ``routes`` as an object with ``path_regex``, ``methods`` and
    ``dependant``: an ``APIRoute``, or (FastAPI >= 0.120) a route of an included router in
    its effective context (the prefix and the router's dependencies applied)."""
    for route in routes:
        if isinstance(route, APIRoute):
            yield route
        elif hasattr(route, "effective_route_contexts"):
            for context in route.effective_route_contexts():
                if getattr(context, "dependant", None) is not None and getattr(context, "path_regex", None):
                    yield context
        elif hasattr(route, "routes") and not hasattr(route, "path_regex"):
            yield from endpoints(route.routes)


def allowed_methods(app: Any, path: str) -> list[str]:
    """Every method some endpoint of ``app`` accepts on ``path`` (for a 405's ``Allow``)."""
    methods: set[str] = set()
    for endpoint in endpoints(getattr(getattr(app, "router", None), "routes", ())):
        if endpoint.path_regex.match(path):
            methods.update(endpoint.methods or ())
    return sorted(methods)
