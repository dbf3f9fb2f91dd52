"""Schemathesis over the service's OpenAPI schema, with the admin token: no 500s, and every
answer conforms to the schema (status code, content type, body, headers). Kept small and bounded.

The service holds real data: the small term uploaded, solved and published, a reader token and a
feed. Half of the generated cases use those real ids in their path (term, plan, job, dataset,
leader, unit, token, feed token), so that the routes are driven past their 404s: DELETE routes
included, except on the admin's own token (a fuzzed DELETE revokes a reader token instead)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from schemathesis import checks
from service_support import ADMIN, TERM_ID, bearer, term_tables, wait_job, zip_bytes
from service_support import settings as service_settings

from api.service import create_app


@pytest.fixture(scope="module")
def real(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[FastAPI, dict[str, Any]]]:
    tmp = Path(tmp_path_factory.mktemp("schemathesis"))
    application = create_app(service_settings(tmp, max_queued_jobs=3))
    with TestClient(application) as client:  # runs the lifespan once: database, runner
        r = client.post("/api/terms", files={"file": ("term.zip", zip_bytes(term_tables()), "application/zip")}, headers=bearer())
        assert r.status_code == 201
        dataset = r.json()["dataset_id"]
        job = wait_job(client.get, client.post(f"/api/terms/{TERM_ID}/solve", json={"time_limit_s": 3}, headers=bearer()).json()["job_id"])
        assert job["status"] == "done", job
        assert client.post(f"/api/plans/{job['plan_id']}/publish", headers=bearer()).status_code == 200
        reader = client.post("/api/tokens", json={"name": "fuzzed reader", "role": "reader"}, headers=bearer()).json()
        feed = client.get("/api/leaders/L001/feed", headers=bearer()).json()["url"]
        ids = {
            "term_id": TERM_ID, "plan_id": job["plan_id"], "job_id": job["job_id"], "dataset_id": dataset,
            "leader_id": "L001", "unit_id": "C001", "token_id": reader["token_id"],
            "token": httpx.URL(feed).path.rsplit("/", 1)[-1].removesuffix(".ics"),
        }  # fmt: skip
        yield application, ids


@pytest.fixture(scope="module")
def api_schema(real: tuple[FastAPI, dict[str, Any]]) -> schemathesis.BaseSchema:
    return schemathesis.openapi.from_asgi("/openapi.json", real[0])


CHECKS = [
    checks.not_a_server_error,
    checks.status_code_conformance,
    checks.content_type_conformance,
    checks.response_schema_conformance,
    checks.response_headers_conformance,
]


def test_api_conforms(api_schema: schemathesis.BaseSchema, real: tuple[FastAPI, dict[str, Any]]) -> None:
    # Every operation, driven by Hypothesis directly (schemathesis' pytest plugin follows pytest's
    # internals, which change between pytest releases).
    _, ids = real
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert any(op.method.upper() == "DELETE" for op in operations)
    found: dict[str, set[int]] = {}  # "METHOD path" -> statuses answered to cases with real ids
    for operation in operations:

        @given(case=operation.as_strategy(), use_real=st.booleans())
        @settings(max_examples=8, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
        def conforms(case: schemathesis.Case, use_real: bool) -> None:
            real_ids = use_real and bool(case.path_parameters)
            if real_ids:
                case.path_parameters = {k: ids.get(k, v) for k, v in case.path_parameters.items()}
            response = case.call_and_validate(headers={"Authorization": f"Bearer {ADMIN}"}, checks=CHECKS)
            if real_ids:
                found.setdefault(f"{case.method.upper()} {case.path}", set()).add(response.status_code)

        conforms()
    # the real ids took the fuzzer past the 404s
    assert 200 in found["GET /api/terms/{term_id}"] and 200 in found["GET /api/plans/{plan_id}"]
    assert 200 in found["DELETE /api/tokens/{token_id}"]
