"""No way round the reveal in the Django admin, for any role, superuser included.

A world with an anonymous idea and comment whose author also follows, votes, flags,
has notifications and a reveal about them; then, as a superuser, an administrator
(staff, every admin permission) and a moderator (staff, view permissions), every
admin page of every registered model is asked for: the index, each changelist (plain,
sorted by every column, searched, and filtered by every relation the model has, one
and two steps deep, typed into the address), add, and the change, delete and history
page of every row, plus autocomplete for every relation field.

What counts as a path to the author ("a tie"):
- a page reached with the author's key (their pk or email) that shows the anonymous
  post (its title, its text or a link to its admin page), where the same page asked
  with a decoy colleague's key does not;
- a page reached with the anonymous post's key (or the key of a follow, vote, flag,
  notification or reveal row about it) that shows the author (name, email or a link
  to their admin page), where the same page asked with a decoy post's key does not;
- any page that shows both the author and the anonymous post.
"""

import dataclasses
import logging
import re
from collections.abc import Iterable
from urllib.parse import quote, unquote_plus, urlsplit

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.models import ForeignObjectRel
from django.urls import NoReverseMatch, reverse

from accounts.models import StaffMember
from conversations import services
from conversations.models import Comment, Flag, Idea, RevealRequest
from conversations.services import moderation, reveal
from notifications.models import Follow, Notification
from tests.security.conftest import AUTHOR_EMAIL, SECRET_MARKERS
from voting.models import Vote

pytestmark = [pytest.mark.django_db, pytest.mark.timeout(300)]

ANON_TITLE = "Bullying on nights"
ANON_COMMENT = "Adding more detail, quietly."
DECOY_NAME = "Dora Decoy"
DECOY_EMAIL = "dora.decoy@nhs.net"
DECOY_TITLE = "Parking at the community hospital"


@dataclasses.dataclass
class World:
    author: StaffMember
    decoy: StaffMember
    idea: Idea
    comment: Comment
    decoy_idea: Idea
    # Rows that point at the anonymous post or at the author, by model, and their
    # counterparts about the decoy: (tainted pk, decoy pk).
    tied: dict
    # How rows about the anonymous post name themselves (a follow is "<follower pk>
    # follows <type>/<anonymous idea pk>"): listed next to the author, they tie.
    rows_about_post: list[str]


def _build_world(make_staff, make_campaign, make_holder) -> World:
    author = make_staff(email=AUTHOR_EMAIL, display_name="Priya Quietvoice")
    decoy = make_staff(email=DECOY_EMAIL, display_name=DECOY_NAME)
    other = make_staff(display_name="Olu Other")
    campaign = make_campaign("open", allow_anonymous=True)
    theme = campaign.themes.first()
    idea = services.post_idea(
        author, campaign, theme=theme, title=ANON_TITLE, body="Said.", anonymous=True
    )
    comment = services.post_comment(author, idea, body=ANON_COMMENT, anonymous=True)
    named = services.post_idea(
        author, campaign, theme=theme, title="Named idea by the author", body="Mine."
    )
    decoy_idea = services.post_idea(
        decoy, campaign, theme=theme, title=DECOY_TITLE, body="Decoy's own."
    )
    others = services.post_idea(
        other, campaign, theme=theme, title="Another colleague's idea", body="Hi."
    )
    services.follow_idea(author, idea)
    services.follow_idea(decoy, decoy_idea)
    services.vote(author, others, 1)
    services.vote(author, comment, 1)
    services.vote(decoy, others, -1)
    moderation.flag_post(author, others, "spam")
    moderation.flag_post(decoy, named, "spam")
    services.post_comment(other, idea, body="Thank you for raising it.")
    asker = make_holder(display_name="Asha Asker")
    approver = make_holder(display_name="Aaron Approver")
    with _reveal_on():
        pending = reveal.request_reveal(asker, idea, "A" * 30 + " risk to life")
        reveal.decide_reveal(
            approver, pending, approve=True, reason="Credible risk to life, agreed."
        )

    def pair(model, tainted, decoy_row):
        return (tainted.pk if tainted else None, decoy_row.pk if decoy_row else None)

    tied = {
        Follow: pair(
            Follow,
            Follow.objects.filter(follower=author, target_id=idea.pk).first(),
            Follow.objects.filter(follower=decoy, target_id=decoy_idea.pk).first(),
        ),
        Vote: pair(
            Vote,
            Vote.objects.filter(voter=author, target_id=comment.pk).first(),
            Vote.objects.filter(voter=decoy).first(),
        ),
        Flag: pair(
            Flag,
            Flag.objects.filter(reporter=author).first(),
            Flag.objects.filter(reporter=decoy).first(),
        ),
        Notification: pair(
            Notification,
            Notification.objects.filter(
                recipient=author, kind="reveal.author_told"
            ).first(),
            Notification.objects.filter(recipient=decoy).first()
            or Notification.objects.exclude(recipient=author).first(),
        ),
        RevealRequest: pair(RevealRequest, pending, None),
    }
    rows_about_post = [f"Comment {comment.pk} on idea {idea.pk}", str(pending)]
    for model in (Follow, Vote, Notification):
        row = model._default_manager.filter(pk=tied[model][0]).first()
        rows_about_post.append(str(row))
    return World(author, decoy, idea, comment, decoy_idea, tied, rows_about_post)


class _reveal_on:
    def __enter__(self):
        from django.conf import settings

        self.was = settings.REVEAL_ENABLED
        settings.REVEAL_ENABLED = True

    def __exit__(self, *exc):
        from django.conf import settings

        settings.REVEAL_ENABLED = self.was


def _viewers(make_staff) -> dict[str, StaffMember]:
    root = make_staff(display_name="Rita Root", mfa=True)
    root.is_staff = root.is_superuser = True
    root.save()
    administrator = make_staff(roles=["administrator"], display_name="Ada Admin")
    administrator.is_staff = True
    administrator.save()
    administrator.user_permissions.set(Permission.objects.all())
    moderator = make_staff(roles=["moderator"], display_name="Mo Moderator")
    moderator.is_staff = True
    moderator.save()
    moderator.user_permissions.set(
        Permission.objects.filter(codename__startswith="view_")
    )
    return {"superuser": root, "administrator": administrator, "moderator": moderator}


# -- markers ------------------------------------------------------------------------


def author_shown(text: str, world: World) -> bool:
    admin_link = f"/admin/accounts/staffmember/{world.author.pk}/"
    return any(m in text for m in SECRET_MARKERS) or admin_link in text


def anonymous_post_shown(text: str, world: World) -> bool:
    return (
        any(row in text for row in world.rows_about_post)
        or ANON_TITLE in text
        or ANON_COMMENT in text
        or f"/admin/conversations/idea/{world.idea.pk}/" in text
        or f"/admin/conversations/comment/{world.comment.pk}/" in text
    )


# -- the pages ----------------------------------------------------------------------


@dataclasses.dataclass
class Case:
    group: str
    url: str
    keyed: str = ""  # "person", "post" or "" (neutral)
    decoy_url: str = ""
    # Asked as the superuser only: the same ModelAdmin code answers every role, and
    # the walk must stay quick (sorting, and lookups two relations deep).
    superuser_only: bool = False


def _admin_url(name: str, *args) -> str | None:
    try:
        return reverse(name, args=args)
    except NoReverseMatch:
        return None


def _relations(model) -> Iterable:
    for field in model._meta.get_fields():
        if field.is_relation and field.related_model is not None:
            yield field


def _query_name(field) -> str:
    if isinstance(field, ForeignObjectRel):
        return field.field.related_query_name()
    return field.name


def _keys(related_model, world: World):
    """(suffix, tainted value, decoy value, keyed) for lookups ending on this model."""
    if related_model is StaffMember:
        return [
            ("", world.author.pk, world.decoy.pk, "person"),
            ("__id", world.author.pk, world.decoy.pk, "person"),
            ("__email", world.author.email, world.decoy.email, "person"),
        ]
    if related_model is Idea:
        return [
            ("", world.idea.pk, world.decoy_idea.pk, "post"),
            ("__id__exact", world.idea.pk, world.decoy_idea.pk, "post"),
        ]
    if related_model is Comment:
        decoy_comment = Comment.objects.exclude(pk=world.comment.pk).first()
        return [("", world.comment.pk, decoy_comment.pk, "post")]
    if related_model in world.tied:
        tainted, decoy = world.tied[related_model]
        if tainted is not None:
            return [("", tainted, decoy or 0, "post")]
    return []


def lookup_cases(model, changelist: str, world: World) -> list[Case]:
    cases = []
    seen = set()

    def add(path: str, suffix: str, tainted, decoy, keyed: str):
        key = f"{path}{suffix}"
        if not path or key in seen:
            return
        seen.add(key)
        cases.append(
            Case(
                "lookup",
                f"{changelist}?{key}={tainted}",
                keyed,
                f"{changelist}?{key}={decoy}",
                superuser_only=path.count("__") > 0,
            )
        )

    for field in _relations(model):
        first = _query_name(field)
        for suffix, tainted, decoy, keyed in _keys(field.related_model, world):
            add(first, suffix, tainted, decoy, keyed)
        for second in _relations(field.related_model):
            if second.related_model not in (StaffMember, Idea, Comment):
                continue
            for suffix, tainted, decoy, keyed in _keys(second.related_model, world):
                add(f"{first}__{_query_name(second)}", suffix, tainted, decoy, keyed)
    if any(f.name == "target_id" for f in model._meta.get_fields()):
        for pk, decoy in ((world.idea.pk, world.decoy_idea.pk),):
            add("target_id", "", pk, decoy, "post")
    return cases


def all_cases(world: World) -> list[Case]:
    cases = [Case("index", reverse("admin:index"))]
    for model, model_admin in admin.site._registry.items():
        info = (model._meta.app_label, model._meta.model_name)
        changelist = _admin_url(f"admin:{info[0]}_{info[1]}_changelist")
        if changelist is None:
            continue
        cases.append(Case("changelist", changelist))
        add = _admin_url(f"admin:{info[0]}_{info[1]}_add")
        if add:
            cases.append(Case("add", add))
        columns = len(model_admin.list_display)
        for i in range(1, columns + 1):
            cases.append(Case("ordering", f"{changelist}?o={i}", superuser_only=True))
        cases.append(
            Case(
                "search",
                f"{changelist}?q=Quietvoice",
                "person",
                f"{changelist}?q=Decoy",
            )
        )
        cases.append(
            Case(
                "search",
                f"{changelist}?q={AUTHOR_EMAIL}",
                "person",
                f"{changelist}?q={DECOY_EMAIL}",
            )
        )
        cases.append(
            Case(
                "search",
                f"{changelist}?q=Bullying",
                "post",
                f"{changelist}?q=Parking",
            )
        )
        cases += lookup_cases(model, changelist, world)
        for obj in model._default_manager.all()[:200]:
            for page in ("change", "delete", "history"):
                url = _admin_url(f"admin:{info[0]}_{info[1]}_{page}", obj.pk)
                if url:
                    cases.append(Case(page, url))
        for field in _relations(model):
            if field.many_to_one or field.many_to_many or field.one_to_one:
                if isinstance(field, ForeignObjectRel):
                    continue
                base = (
                    f"{reverse('admin:autocomplete')}?app_label={info[0]}"
                    f"&model_name={info[1]}&field_name={field.name}"
                )
                cases.append(
                    Case(
                        "autocomplete",
                        f"{base}&term=Quietvoice",
                        "person",
                        f"{base}&term=Decoy",
                    )
                )
                cases.append(
                    Case(
                        "autocomplete",
                        f"{base}&term=Bullying",
                        "post",
                        f"{base}&term=Parking",
                    )
                )
    # The inlines' own autocomplete (Team's memberships name staff members).
    for model_admin in admin.site._registry.values():
        for inline in model_admin.inlines:
            for name in getattr(inline, "autocomplete_fields", ()):
                base = (
                    f"{reverse('admin:autocomplete')}"
                    f"?app_label={inline.model._meta.app_label}"
                    f"&model_name={inline.model._meta.model_name}&field_name={name}"
                )
                cases.append(
                    Case(
                        "autocomplete",
                        f"{base}&term=Quietvoice",
                        "person",
                        f"{base}&term=Decoy",
                    )
                )
    return cases


def _page(client, url: str) -> str:
    """The page as text, less what was typed into its address (a search box shows
    the words searched for; that is not the admin finding anyone)."""
    response = client.get(url)
    if response.status_code != 200:
        return ""
    # Links carry the list's query along, encoded twice.
    text = re.sub(r"_changelist_filters=[^\"&]*", "", response.content.decode())
    for part in urlsplit(url).query.split("&"):
        typed = part.partition("=")[2]
        for value in (unquote_plus(typed), typed, quote(unquote_plus(typed))):
            if len(value) > 3:
                text = text.replace(value, "")
    return text


def tie_found(client, case: Case, world: World) -> str:
    text = _page(client, case.url)
    if not text:
        return ""
    shows_author = author_shown(text, world)
    shows_post = anonymous_post_shown(text, world)
    if shows_author and shows_post:
        return "shows the author with the anonymous post"
    if case.keyed == "person" and shows_post:
        if not anonymous_post_shown(_page(client, case.decoy_url), world):
            return "the author's key finds the anonymous post"
    if case.keyed == "post" and shows_author:
        if not author_shown(_page(client, case.decoy_url), world):
            return "the anonymous post's key finds the author"
    return ""


@pytest.fixture
def quiet_refusals():
    """Refused lookups are logged with a traceback each: thousands here. The levels
    are put back afterwards (later tests read what these loggers write)."""
    names = ("django.request", "django.security")
    levels = {name: logging.getLogger(name).level for name in names}
    for name in names:
        logging.getLogger(name).setLevel(logging.CRITICAL)
    yield
    for name, level in levels.items():
        logging.getLogger(name).setLevel(level)


def test_no_admin_page_ties_the_author_to_an_anonymous_post(
    client, make_staff, make_campaign, make_holder, settings, quiet_refusals
):
    world = _build_world(make_staff, make_campaign, make_holder)
    viewers = _viewers(make_staff)
    cases = all_cases(world)
    tried: dict[str, int] = {}
    found: list[str] = []
    for role, person in viewers.items():
        client.force_login(person)
        for case in cases:
            if case.superuser_only and role != "superuser":
                continue
            tried[case.group] = tried.get(case.group, 0) + 1
            why = tie_found(client, case, world)
            if why:
                found.append(f"{role} {case.group} {case.url}: {why}")
    print("\nadmin walk, cases tried:", tried, "total", sum(tried.values()))
    print("ties found:", len(found))
    for line in found:
        print("  ", line)
    assert not found, f"{len(found)} ties found:\n" + "\n".join(found)


def test_the_walk_would_notice_a_tie(client, make_staff, make_campaign, make_holder):
    """The detector itself: a page that lists the anonymous idea for the author's key
    (the idea changelist filtered by author, as the admin answered before) counts."""
    world = _build_world(make_staff, make_campaign, make_holder)
    text_with_both = f"{world.author.email} {ANON_TITLE}"
    assert author_shown(text_with_both, world)
    assert anonymous_post_shown(text_with_both, world)
    assert not anonymous_post_shown(DECOY_TITLE, world)
    assert not author_shown(DECOY_NAME, world)
