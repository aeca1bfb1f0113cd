"""A post sent after the session ended leads to sign-in and then back to the form
(where static/js/drafts.js puts the text back); a received post is marked so the
script can forget its copy."""

import pytest
from django.test import Client
from django.urls import reverse

from conversations import services
from conversations.models import Idea

pytestmark = pytest.mark.django_db


@pytest.fixture
def form_url(open_campaign):
    return reverse("conversations:idea_create", args=[open_campaign.slug])


def idea_post(campaign):
    return {
        "theme": campaign.themes.first().pk,
        "title": "Quiet rooms",
        "body": "On every ward",
    }


def test_a_post_refused_for_an_ended_session_leads_to_sign_in_and_back_to_the_form(
    open_campaign, form_url
):
    browser = Client(enforce_csrf_checks=True)  # cookies cleared: no CSRF cookie

    response = browser.post(
        form_url,
        idea_post(open_campaign),
        HTTP_REFERER=f"http://testserver{form_url}?theme=1",
    )

    assert response.status_code == 302
    login = reverse("account_login")
    assert response["Location"].startswith(login + "?next=")
    assert f"{form_url}%3Ftheme%3D1" in response["Location"]
    page = browser.get(response["Location"]).content.decode()
    assert "You were signed out, so that was not posted." in page
    assert not Idea.objects.exists()


def test_a_cross_site_post_still_gets_the_plain_refusal(open_campaign, form_url):
    browser = Client(enforce_csrf_checks=True)

    response = browser.post(
        form_url, idea_post(open_campaign), HTTP_REFERER="https://evil.example/"
    )

    assert response.status_code == 403


def test_a_scripts_request_refused_by_csrf_still_gets_a_403(
    open_campaign, make_idea, staff
):
    idea = make_idea(open_campaign)
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)
    url = reverse("conversations:vote", args=[open_campaign.slug, "idea", idea.pk])
    page = f"http://testserver{idea.get_absolute_url()}"

    as_json = browser.post(
        url, {"value": "support"}, HTTP_REFERER=page, HTTP_ACCEPT="application/json"
    )
    fetched = browser.post(
        url, {"value": "support"}, HTTP_REFERER=page, HTTP_SEC_FETCH_MODE="cors"
    )

    assert as_json.status_code == fetched.status_code == 403


def test_a_signed_in_post_with_an_expired_page_goes_back_to_the_form(
    open_campaign, form_url, staff
):
    browser = Client(enforce_csrf_checks=True)
    browser.force_login(staff)

    response = browser.post(
        form_url,
        idea_post(open_campaign),
        HTTP_REFERER=f"http://testserver{form_url}",
    )

    assert response.status_code == 302 and response["Location"] == form_url
    assert "not posted" in browser.get(form_url).content.decode()


def test_a_comment_sent_after_the_session_ended_comes_back_to_the_idea_page(
    client, open_campaign, make_idea, staff
):
    idea = make_idea(open_campaign)
    url = reverse("conversations:comment_create", args=[open_campaign.slug, idea.pk])

    response = client.post(url, {"body": "Yes please"})
    client.force_login(staff)
    after_sign_in = client.get(url)

    assert response["Location"].startswith(reverse("account_login"))
    assert after_sign_in.status_code == 302
    assert after_sign_in["Location"] == idea.get_absolute_url() + "#comments"


def test_a_received_post_is_marked_so_the_device_copy_is_forgotten(
    client, open_campaign, form_url, staff
):
    client.force_login(staff)

    page = client.post(form_url, idea_post(open_campaign), follow=True)
    failed = client.post(form_url, {"title": ""})

    assert "data-draft-posted" in page.content.decode()
    assert 'data-draft="idea-' in failed.content.decode()
    assert "data-draft-posted" not in failed.content.decode()


def test_posting_forms_carry_draft_keys_and_the_drafts_script(
    client, open_campaign, form_url, staff, make_idea
):
    idea = services.post_idea(
        staff,
        open_campaign,
        theme=open_campaign.themes.first(),
        title="Rest rooms",
        body="Please",
    )
    client.force_login(staff)

    for url in (
        form_url,
        idea.get_absolute_url(),
        reverse("me:edit_idea", args=[idea.pk]),
    ):
        html = client.get(url).content.decode()
        assert "data-draft=" in html, url
        assert "js/drafts.js" in html, url
        assert f'data-owner="{staff.pk}"' in html, url
