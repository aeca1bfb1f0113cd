"""Engagement managers create campaigns through the site; nobody else can."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conversations.models import Campaign, CampaignStatus

pytestmark = pytest.mark.django_db

CREATE = "conversations:campaign_create"


def local(dt) -> str:
    return timezone.localtime(dt).strftime("%Y-%m-%dT%H:%M")


def form_data(**overrides) -> dict:
    now = timezone.now()
    return {
        "title": "Our future together",
        "introduction": "<p>Tell us what would make work better.</p><script>x()</script>",
        "themes": "Health and wellbeing\r\nWays of working\r\n\r\n  Leadership  \r\n",
        "opens_at": local(now - timedelta(hours=1)),
        "closes_at": local(now + timedelta(days=20)),
        "is_published": "on",
        **overrides,
    }


def test_engagement_manager_creates_a_campaign_through_the_site(client, manager):
    client.force_login(manager)

    response = client.post(reverse(CREATE), form_data())

    campaign = Campaign.objects.get()
    assert response.status_code == 302
    assert response["Location"] == campaign.get_absolute_url()
    assert campaign.title == "Our future together"
    assert campaign.created_by == manager
    assert "<script" not in campaign.introduction
    assert [t.name for t in campaign.themes.all()] == [
        "Health and wellbeing",
        "Ways of working",
        "Leadership",
    ]
    assert campaign.status(timezone.now()) == CampaignStatus.OPEN
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert "Our future together" in page.content.decode()


def test_times_are_read_in_the_organisations_time_zone(client, manager):
    client.force_login(manager)
    opens = timezone.localtime(timezone.now() + timedelta(days=2)).replace(
        second=0, microsecond=0
    )

    client.post(
        reverse(CREATE),
        form_data(opens_at=local(opens), closes_at=local(opens + timedelta(days=20))),
    )

    campaign = Campaign.objects.get()
    assert campaign.opens_at == opens
    assert campaign.status(timezone.now()) == CampaignStatus.SCHEDULED


def test_unticked_publish_keeps_the_campaign_a_draft(client, manager):
    client.force_login(manager)
    data = form_data()
    del data["is_published"]

    client.post(reverse(CREATE), data)

    assert Campaign.objects.get().status(timezone.now()) == CampaignStatus.DRAFT


def test_campaign_form_is_shown_to_an_engagement_manager(client, manager):
    client.force_login(manager)

    assert client.get(reverse(CREATE)).status_code == 200


@pytest.mark.parametrize("role", [None, "moderator"])
def test_staff_who_are_not_engagement_managers_cannot_create_campaigns(
    client, make_staff, role
):
    client.force_login(make_staff(roles=[role] if role else []))

    assert client.get(reverse(CREATE)).status_code == 403
    assert client.post(reverse(CREATE), form_data()).status_code == 403
    assert not Campaign.objects.exists()


def test_campaign_closing_before_it_opens_is_shown_again_with_an_error(client, manager):
    client.force_login(manager)
    now = timezone.now()

    response = client.post(
        reverse(CREATE),
        form_data(
            opens_at=local(now + timedelta(days=5)),
            closes_at=local(now + timedelta(days=2)),
        ),
    )

    assert response.status_code == 400
    html = response.content.decode()
    assert "The closing time must be after the opening time." in html
    assert "Our future together" in html  # what the manager typed is kept
    assert not Campaign.objects.exists()


def test_campaign_without_themes_is_shown_again_with_an_error(client, manager):
    client.force_login(manager)

    response = client.post(reverse(CREATE), form_data(themes=" \r\n  "))

    assert response.status_code == 400
    assert "Add at least one theme, one per line." in response.content.decode()


def test_campaign_with_the_same_theme_twice_is_shown_again_with_an_error(
    client, manager
):
    client.force_login(manager)

    response = client.post(reverse(CREATE), form_data(themes="Wellbeing\nwellbeing"))

    assert response.status_code == 400
    assert "Each theme needs a different name." in response.content.decode()


def test_published_campaign_that_has_already_closed_is_refused(client, manager):
    client.force_login(manager)
    now = timezone.now()

    response = client.post(
        reverse(CREATE),
        form_data(
            opens_at=local(now - timedelta(days=10)),
            closes_at=local(now - timedelta(days=1)),
        ),
    )

    assert response.status_code == 400
    assert "The closing time must be in the future." in response.content.decode()


def test_engagement_manager_edits_a_campaign_through_the_site(
    client, manager, make_campaign
):
    campaign = make_campaign("open", themes=["Wellbeing"])
    client.force_login(manager)
    data = form_data(
        title="Renamed campaign",
        themes="Wellbeing\nTeamwork",
        opens_at=local(campaign.opens_at),
        closes_at=local(campaign.closes_at),
    )

    response = client.post(
        reverse("conversations:campaign_edit", args=[campaign.slug]), data
    )

    assert response.status_code == 302
    campaign.refresh_from_db()
    assert campaign.title == "Renamed campaign"
    assert [t.name for t in campaign.themes.all()] == ["Wellbeing", "Teamwork"]


def test_staff_cannot_edit_a_campaign(client, staff, make_campaign):
    campaign = make_campaign("open")
    client.force_login(staff)
    url = reverse("conversations:campaign_edit", args=[campaign.slug])

    assert client.get(url).status_code == 403
    assert client.post(url, form_data(title="Hijacked")).status_code == 403
    campaign.refresh_from_db()
    assert campaign.title != "Hijacked"
