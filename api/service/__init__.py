"""The frontline web service (FastAPI): upload term data, solve, publish, re-plan, serve feeds."""

from api.service.app import create_app
from api.service.settings import Settings

__all__ = ["Settings", "create_app"]
