"""The OpenAPI 3 schema: generated without a warning, valid, served to anyone."""

import pytest
import yaml
from django.core.management import call_command
from django.test import Client

pytestmark = pytest.mark.django_db


def test_the_schema_generates_without_warnings_and_validates(tmp_path):
    out = tmp_path / "schema.yaml"
    # --fail-on-warn turns any warning into an error; --validate checks it against
    # the OpenAPI 3 specification.
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    schema = yaml.safe_load(out.read_text())
    assert schema["openapi"].startswith("3.")
    assert {
        "/api/v1/campaigns/",
        "/api/v1/campaigns/{id}/figures/",
        "/api/v1/themes/",
        "/api/v1/ideas/",
        "/api/v1/tallies/",
        "/api/v1/reports/",
    } <= set(schema["paths"])
    # Read-only: no operation but GET.
    assert {m for ops in schema["paths"].values() for m in ops} == {"get"}
    assert schema["components"]["securitySchemes"]["bearerToken"]["scheme"] == "bearer"


def test_the_schema_is_served_at_the_path_the_readme_names():
    response = Client().get("/api/v1/schema/", headers={"Accept": "application/json"})
    assert response.status_code == 200
    assert response.json()["info"]["title"] == "Staff Voice read API"
    with open("README.md") as readme:
        assert "/api/v1/schema/" in readme.read()
