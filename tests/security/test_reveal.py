"""Break-glass reveal: off by default; one holder asks with a reason, a second,
different holder decides; both audited; only those two see the author, and the author
is told."""

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from conversations.models import AuditEntry, RevealRequest
from conversations.services import reveal
from notifications.models import Notification
from tests.security.conftest import AUTHOR_EMAIL, AUTHOR_NAME, assert_no_author

pytestmark = pytest.mark.django_db

REASON = "A message in this post describes a plan to harm a named colleague tonight."
DECISION = "Agreed: credible risk to life, the safeguarding lead has been told."


@pytest.fixture
def asker(make_holder):
    return make_holder(display_name="Asha Asker")


@pytest.fixture
def approver(make_holder):
    return make_holder(display_name="Aaron Approver")


@pytest.fixture
def pending(reveal_on, asker, anonymous_idea):
    return reveal.request_reveal(asker, anonymous_idea, REASON)


@pytest.fixture
def approved(pending, approver):
    return reveal.decide_reveal(approver, pending, approve=True, reason=DECISION)


# -- services -----------------------------------------------------------------------


def test_reveal_is_off_unless_the_organisation_switches_it_on(
    asker, anonymous_idea, settings
):
    settings.REVEAL_ENABLED = False

    with pytest.raises(reveal.RevealDisabled):
        reveal.request_reveal(asker, anonymous_idea, REASON)
    assert not RevealRequest.objects.exists()


def test_a_request_is_recorded_and_audited_without_the_author(
    pending, asker, anonymous_idea
):
    assert pending.state == RevealRequest.State.PENDING
    assert pending.requested_by == asker
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL_REQUESTED)
    assert entry.actor == asker
    assert entry.idea == anonymous_idea
    assert entry.note == REASON
    assert anonymous_idea.author_id not in (entry.actor_id,)
    assert str(anonymous_idea.author_id) not in str(entry.prior_state.values())


def test_other_holders_are_told_a_request_waits_but_not_who_wrote_it(
    approver, pending, asker
):
    note = Notification.objects.get(recipient=approver, kind="reveal.requested")
    assert note.url == reverse("reveal:detail", args=[pending.pk])
    assert_no_author(note.message)
    assert not Notification.objects.filter(
        recipient=asker, kind="reveal.requested"
    ).exists()


def test_a_non_holder_cannot_ask(reveal_on, make_staff, anonymous_idea):
    moderator = make_staff(roles=["moderator", "engagement_manager"])

    with pytest.raises(PermissionDenied):
        reveal.request_reveal(moderator, anonymous_idea, REASON)


def test_a_superuser_is_not_a_holder_by_being_a_superuser(
    reveal_on, make_staff, anonymous_idea
):
    root = make_staff()
    root.is_superuser = True
    root.save()

    assert root.has_perm("accounts.reveal_identity")  # what Django would say
    with pytest.raises(PermissionDenied):
        reveal.request_reveal(root, anonymous_idea, REASON)


def test_the_permission_through_a_role_counts(reveal_on, make_staff, anonymous_idea):
    from django.contrib.auth.models import Group, Permission

    from tests.security.conftest import held_since

    group = Group.objects.create(name="Safeguarding leads")
    group.permissions.add(Permission.objects.get(codename="reveal_identity"))
    holder = make_staff()
    held_since(holder)
    holder.groups.add(group)

    assert reveal.request_reveal(holder, anonymous_idea, REASON).pk


def test_only_anonymous_posts_can_be_revealed(
    reveal_on, asker, make_idea, open_campaign
):
    named = make_idea(open_campaign)

    with pytest.raises(ValidationError):
        reveal.request_reveal(asker, named, REASON)


def test_a_reason_is_required(reveal_on, asker, anonymous_idea):
    with pytest.raises(ValidationError):
        reveal.request_reveal(asker, anonymous_idea, "   because  ")


def test_one_pending_request_per_post(pending, make_holder, anonymous_idea):
    with pytest.raises(ValidationError):
        reveal.request_reveal(make_holder(), anonymous_idea, REASON)


def test_the_requester_cannot_approve_their_own_request(pending, asker):
    with pytest.raises(PermissionDenied):
        reveal.decide_reveal(asker, pending, approve=True, reason=DECISION)

    pending.refresh_from_db()
    assert pending.state == RevealRequest.State.PENDING
    assert not AuditEntry.objects.filter(
        action=AuditEntry.Action.REVEAL_APPROVED
    ).exists()


def test_a_non_holder_cannot_decide(pending, make_staff):
    with pytest.raises(PermissionDenied):
        reveal.decide_reveal(
            make_staff(roles=["administrator"]),
            pending,
            approve=True,
            reason=DECISION,
        )


def test_approval_is_audited_with_the_reason_and_the_author_is_told_why(
    approved, approver, author, asker
):
    assert approved.state == RevealRequest.State.APPROVED
    assert approved.decided_by == approver
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL_APPROVED)
    assert (entry.actor, entry.note) == (approver, DECISION)
    assert entry.prior_state == {"reveal_request": approved.pk, "state": "pending"}

    told = Notification.objects.get(recipient=author, kind="reveal.author_told")
    assert "revealed" in told.message
    assert REASON in told.message
    assert Notification.objects.filter(recipient=asker, kind="reveal.decided").exists()


def test_refusal_is_audited_and_the_author_is_not_told(pending, approver, author):
    reveal.decide_reveal(approver, pending, approve=False, reason=DECISION)

    pending.refresh_from_db()
    assert pending.state == RevealRequest.State.REFUSED
    assert AuditEntry.objects.filter(
        action=AuditEntry.Action.REVEAL_REFUSED, actor=approver, note=DECISION
    ).exists()
    assert not Notification.objects.filter(
        recipient=author, kind="reveal.author_told"
    ).exists()


def test_a_request_is_decided_once(approved, make_holder):
    with pytest.raises(ValidationError):
        reveal.decide_reveal(make_holder(), approved, approve=False, reason=DECISION)


def test_only_the_two_people_see_the_author(
    approved, asker, approver, make_holder, author
):
    assert reveal.revealed_author(asker, approved) == author
    assert reveal.revealed_author(approver, approved) == author
    with pytest.raises(PermissionDenied):
        reveal.revealed_author(make_holder(), approved)


def test_nobody_sees_the_author_before_approval(pending, asker):
    with pytest.raises(PermissionDenied):
        reveal.revealed_author(asker, pending)


def test_a_comment_can_be_revealed_too(
    reveal_on, asker, approver, anonymous_comment, author
):
    request = reveal.request_reveal(asker, anonymous_comment, REASON)
    request = reveal.decide_reveal(approver, request, approve=True, reason=DECISION)

    assert reveal.revealed_author(asker, request) == author
    entry = AuditEntry.objects.get(action=AuditEntry.Action.REVEAL_REQUESTED)
    assert entry.comment == anonymous_comment
    assert entry.idea == anonymous_comment.idea


# -- pages ----------------------------------------------------------------------------


def all_reveal_urls(kind="idea", post_pk=1, request_pk=1) -> list[str]:
    return [
        reverse("reveal:index"),
        reverse("reveal:request", args=[kind, post_pk]),
        reverse("reveal:detail", args=[request_pk]),
        reverse("reveal:decide", args=[request_pk]),
    ]


@pytest.mark.parametrize("signed_in_as", [None, "staff", "holder"])
def test_every_reveal_url_is_404_when_switched_off(
    client, settings, make_staff, make_holder, anonymous_idea, signed_in_as
):
    settings.REVEAL_ENABLED = False
    if signed_in_as == "staff":
        client.force_login(make_staff())
    elif signed_in_as == "holder":
        client.force_login(make_holder())

    for url in all_reveal_urls(post_pk=anonymous_idea.pk):
        assert client.get(url).status_code == 404, url
        assert client.post(url).status_code == 404, url


def test_every_reveal_url_is_403_for_a_non_holder(
    client, pending, make_staff, anonymous_idea
):
    client.force_login(make_staff(roles=["moderator", "engagement_manager"]))

    for url in all_reveal_urls(post_pk=anonymous_idea.pk, request_pk=pending.pk):
        assert client.get(url).status_code == 403, url


def test_reveal_pages_need_sign_in(client, pending, anonymous_idea):
    for url in all_reveal_urls(post_pk=anonymous_idea.pk, request_pk=pending.pk):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("account_login"))


def test_request_through_the_site(client, reveal_on, asker, anonymous_idea):
    client.force_login(asker)
    url = reverse("reveal:request", args=["idea", anonymous_idea.pk])

    form = client.get(url)
    assert form.status_code == 200
    assert_no_author(form.content.decode(), "request form")

    response = client.post(url, {"reason": REASON})

    created = RevealRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("reveal:detail", args=[created.pk])
    assert created.requested_by == asker


def test_a_short_reason_is_refused_and_kept(client, reveal_on, asker, anonymous_idea):
    client.force_login(asker)

    response = client.post(
        reverse("reveal:request", args=["idea", anonymous_idea.pk]),
        {"reason": "just curious"},
    )

    assert response.status_code == 400
    assert "just curious" in response.content.decode()
    assert not RevealRequest.objects.exists()


def test_approving_through_the_site_then_only_the_two_see_the_author(
    client, pending, asker, approver, make_holder
):
    detail = reverse("reveal:detail", args=[pending.pk])
    client.force_login(approver)
    before = client.get(detail).content.decode()
    assert_no_author(before, "pending request page")
    assert "Record my decision" in before

    response = client.post(
        reverse("reveal:decide", args=[pending.pk]),
        {"decision": "approve", "reason": DECISION},
    )
    assert response.status_code == 302

    for person in (asker, approver):
        client.force_login(person)
        html = client.get(detail).content.decode()
        assert AUTHOR_NAME in html
        assert AUTHOR_EMAIL in html

    client.force_login(make_holder())
    other = client.get(detail)
    assert other.status_code == 200
    assert_no_author(other.content.decode(), "a third holder's view")


def test_the_requester_cannot_approve_through_the_site(client, pending, asker):
    client.force_login(asker)

    page = client.get(reverse("reveal:detail", args=[pending.pk])).content.decode()
    response = client.post(
        reverse("reveal:decide", args=[pending.pk]),
        {"decision": "approve", "reason": DECISION},
    )

    assert "Record my decision" not in page
    assert response.status_code == 403
    pending.refresh_from_db()
    assert pending.state == RevealRequest.State.PENDING


def test_the_reveal_list_never_names_the_author(client, approved, asker):
    client.force_login(asker)

    html = client.get(reverse("reveal:index")).content.decode()

    assert f"Request {approved.pk}" in html
    assert_no_author(html, "reveal list")


def test_the_audit_admin_list_never_names_the_author(client, approved, make_staff):
    admin = make_staff(mfa=True)
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client.force_login(admin)

    response = client.get(reverse("admin:conversations_auditentry_changelist"))

    assert response.status_code == 200
    assert "Identity revealed" in response.content.decode()
    assert_no_author(response.content.decode(), "audit admin list")


def test_the_reveal_link_shows_to_holders_only_where_switched_on(
    rf, reveal_on, asker, make_staff, anonymous_idea
):
    from django.template import Context, Template

    template = Template("{% load reveal_tags %}{% reveal_link idea %}")

    def render(user):
        request = rf.get("/")
        request.user = user
        return template.render(Context({"request": request, "idea": anonymous_idea}))

    url = reverse("reveal:request", args=["idea", anonymous_idea.pk])
    assert url in render(asker)
    assert render(make_staff(roles=["moderator"])) == ""
    reveal_on.REVEAL_ENABLED = False
    assert render(asker) == ""


def test_holders_find_the_reveal_list_in_the_header(client, reveal_on, asker, staff):
    client.force_login(asker)
    assert reverse("reveal:index") in client.get(reverse("home")).content.decode()

    client.force_login(staff)
    assert reverse("reveal:index") not in client.get(reverse("home")).content.decode()


def test_asking_about_a_named_post_is_explained_not_offered(
    client, reveal_on, asker, make_idea, open_campaign
):
    named = make_idea(open_campaign)
    client.force_login(asker)

    html = client.get(
        reverse("reveal:request", args=["idea", named.pk])
    ).content.decode()

    assert "This post is not anonymous" in html
    assert "Send the request" not in html
