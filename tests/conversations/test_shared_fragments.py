"""HTML shared between people is rendered for nobody and keyed by versions: a property
of the helper (``conversations.fragments``), whatever a template puts in it."""

import pytest
from django.template import engines
from django.test import RequestFactory

from conversations import fragments

pytestmark = pytest.mark.django_db

# Everything a careless template edit could reach for inside a shared block.
CARELESS = """{% load shared_fragments %}{% sharedcache "careless" title=title %}
<h1>{{ title }}</h1>
[{{ user }}|{{ user.email }}|{{ request.user.public_name }}|{{ perms.accounts }}|
{{ csrf_token }}|{% csrf_token %}|{{ messages }}|{{ unread_notifications }}]
<input name="csrfmiddlewaretoken" value="{% slot "csrf_token" %}">
{% endsharedcache %}"""


def _render(source: str, person, **context) -> str:
    request = RequestFactory().get("/")
    request.user = person
    request.session = {}
    return engines["django"].from_string(source).render(context, request=request)


def test_a_shared_block_never_shows_one_viewer_anything_of_another(make_staff):
    first = make_staff(display_name="Fiona First", email="fiona@nhs.net")
    second = make_staff(display_name="Sam Second", email="sam@nhs.net")

    as_first = _render(CARELESS, first, title="Same for all")
    as_second = _render(CARELESS, second, title="Same for all")

    for html, other in ((as_first, second), (as_second, first)):
        assert "Same for all" in html
        assert other.public_name not in html and other.email not in html
    # Nothing personal was rendered into the block at all, for either of them.
    assert "Fiona" not in as_first.split("<input")[0]
    assert "[|||||||]" in as_first.replace("\n", "")


def test_each_viewer_gets_their_own_token_in_a_slot(make_staff):
    first, second = make_staff(), make_staff()
    token = 'value="'

    one = _render(CARELESS, first, title="t", csrf_token="token-for-first")
    two = _render(CARELESS, second, title="t", csrf_token="token-<two>")

    assert f"{token}token-for-first" in one
    assert f"{token}token-&lt;two&gt;" in two  # filled escaped
    assert "token-for-first" not in two


def test_a_person_or_a_request_cannot_be_handed_to_a_shared_fragment(make_staff):
    person = make_staff()
    with pytest.raises(fragments.PersonalValue):
        fragments.shared("x", {"author": person}, lambda v: "")
    with pytest.raises(fragments.PersonalValue):
        fragments.shared("x", {"user": "anything"}, lambda v: "")
    with pytest.raises(fragments.PersonalValue):
        fragments.shared("x", {"page": RequestFactory().get("/")}, lambda v: "")


def test_a_value_that_cannot_say_its_version_cannot_key_a_fragment():
    with pytest.raises(TypeError):
        fragments.shared("x", {"thing": object()}, lambda v: "")


def test_a_new_version_shows_new_content_and_the_old_key_keeps_the_old(
    open_campaign,
):
    def title_of(campaign):
        return fragments.shared(
            "title", {"campaign": campaign}, lambda v: v["campaign"].title
        )

    assert title_of(open_campaign) == open_campaign.title
    before = open_campaign.cache_version
    open_campaign.title = "Renamed"
    open_campaign.save()
    assert open_campaign.cache_version != before
    assert title_of(open_campaign) == "Renamed"


def test_a_slot_left_unfilled_is_an_error_not_an_empty_string():
    fragment = fragments.Fragment(f"<p>{fragments.slot_mark('name')}</p>")
    with pytest.raises(KeyError):
        fragment.fill()
    assert fragment.fill(name="<b>") == "<p>&lt;b&gt;</p>"
