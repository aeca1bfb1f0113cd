"""The API fuzzed as an external client would use it: a real server process (uvicorn,
as in production), a service account's token, and schemathesis's command line reading
the schema the server serves. No answer may be a server error, and every answer must
match the schema (status, content type, headers, body)."""

import subprocess
import sys
from pathlib import Path

import pytest
from django.utils import timezone

from api.models import ApiRequest
from api.tokens import create_token
from reports import figures
from reports.models import Action, ActionReport

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(120)]

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_headers_conformance",
        "response_schema_conformance",
    ]
)


@pytest.fixture
def server(monkeypatch, request):
    # The fuzzer sends a few hundred requests: above the default limit per token.
    monkeypatch.setenv("API_RATE_LIMIT", "100000/hour")
    return request.getfixturevalue("asgi_server")


def test_the_api_answers_as_its_schema_says(
    make_staff, make_campaign, make_idea, server, tmp_path
):
    campaign = make_campaign("open", allow_anonymous=True)
    make_idea(campaign, anonymous=True)
    idea = make_idea(campaign)
    theme = campaign.themes.first()
    report = ActionReport.objects.create(
        campaign=campaign,
        title="You said, we did",
        state=ActionReport.State.PUBLISHED,
        published_at=timezone.now(),
        figures=figures.campaign_figures(campaign),
    )
    Action.objects.create(report=report, title="Rest", owner="Estates").ideas.add(idea)
    _row, key = create_token("Fuzzer", make_staff())
    # Detail pages are asked about rows that exist (random ids find nothing), so
    # their bodies are checked against the schema too.
    config = tmp_path / "schemathesis.toml"
    config.write_text(
        "".join(
            f'[[operations]]\ninclude-path = "/api/v1/{path}"\n'
            f"parameters = {{ {name} = {value} }}\n\n"
            for path, name, value in [
                ("campaigns/{id}/", "id", campaign.pk),
                ("campaigns/{id}/figures/", "id", campaign.pk),
                ("themes/{id}/", "id", theme.pk),
                ("ideas/{id}/", "id", idea.pk),
                ("tallies/{idea}/", "idea", idea.pk),
                ("reports/{id}/", "id", report.pk),
            ]
        )
    )
    result = subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(config),
            "run",
            f"{server.url}/api/v1/schema/",
            "--header",
            f"Authorization: Bearer {key}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing",
            "--max-examples",
            "10",
            "--seed",
            "18",
            "--generation-deterministic",
            "--max-time",
            "15",  # seconds of fuzzing: the suite's time is shared (under 15 min a run)
            "--request-timeout",
            "10",
            "--workers",
            "1",
            "--no-color",
        ],
        capture_output=True,
        text=True,
        timeout=100,
        cwd=tmp_path,
    )
    print(result.stdout[-1500:])  # the run's summary, shown with -s or on failure
    assert result.returncode == 0, result.stdout[-4000:] + result.stderr[-2000:]
    assert "No issues found" in result.stdout
    # Every operation was answered with data, and every request was recorded.
    answered = set(
        ApiRequest.objects.filter(status=200, token__isnull=False).values_list(
            "path", flat=True
        )
    )
    assert {
        f"/api/v1/campaigns/{campaign.pk}/",
        f"/api/v1/campaigns/{campaign.pk}/figures/",
        f"/api/v1/themes/{theme.pk}/",
        f"/api/v1/ideas/{idea.pk}/",
        f"/api/v1/tallies/{idea.pk}/",
        f"/api/v1/reports/{report.pk}/",
        "/api/v1/ideas/",
        "/api/v1/reports/",
    } <= answered
