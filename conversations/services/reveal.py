"""Break-glass: revealing who wrote an anonymous post, for serious cases only.

Off unless ``settings.REVEAL_ENABLED``. One holder of the ``accounts.reveal_identity``
permission asks, with a reason; a second, different holder approves or refuses, with
a reason; both steps are audited. Only after approval, and only to those two people,
is the author shown, on the reveal page; the author is told that it happened and why,
and so is the organisation's data protection contact (``REVEAL_DATA_PROTECTION_CONTACT``).

Two people means two people: each must have held the permission for
``REVEAL_HOLDING_DAYS`` (``accounts.safety.privileges`` records every grant), and every grant
or removal of it, or of the power to give it, is announced to every holder
(:func:`announce_privilege_change`), so one administrator cannot quietly make a
second account and act as two.

The author's identity is never written anywhere else by this module: not in audit
entries, notifications to anyone but the author, or logs. It is read from the post
when one of the two people opens the reveal page.
"""

import logging
from datetime import datetime

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts import roles
from accounts.models import PrivilegeChange, StaffMember
from accounts.safety import privileges
from accounts.security_log import log_event
from conversations.models import AuditEntry, Comment, Idea, RevealRequest
from conversations.sanitise import sanitise
from notifications.services import notify, notify_many

PERMISSION = "reveal_identity"
REASON_MIN = 20
REASON_MAX = 2000


class RevealDisabled(Exception):
    """The organisation has not switched the break-glass reveal on."""


def is_enabled() -> bool:
    return bool(settings.REVEAL_ENABLED)


def is_holder(user) -> bool:
    """Holds the reveal permission by an explicit grant (a superuser is not one by
    being a superuser)."""
    return roles.holds(user, PERMISSION)


def _require(user) -> None:
    if not is_enabled():
        raise RevealDisabled()
    if not is_holder(user):
        log_event(
            "reveal.refused",
            level=logging.WARNING,
            user=getattr(user, "pk", None),
            why="not_a_holder",
        )
        raise PermissionDenied(
            _("Only people given the break-glass reveal permission can do this.")
        )


def holding_days() -> int:
    return int(settings.REVEAL_HOLDING_DAYS)


def has_held_long_enough(user, now: datetime | None = None) -> bool:
    return privileges.has_held_for(user, holding_days(), now=now)


def _require_seasoned(user, now: datetime | None = None) -> None:
    """Asking and deciding need the permission held for the holding period: a grant
    made today (perhaps to a second account of the same person) does not count yet."""
    if not has_held_long_enough(user, now):
        log_event(
            "reveal.refused", level=logging.WARNING, user=user.pk, why="holding_period"
        )
        raise PermissionDenied(
            _(
                "You can ask for or decide on a reveal once you have held the "
                "permission for %(days)d days."
            )
            % {"days": holding_days()}
        )


def post_of(reveal_request: RevealRequest) -> Idea | Comment | None:
    return reveal_request.idea or reveal_request.comment


def _kind(post: Idea | Comment) -> str:
    return "idea" if isinstance(post, Idea) else "comment"


def _clean_reason(reason: str) -> str:
    cleaned = sanitise(reason, allow_markup=False)
    if len(cleaned) < REASON_MIN:
        raise ValidationError(
            _(
                "Give the reason in at least %(n)d characters: it is kept in the "
                "audit log, and the author will be told it."
            )
            % {"n": REASON_MIN}
        )
    if len(cleaned) > REASON_MAX:
        raise ValidationError(
            _("Keep the reason to %(n)d characters or fewer.") % {"n": REASON_MAX}
        )
    return cleaned


def _audit(
    reveal_request: RevealRequest, actor, action: str, note: str, prior: dict
) -> AuditEntry:
    post = post_of(reveal_request)
    idea = post if isinstance(post, Idea) else post.idea
    return AuditEntry.objects.create(
        campaign=idea.campaign,
        actor=actor,
        action=action,
        idea=idea,
        comment=post if isinstance(post, Comment) else None,
        note=note,
        # Which request, and what it was before: never who wrote the post.
        prior_state={"reveal_request": reveal_request.pk, **prior},
    )


@transaction.atomic
def request_reveal(
    requester: StaffMember, post: Idea | Comment, reason: str
) -> RevealRequest:
    """Ask for the author of an anonymous ``post`` to be revealed.

    Another holder of the permission must decide; they are told a request waits.
    """
    _require(requester)
    _require_seasoned(requester)
    if not post.is_anonymous:
        raise ValidationError(
            _("This post is not anonymous: its author's name is already shown.")
        )
    reason = _clean_reason(reason)
    pending = RevealRequest.objects.filter(state=RevealRequest.State.PENDING)
    if pending.filter(**{_kind(post): post}).exists():
        raise ValidationError(
            _("There is already a request about this post waiting for a decision.")
        )
    reveal_request = RevealRequest.objects.create(
        **{_kind(post): post}, reason=reason, requested_by=requester
    )
    _audit(reveal_request, requester, AuditEntry.Action.REVEAL_REQUESTED, reason, {})
    url = reverse("reveal:detail", args=[reveal_request.pk])
    for holder in roles.holders_of(PERMISSION).exclude(pk=requester.pk):
        notify(
            holder,
            "reveal.requested",
            _(
                "A request to reveal who wrote an anonymous post is waiting for a "
                "second person to decide."
            ),
            url,
        )
    log_event("reveal.requested", reveal=reveal_request.pk, user=requester.pk)
    return reveal_request


@transaction.atomic
def decide_reveal(
    decider: StaffMember,
    reveal_request: RevealRequest,
    *,
    approve: bool,
    reason: str,
    now: datetime | None = None,
) -> RevealRequest:
    """Approve or refuse a pending request. The decider must not be the requester."""
    _require(decider)
    _require_seasoned(decider, now)
    # Lock the request: two holders deciding at once must not both succeed.
    reveal_request = (
        RevealRequest.objects.select_for_update(of=("self",))
        .select_related("idea__campaign", "comment__idea__campaign")
        .get(pk=reveal_request.pk)
    )
    if reveal_request.requested_by_id == decider.pk:
        log_event(
            "reveal.refused",
            level=logging.WARNING,
            reveal=reveal_request.pk,
            user=decider.pk,
            why="own_request",
        )
        raise PermissionDenied(
            _("A second, different person must decide on a request you made.")
        )
    if reveal_request.state != RevealRequest.State.PENDING:
        raise ValidationError(_("This request has already been decided."))
    if post_of(reveal_request) is None:
        raise ValidationError(_("The post was removed, so there is nothing to reveal."))
    reason = _clean_reason(reason)
    reveal_request.state = (
        RevealRequest.State.APPROVED if approve else RevealRequest.State.REFUSED
    )
    reveal_request.decided_by = decider
    reveal_request.decided_at = now or timezone.now()
    reveal_request.save(update_fields=["state", "decided_by", "decided_at"])
    _audit(
        reveal_request,
        decider,
        AuditEntry.Action.REVEAL_APPROVED
        if approve
        else AuditEntry.Action.REVEAL_REFUSED,
        reason,
        {"state": RevealRequest.State.PENDING},
    )
    url = reverse("reveal:detail", args=[reveal_request.pk])
    notify(
        reveal_request.requested_by,
        "reveal.decided",
        _("Your request to reveal who wrote an anonymous post was approved.")
        if approve
        else _("Your request to reveal who wrote an anonymous post was refused."),
        url,
    )
    if approve:
        _tell_author(reveal_request)
        _tell_data_protection_contact(reveal_request)
    log_event(
        "reveal.approved" if approve else "reveal.refused",
        reveal=reveal_request.pk,
        user=decider.pk,
    )
    return reveal_request


def _tell_author(reveal_request: RevealRequest) -> None:
    post = post_of(reveal_request)
    if post is None or post.author is None:
        return
    if isinstance(post, Idea):
        what = _('your anonymous idea "%(title)s"') % {"title": post.title}
    else:
        what = _('your anonymous comment on "%(title)s"') % {"title": post.idea.title}
    notify(
        post.author,
        "reveal.author_told",
        _(
            "Your name as the author of %(what)s has been revealed to two people "
            "who hold the organisation's break-glass permission. The reason given "
            "was: %(reason)s"
        )
        % {"what": what, "reason": reveal_request.reason},
        reverse("me:posts"),
    )


def revealed_author(viewer: StaffMember, reveal_request: RevealRequest):
    """The author, for the two people who requested and approved the reveal.

    Returns None when the author has since deleted their account.
    """
    _require(viewer)
    if reveal_request.state != RevealRequest.State.APPROVED:
        raise PermissionDenied(_("This request has not been approved."))
    if viewer.pk not in (reveal_request.requested_by_id, reveal_request.decided_by_id):
        log_event(
            "reveal.refused",
            level=logging.WARNING,
            reveal=reveal_request.pk,
            user=viewer.pk,
            why="not_a_party",
        )
        raise PermissionDenied(
            _("Only the person who asked and the person who approved can see this.")
        )
    log_event("reveal.viewed", reveal=reveal_request.pk, user=viewer.pk)
    post = post_of(reveal_request)
    return post.author if post is not None else None


def decision_note(reveal_request: RevealRequest) -> str:
    """The reason the decider gave, from the audit log."""
    entry = (
        AuditEntry.objects.filter(
            action__in=[
                AuditEntry.Action.REVEAL_APPROVED,
                AuditEntry.Action.REVEAL_REFUSED,
            ],
            prior_state__reveal_request=reveal_request.pk,
        )
        .order_by("-id")
        .first()
    )
    return entry.note if entry else ""


def requests_for(viewer: StaffMember) -> dict[str, list[RevealRequest]]:
    """The reveal list page: what waits for this person, and what they took part in."""
    _require(viewer)
    base = RevealRequest.objects.select_related(
        "requested_by", "decided_by", "idea", "comment__idea"
    )
    pending = RevealRequest.State.PENDING
    return {
        "awaiting": list(
            base.filter(state=pending).exclude(requested_by=viewer).order_by("id")
        ),
        "mine": list(base.filter(requested_by=viewer)),
        "decided": list(base.filter(decided_by=viewer)),
    }


def _tell_data_protection_contact(reveal_request: RevealRequest) -> None:
    """Email the organisation's data protection contact, once the decision commits:
    who asked, who approved and why, never whose name was revealed."""
    address = settings.REVEAL_DATA_PROTECTION_CONTACT
    if not address:
        return
    subject = _("Staff Voice: an anonymous author was revealed")
    body = _(
        "Two holders of the break-glass permission have revealed who wrote an "
        "anonymous post.\n\nAsked by: %(asker)s\nApproved by: %(approver)s\n"
        "Reason given: %(reason)s\nDecided: %(when)s\nRecord: %(url)s\n\n"
        "The author has been told. The audit log keeps both steps."
    ) % {
        "asker": reveal_request.requested_by.email,
        "approver": reveal_request.decided_by.email,
        "reason": reveal_request.reason,
        "when": f"{reveal_request.decided_at:%Y-%m-%d %H:%M} UTC",
        "url": settings.SITE_URL.rstrip("/")
        + reverse("reveal:detail", args=[reveal_request.pk]),
    }
    transaction.on_commit(
        lambda: send_mail(subject, body, None, [address], fail_silently=True)
    )
    log_event("reveal.contact_told", reveal=reveal_request.pk)


def announce_privilege_change(sender, change: PrivilegeChange, **kwargs) -> None:
    """Tell every holder of the reveal permission, and the person concerned, that
    someone was given or lost it (or the power to give it). Connected to
    ``accounts.signals.privilege_changed`` (``conversations.apps``)."""
    person = change.person
    if person is None:
        return
    name, email = person.public_name, person.email
    by = change.by.public_name if change.by_id else ""
    messages = {
        ("reveal", "granted"): _(
            "%(name)s (%(email)s) has been given the break-glass permission to "
            "reveal anonymous authors."
        ),
        ("reveal", "removed"): _(
            "%(name)s (%(email)s) no longer has the break-glass permission to "
            "reveal anonymous authors."
        ),
        ("grant", "granted"): _(
            "%(name)s (%(email)s) can now give people permissions, including the "
            "break-glass reveal."
        ),
        ("grant", "removed"): _(
            "%(name)s (%(email)s) can no longer give people permissions."
        ),
    }
    template = messages[(change.privilege, change.change)]

    def message() -> str:
        text = template % {"name": name, "email": email}
        if by:
            text += " " + _("Changed by %(by)s.") % {"by": by}
        return text

    recipients = list(roles.holders_of(PERMISSION))
    if person.is_active and person.pk not in {r.pk for r in recipients}:
        recipients.append(person)
    notify_many(recipients, "reveal.holders", message, reverse("reveal:index"))
    log_event(
        "reveal.privilege_changed",
        user=person.pk,
        privilege=change.privilege,
        change=change.change,
        by=change.by_id,
    )
