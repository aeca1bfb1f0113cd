"""The versions that cached fragments of a campaign's pages are keyed by.

A campaign page reads its campaign row afresh on every request, and with it
``Campaign.cache_version`` (everything but votes) and ``Campaign.tally_version``
(votes too). Every write that changes what a page shows moves one of them IN ITS OWN
TRANSACTION, so a request that began after the write committed reads the new version
and can only meet entries made after it; an entry made from older rows sits under an
older key, where no later request looks. Nothing is ever dropped from the cache.

Writers move them in three ways, all in the write's transaction:

- a save of the campaign row (``updated_at``) or a numbered event (``last_event_seq``,
  ``events.record_event``) moves ``cache_version`` by itself;
- services call :func:`bump` / :func:`bump_votes` for writes that do neither
  (queryset ``update()``s such as a merge's or a comment count's, a vote);
- the receivers below move the versions for writes that may come from anywhere (the
  admin, a script, the directory import): any save or delete of an idea, comment or
  theme, a person's name, a team's membership, a campaign's audience or moderators.
"""

from collections.abc import Iterable

from django.db.models import F, Q
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from accounts.models import StaffMember, Team, TeamMembership
from accounts.signals import memberships_changed, people_changed
from conversations.models import Campaign, Comment, Idea, Theme

# Saves of a person that change nothing any page shows of them.
_UNSHOWN_PERSON_FIELDS = frozenset({"last_login", "password"})


def bump(*campaigns: Campaign | int) -> None:
    """Move the version of these campaigns (rows or ids): call inside the write's
    transaction."""
    ids = [c if isinstance(c, int) else c.pk for c in campaigns]
    Campaign.objects.filter(pk__in=ids).update(version=F("version") + 1)


def bump_votes(campaign: Campaign | int) -> None:
    """A vote: move only what shows or is ordered by tallies (inside its transaction)."""
    pk = campaign if isinstance(campaign, int) else campaign.pk
    Campaign.objects.filter(pk=pk).update(vote_version=F("vote_version") + 1)


def bump_where_named(person_ids: Iterable[int]) -> None:
    """These people's names (or accounts) changed: every campaign they posted in."""
    ids = list(person_ids)
    if not ids:
        return
    Campaign.objects.filter(
        Q(pk__in=Idea.objects.filter(author__in=ids).values("campaign_id"))
        | Q(pk__in=Comment.objects.filter(author__in=ids).values("idea__campaign_id"))
    ).update(version=F("version") + 1)


def bump_all() -> None:
    """A change every campaign may show (who is in which team: boards and team
    views). Rare: teams change far less often than pages are read."""
    Campaign.objects.update(version=F("version") + 1)


def _post_changed(sender, instance, **kwargs) -> None:
    campaign_id = instance.campaign_id if isinstance(instance, (Idea, Theme)) else None
    if campaign_id is None:  # a comment
        campaign_id = (
            Idea.objects.filter(pk=instance.idea_id)
            .values_list("campaign_id", flat=True)
            .first()
        )
    if campaign_id is not None:
        bump(campaign_id)


def _person_saved(sender, instance, update_fields=None, created=False, **kwargs):
    if created or (update_fields and set(update_fields) <= _UNSHOWN_PERSON_FIELDS):
        return
    bump_where_named([instance.pk])


def _person_deleted(sender, instance, **kwargs) -> None:
    bump_where_named([instance.pk])


def _people_changed(sender, person_ids, **kwargs) -> None:
    bump_where_named(person_ids)


def _teams_changed(sender, **kwargs) -> None:
    bump_all()


def _campaign_people_changed(sender, instance, action, reverse, pk_set, **kwargs):
    """A campaign's audience or moderators changed: its row is stamped again, which
    moves its version and the facts its access is decided on (``rules.facts``)."""
    if not action.startswith("post_") and action != "pre_clear":
        return
    now = timezone.now()
    if not reverse:
        campaigns = Campaign.objects.filter(pk=instance.pk)
        instance.updated_at = now  # the caller's copy decides as the next request will
    elif pk_set:
        campaigns = Campaign.objects.filter(
            pk__in=pk_set
        )  # from a team's or person's side
    else:
        campaigns = (
            Campaign.objects.all()
        )  # cleared from a team's or person's side: rare
    campaigns.update(version=F("version") + 1, updated_at=now)


def connect() -> None:
    for model in (Idea, Comment, Theme):
        post_save.connect(_post_changed, sender=model, dispatch_uid=f"v-save-{model}")
        post_delete.connect(_post_changed, sender=model, dispatch_uid=f"v-del-{model}")
    post_save.connect(_person_saved, sender=StaffMember, dispatch_uid="v-person")
    post_delete.connect(_person_deleted, sender=StaffMember, dispatch_uid="v-person-d")
    people_changed.connect(_people_changed, dispatch_uid="v-people")
    memberships_changed.connect(_teams_changed, dispatch_uid="v-memberships")
    for model in (Team, TeamMembership):
        post_save.connect(_teams_changed, sender=model, dispatch_uid=f"v-t-{model}")
        post_delete.connect(_teams_changed, sender=model, dispatch_uid=f"v-td-{model}")
    for through in (Campaign.audience_teams.through, Campaign.moderators.through):
        m2m_changed.connect(
            _campaign_people_changed, sender=through, dispatch_uid=f"v-m2m-{through}"
        )
