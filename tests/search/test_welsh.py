"""Search, similar ideas and "new since your last visit" speak Welsh."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.urls import reverse

from conversations.models import CampaignVisit

pytestmark = pytest.mark.django_db


@pytest.fixture
def welsh_client(client, make_staff):
    client.force_login(make_staff())
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "cy"
    return client


def test_search_results_in_welsh(welsh_client, open_campaign, make_idea):
    make_idea(open_campaign, title="Parking idea")

    html = welsh_client.get(
        reverse("search:results"), {"q": "parking"}
    ).content.decode()

    assert '<html lang="cy">' in html
    assert "1 canlyniad" in html
    assert "Chwilio syniadau a sylwadau" in html
    assert "Hidlwyr" in html


def test_nothing_found_in_welsh(welsh_client, open_campaign):
    html = welsh_client.get(reverse("search:results"), {"q": "xylophone"}).content
    assert "Does dim byd y gallwch ei weld yn cyfateb" in html.decode()


def test_similar_ideas_in_welsh(welsh_client, open_campaign, make_idea):
    make_idea(open_campaign, title="Free parking")
    url = reverse("search:similar", args=[open_campaign.slug])

    html = welsh_client.get(url, {"title": "parking"}).content.decode()

    assert "Syniadau tebyg y mae cydweithwyr wedi’u rhannu" in html
    assert "Cefnogi hwn yn lle hynny" in html
    form = welsh_client.get(
        reverse("conversations:idea_create", args=[open_campaign.slug])
    ).content.decode()
    assert "Chwilio am syniadau tebyg" in form


def test_campaign_search_and_new_ideas_in_welsh(welsh_client, open_campaign, make_idea):
    welsh_client.get(open_campaign.get_absolute_url())
    CampaignVisit.objects.update(seen_at=open_campaign.opens_at - timedelta(days=1))
    make_idea(open_campaign)

    html = welsh_client.get(open_campaign.get_absolute_url()).content.decode()

    assert "Chwilio’r ymgyrch hon" in html
    assert "Fy syniadau a’m sylwadau yma" in html
    assert "1 syniad newydd ers eich ymweliad diwethaf" in html
