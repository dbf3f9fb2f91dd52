"""(filled in with the evidence service)"""

from __future__ import annotations

from fastapi.routing import APIRouter

from api.service.pages.web import PageRoute

router = APIRouter(route_class=PageRoute, include_in_schema=False)
