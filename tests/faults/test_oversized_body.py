"""A body over the app's limit gets a 413 that says what the limit is (issue 16,
item 5, the app's part), from both page servers: never a 400, a reset or a 500."""

import httpx
import pytest
from django.conf import settings
from django.template.defaultfilters import filesizeformat

from tests.faults.processes import start_app
from tests.servers import session_cookie_for, stop_server

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.timeout(180)]

FIVE_MB = 5 * 1024 * 1024


@pytest.mark.parametrize("kind", ["uvicorn", "granian"])
def test_a_5_mb_post_gets_413_naming_the_limit(
    kind, make_campaign, make_staff, tmp_path
):
    campaign = make_campaign("open")
    person = make_staff()
    server = start_app({}, tmp_path / "server.log", kind=kind)
    try:
        client = httpx.Client(
            base_url=server.url,
            cookies={"sessionid": session_cookie_for(person)},
            timeout=30,
        )
        form = f"/campaigns/{campaign.slug}/ideas/new/"
        assert client.get(form).status_code == 200
        token = client.cookies["csrftoken"]
        sent = client.post(
            form,
            content=(
                f"csrfmiddlewaretoken={token}&theme={campaign.themes.first().pk}"
                f"&title=Big&body={'x' * FIVE_MB}"
            ).encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": server.url + "/",
            },
        )
        assert sent.status_code == 413, sent.text[:300]
        assert "What you sent is too large" in sent.text
        assert filesizeformat(settings.DATA_UPLOAD_MAX_MEMORY_SIZE) in sent.text
        # Welsh too, and the server still answers the same person afterwards.
        client.cookies.set("django_language", "cy")
        again = client.post(
            form,
            content=f"csrfmiddlewaretoken={token}&body={'y' * FIVE_MB}".encode(),
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": server.url + "/",
            },
        )
        assert again.status_code == 413
        assert "rhy fawr" in again.text
        assert client.get(form).status_code == 200
    finally:
        stop_server(server)
