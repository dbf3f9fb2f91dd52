"""Schemathesis over the service's OpenAPI schema, with the admin token: no 500s, and every
answer conforms to the schema (status code, content type, body, headers). Kept small."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from schemathesis import checks
from service_support import ADMIN, term_tables, zip_bytes
from service_support import settings as service_settings

from api.service import create_app


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FastAPI]:
    application = create_app(service_settings(Path(tmp_path_factory.mktemp("schemathesis"))))
    with TestClient(application) as client:  # runs the lifespan once: database, runner
        r = client.post(
            "/api/terms", files={"file": ("term.zip", zip_bytes(term_tables()), "application/zip")},
            headers={"Authorization": f"Bearer {ADMIN}"},
        )  # fmt: skip
        assert r.status_code == 201
        yield application


@pytest.fixture(scope="module")
def api_schema(app: FastAPI) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", app)


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def test_api_conforms(api_schema: schemathesis.BaseSchema) -> None:
    # Every operation, driven by Hypothesis directly (schemathesis' pytest plugin follows pytest's
    # internals, which change between pytest releases).
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert operations
    for operation in operations:

        @given(operation.as_strategy())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def conforms(case: schemathesis.Case) -> None:
            case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN}"}, checks=CHECKS)

        conforms()
