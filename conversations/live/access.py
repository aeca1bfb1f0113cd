"""Access that ends the moment it is taken away, on every worker, for every socket.

Each socket a person holds (campaign pages, the bell) is in their person group on its
worker's receiver (:mod:`conversations.live.receiver`); campaign sockets are also in
their campaign's group. When something changes who may see what, a notice goes to
those groups through the layer once the change commits (:func:`events.publish`):

- signing out: the signed-out session's sockets close at once (``CLOSE_SIGNED_OUT``);
- a password change, an account switched off, erased or removed by the directory
  import, a team membership, lead or role granted or taken away, an authenticator
  removed: the person's sockets check again;
- a campaign's audience, named moderators, publication or team changed: every socket
  of that campaign checks again.

Checking again asks Django who the socket's session signs in now (``auth.get_user``,
the session hash and ``is_active`` included: ``CLOSE_SIGNED_OUT`` if nobody) and then
the one rule (``rules.can_view``: ``CLOSE_FORBIDDEN`` if no longer). The same rule
refuses the socket when the page tries to connect again. No timers: nothing polls.
"""

import hashlib
import logging
from importlib import import_module
from types import SimpleNamespace

from allauth.mfa.models import Authenticator
from channels.db import database_sync_to_async
from django.conf import settings
from django.contrib import auth
from django.contrib.auth.signals import user_logged_out
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save
from django.utils import timezone

from accounts.models import StaffMember, TeamMembership
from accounts.safety import mfa
from accounts.signals import memberships_changed, people_changed
from conversations import rules
from conversations.live import events
from conversations.live.receiver import get_receiver
from conversations.models import Campaign

logger = logging.getLogger(__name__)

CLOSE_SIGNED_OUT = 4401  # the session no longer signs anyone in: final
CLOSE_FORBIDDEN = 4403  # signed in, but may not (or no longer) see this: final
ENDED = "access.ended"
RECHECK = "access.recheck"
# Saving only these fields of a person changes nothing about what they may see.
_HARMLESS_FIELDS = {"last_login", "display_name", "first_name", "last_name", "language"}


def person_group(user_id: int) -> str:
    return f"person.{user_id}"


def session_digest(session_key: str | None) -> str | None:
    """What names a session in a notice: never the key itself."""
    if not session_key:
        return None
    return hashlib.sha256(session_key.encode()).hexdigest()[:32]


# -- notices (sent once the change commits) ----------------------------------------


def _notify(group: str, kind: str, **data) -> None:
    events.publish(group, {"type": kind, "group": group, **data})


def person_changed(person_ids) -> None:
    ids = sorted({pk for pk in person_ids if pk is not None})

    def send() -> None:
        for pk in ids:
            _notify(person_group(pk), RECHECK)

    if ids:
        transaction.on_commit(send, robust=True)


def campaigns_changed(campaign_ids) -> None:
    ids = sorted(set(campaign_ids))

    def send() -> None:
        for pk in ids:
            _notify(events.campaign_group(pk), RECHECK)

    if ids:
        transaction.on_commit(send, robust=True)


def session_ended(user_id: int, session_key: str | None) -> None:
    digest = session_digest(session_key)
    if digest:
        _notify(person_group(user_id), ENDED, session=digest)


# -- signal receivers -----------------------------------------------------------------


def _logged_out(sender, request, user, **kwargs) -> None:
    # Sent before the session is flushed: name the session, do not ask it.
    if user is not None and request is not None and hasattr(request, "session"):
        session_ended(user.pk, request.session.session_key)


def _person_saved(sender, instance, created, update_fields=None, **kwargs) -> None:
    if created or (update_fields and set(update_fields) <= _HARMLESS_FIELDS):
        return
    person_changed([instance.pk])


def _person_deleted(sender, instance, **kwargs) -> None:
    person_changed([instance.pk])


def _people_changed(sender, person_ids, **kwargs) -> None:
    person_changed(person_ids)


def _membership_changed(sender, instance, **kwargs) -> None:
    person_changed([instance.staff_member_id])


def _memberships_changed(sender, person_ids=(), **kwargs) -> None:
    person_changed(person_ids)


def _authenticator_removed(sender, instance, **kwargs) -> None:
    """A second step taken away: a role that needs one may watch nothing until it is
    set up again (``_verdicts``), as its pages may open nothing else."""
    person_changed([instance.user_id])


def _grants_changed(sender, instance, action, reverse, pk_set, **kwargs) -> None:
    """A person's groups or permissions (roles) changed, from either side."""
    if reverse and action == "pre_clear":  # a group or permission cleared of everyone
        person_changed(instance.user_set.values_list("pk", flat=True))
    elif action in ("post_add", "post_remove", "post_clear"):
        if not reverse:
            person_changed([instance.pk])
        elif pk_set:
            person_changed(pk_set)


def _campaign_saved(sender, instance, created, **kwargs) -> None:
    if not created:
        campaigns_changed([instance.pk])


def _campaign_people_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if not action.startswith("post_"):
        return
    if not reverse:
        campaigns_changed([instance.pk])
    elif pk_set:
        campaigns_changed(pk_set)


def connect() -> None:
    """Connect the receivers (from ``ConversationsConfig.ready``: every process that
    writes, pages, tasks and commands alike, sends the notices)."""
    user_logged_out.connect(_logged_out, dispatch_uid="live-logged-out")
    post_save.connect(_person_saved, sender=StaffMember, dispatch_uid="live-person")
    post_delete.connect(_person_deleted, sender=StaffMember, dispatch_uid="live-pd")
    people_changed.connect(_people_changed, dispatch_uid="live-people")
    memberships_changed.connect(_memberships_changed, dispatch_uid="live-memberships")
    post_delete.connect(
        _authenticator_removed, sender=Authenticator, dispatch_uid="live-authenticator"
    )
    for signal in (post_save, post_delete):
        signal.connect(
            _membership_changed,
            sender=TeamMembership,
            dispatch_uid=f"live-membership-{signal is post_save}",
        )
    for through in (StaffMember.groups.through, StaffMember.user_permissions.through):
        m2m_changed.connect(
            _grants_changed, sender=through, dispatch_uid=f"live-grants-{through}"
        )
    post_save.connect(_campaign_saved, sender=Campaign, dispatch_uid="live-campaign")
    for through in (Campaign.audience_teams.through, Campaign.moderators.through):
        m2m_changed.connect(
            _campaign_people_changed, sender=through, dispatch_uid=f"live-cp-{through}"
        )


# -- in the worker: sockets that watch, and the checks --------------------------------


async def watch(socket) -> None:
    """Put ``socket`` in its person's group on this worker. The socket has
    ``user_id``, ``session_key``, ``campaign_id`` (None for the bell) and
    ``end(code)``; a campaign socket also ``moderates`` and ``regroup(moderates)``."""
    receiver = await get_receiver()
    receiver.handle(ENDED, _ended)
    receiver.handle(RECHECK, _recheck)
    await receiver.join(person_group(socket.user_id), socket)


async def unwatch(socket) -> None:
    receiver = await get_receiver()
    await receiver.leave(person_group(socket.user_id), socket)


async def _ended(message: dict) -> None:
    receiver = await get_receiver()
    for socket in receiver.sockets(message["group"]):
        if session_digest(socket.session_key) == message.get("session"):
            logger.info("Websocket closed, signed out: user %s", socket.user_id)
            await socket.end(CLOSE_SIGNED_OUT)


async def _recheck(message: dict) -> None:
    receiver = await get_receiver()
    group = message["group"]
    sockets = [s for s in receiver.sockets(group) if not getattr(s, "closing", False)]
    if not sockets:
        return
    # A person's notice: their sessions may have ended. A campaign's: only who may
    # see it changed, so the person is read again but no session is.
    by_session = group.startswith("person.")
    verdicts = await _verdicts(
        [(s.session_key, s.user_id, s.campaign_id) for s in sockets], by_session
    )
    for socket, (code, moderates) in zip(sockets, verdicts, strict=True):
        if code is not None:
            logger.info(
                "Websocket closed, access ended (%s): user %s, campaign %s",
                code,
                socket.user_id,
                socket.campaign_id,
            )
            await socket.end(code)
        elif socket.campaign_id is not None and moderates != socket.moderates:
            await socket.regroup(moderates)


@database_sync_to_async
def _verdicts(items, by_session: bool) -> list[tuple[int | None, bool]]:
    """For each (session key, user id, campaign id): (close code or None, whether
    they moderate the campaign), as the database and sessions have it now."""
    now = timezone.now()
    users: dict = {}
    if by_session:
        store = import_module(settings.SESSION_ENGINE).SessionStore
        for session_key, _user_id, _campaign in items:
            if session_key not in users:
                request = SimpleNamespace(session=store(session_key))
                users[session_key] = auth.get_user(request)
    else:
        ids = {user_id for _key, user_id, _campaign in items}
        found = {
            user.pk: user
            for user in StaffMember.objects.filter(pk__in=ids, is_active=True)
        }
        for session_key, user_id, _campaign in items:
            users[session_key] = found.get(user_id)
    campaigns = Campaign.objects.in_bulk({c for _k, _u, c in items if c is not None})
    verdicts = []
    for session_key, user_id, campaign_id in items:
        user = users.get(session_key)
        if user is None or not user.is_authenticated or user.pk != user_id:
            verdicts.append((CLOSE_SIGNED_OUT, False))
            continue
        if campaign_id is None:
            verdicts.append((None, False))
            continue
        if mfa.must_set_up(user):  # as when the socket first connected
            verdicts.append((CLOSE_FORBIDDEN, False))
            continue
        campaign = campaigns.get(campaign_id)
        if campaign is None or not rules.can_view(user, campaign, now):
            verdicts.append((CLOSE_FORBIDDEN, False))
            continue
        verdicts.append((None, rules.can_moderate(user, campaign)))
    return verdicts
