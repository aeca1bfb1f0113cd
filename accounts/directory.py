"""The staff directory import: the HR system's CSV export in, accounts, profiles,
teams, memberships and headcounts out.

Three steps, so nothing is written before an engagement manager has seen it:

1. ``read_file`` turns the upload into headings and rows (with their line numbers);
2. ``plan_import`` maps the columns, checks every row and works out what would
   change, touching nothing; a bad row is reported with its line and reason;
3. ``apply_import`` works the plan out again inside one transaction and writes it
   with bulk queries, or writes nothing at all if any row is bad.

Importing the same file twice changes nothing the second time. People who came from an
earlier import and are no longer in the file are deactivated (``is_active`` false);
their posts, comments and votes stay. People who joined another way (an
administrator, an early sign-up) are never deactivated by an import.
"""

import csv
import io
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts import backends, signals
from accounts.models import (
    Band,
    Directorate,
    DirectoryMapping,
    DirectoryUpload,
    StaffGroup,
    StaffMember,
    Team,
    TeamMembership,
)
from accounts.security_log import log_event

# The fields a file can fill, in the order the mapping form asks for them.
FIELDS = {
    "email": gettext_lazy("Work email"),
    "name": gettext_lazy("Name"),
    "directorate": gettext_lazy("Directorate"),
    "staff_group": gettext_lazy("Staff group"),
    "band": gettext_lazy("Band"),
    "team": gettext_lazy("Team or cost centre"),
}
REQUIRED = ("email",)
# Headings HR systems commonly use, to suggest a mapping the first time.
GUESSES = {
    "email": ("email", "work email", "email address", "e-mail", "nhs mail"),
    "name": ("name", "full name", "employee name", "staff name"),
    "directorate": ("directorate", "division"),
    "staff_group": ("staff group", "staffgroup", "professional group"),
    "band": ("band", "pay band", "grade", "agenda for change band"),
    "team": ("team", "cost centre", "cost center", "team or cost centre", "department"),
}
CHOICE_MODELS = {"directorate": Directorate, "staff_group": StaffGroup, "band": Band}
MAX_LENGTHS = {"name": 150, "directorate": 120, "staff_group": 120, "band": 120}
TEAM_MAX = 160


@dataclass
class Row:
    line: int
    email: str
    name: str = ""
    directorate: str = ""
    staff_group: str = ""
    band: str = ""
    team: str = ""


@dataclass
class RowError:
    line: int
    reason: str


@dataclass
class Plan:
    """What an import would do; nothing in here has been written."""

    rows: list[Row] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    deactivated: list[str] = field(default_factory=list)
    new_teams: list[str] = field(default_factory=list)
    new_groups: dict[str, list[str]] = field(default_factory=dict)
    memberships_added: int = 0
    memberships_removed: int = 0
    headcounts: dict[str, dict[str, int]] = field(default_factory=dict)
    headcounts_changed: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors

    @property
    def changes_anything(self) -> bool:
        return bool(
            self.created
            or self.updated
            or self.deactivated
            or self.new_teams
            or any(self.new_groups.values())
            or self.memberships_added
            or self.memberships_removed
            or self.headcounts_changed
        )

    def summary(self) -> dict:
        return {
            "rows": len(self.rows),
            "created": len(self.created),
            "updated": len(self.updated),
            "unchanged": self.unchanged,
            "deactivated": len(self.deactivated),
            "new_teams": len(self.new_teams),
            "memberships_added": self.memberships_added,
            "memberships_removed": self.memberships_removed,
            "headcounts_changed": self.headcounts_changed,
        }


# -- reading and mapping ------------------------------------------------------------


def decode(data: bytes) -> str:
    """HR exports come as UTF-8 (often with a byte-order mark) or Windows-1252."""
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252", errors="replace")


def read_file(text: str) -> tuple[list[str], list[tuple[int, list[str]]]]:
    """The headings and the rows, each with the line it starts on (the heading is 1)."""
    reader = csv.reader(io.StringIO(text))
    try:
        headings = [h.strip() for h in next(reader)]
    except StopIteration:
        raise ValidationError(_("The file is empty.")) from None
    rows = []
    for values in reader:
        if any(v.strip() for v in values):
            rows.append((reader.line_num, values))
    return headings, rows


def _norm(heading: str) -> str:
    return re.sub(r"[^a-z]+", " ", heading.lower()).strip()


def suggest_mapping(headings: list[str]) -> dict[str, str]:
    """The remembered mapping where its headings are in this file, else a guess."""
    remembered = DirectoryMapping.objects.first()
    columns = remembered.columns if remembered else {}
    mapping = {}
    by_norm = {_norm(h): h for h in headings}
    for name in FIELDS:
        if columns.get(name) in headings:
            mapping[name] = columns[name]
            continue
        for guess in GUESSES[name]:
            if guess in by_norm:
                mapping[name] = by_norm[guess]
                break
    return mapping


def mapping_is_complete(mapping: dict[str, str], headings: list[str]) -> bool:
    return all(mapping.get(name) in headings for name in REQUIRED)


def remembered_mapping_fits(headings: list[str]) -> bool:
    """Whether the remembered mapping can be used for this file without asking."""
    remembered = DirectoryMapping.objects.first()
    if remembered is None:
        return False
    return mapping_is_complete(remembered.columns, headings) and all(
        heading in headings for heading in remembered.columns.values() if heading
    )


def remember_mapping(by, mapping: dict[str, str]) -> DirectoryMapping:
    if not by.is_engagement_manager:
        raise PermissionDenied(_("Only engagement managers can import staff."))
    remembered = DirectoryMapping.objects.first() or DirectoryMapping()
    remembered.columns = {k: v for k, v in mapping.items() if k in FIELDS and v}
    remembered.updated_by = by
    remembered.save()
    return remembered


def _domain_allowed(email: str) -> bool:
    domains = getattr(settings, "ALLOWED_EMAIL_DOMAINS", [])
    return not domains or email.rsplit("@", 1)[-1] in domains


def parse_rows(
    headings: list[str], raw: list[tuple[int, list[str]]], mapping: dict[str, str]
) -> tuple[list[Row], list[RowError]]:
    """Rows with their fields picked out and checked; every problem with its line."""
    index = {name: headings.index(h) for name, h in mapping.items() if h in headings}
    rows, errors = [], []
    first_line: dict[str, int] = {}
    for line, values in raw:

        def value(name: str, values: list[str] = values) -> str:
            i = index.get(name)
            return values[i].strip() if i is not None and i < len(values) else ""

        email = value("email").lower()
        if not email:
            errors.append(RowError(line, _("There is no email address.")))
            continue
        try:
            validate_email(email)
        except ValidationError:
            errors.append(
                RowError(
                    line, _("%(email)s is not an email address.") % {"email": email}
                )
            )
            continue
        if not _domain_allowed(email):
            errors.append(
                RowError(
                    line,
                    _("%(email)s is not in an allowed email domain.")
                    % {"email": email},
                )
            )
            continue
        if email in first_line:
            errors.append(
                RowError(
                    line,
                    _("%(email)s is already on line %(line)d.")
                    % {"email": email, "line": first_line[email]},
                )
            )
            continue
        first_line[email] = line
        row = Row(line=line, email=email)
        too_long = False
        for name, limit in (*MAX_LENGTHS.items(), ("team", TEAM_MAX)):
            text = value(name)
            if len(text) > limit:
                errors.append(
                    RowError(
                        line,
                        _("The %(field)s is longer than %(max)d characters.")
                        % {"field": str(FIELDS[name]).lower(), "max": limit},
                    )
                )
                too_long = True
                break
            setattr(row, name, text)
        if not too_long:
            rows.append(row)
    return rows, errors


# -- planning ------------------------------------------------------------------------


def _split_name(name: str) -> tuple[str, str]:
    first, _sep, last = name.rpartition(" ")
    return (first, last) if first else (name, "")


def _band_position(name: str) -> int:
    match = re.search(r"\d+", name)
    return int(match.group()) if match else 0


@dataclass
class _World:
    """What the database holds now, read once for the whole file."""

    people: dict[str, StaffMember]
    choices: dict[str, dict[str, object]]  # field -> lower name -> instance
    teams: dict[str, Team]  # lower name -> team
    directory_memberships: dict[int, list[TeamMembership]]  # person id -> list
    all_memberships: set[tuple[int, int]]  # (team id, person id)
    former: list[StaffMember]  # directory people not in the file, still active


def _read_world(rows: list[Row], importer) -> _World:
    emails = {row.email for row in rows}
    people = {
        p.email: p
        for p in StaffMember.objects.filter(email__in=emails).only(
            "id",
            "email",
            "first_name",
            "last_name",
            "directorate_id",
            "staff_group_id",
            "band_id",
            "is_active",
            "profile_completed_at",
            "directory_seen_at",
        )
    }
    former = list(
        StaffMember.objects.filter(directory_seen_at__isnull=False, is_active=True)
        .exclude(email__in=emails)
        .exclude(is_superuser=True)
        .exclude(pk=getattr(importer, "pk", None))
        .only("id", "email", "is_active")
    )
    choices = {
        name: {c.name.lower(): c for c in model.objects.all()}
        for name, model in CHOICE_MODELS.items()
    }
    teams = {t.name.lower(): t for t in Team.objects.all()}
    person_ids = [p.pk for p in people.values()]
    directory_memberships: dict[int, list[TeamMembership]] = {}
    all_memberships = set()
    for membership in TeamMembership.objects.filter(staff_member_id__in=person_ids):
        all_memberships.add((membership.team_id, membership.staff_member_id))
        if membership.from_directory:
            directory_memberships.setdefault(membership.staff_member_id, []).append(
                membership
            )
    return _World(
        people, choices, teams, directory_memberships, all_memberships, former
    )


def _headcounts(rows: list[Row]) -> dict[str, dict[str, int]]:
    counts: dict[str, dict[str, int]] = {}
    for name in CHOICE_MODELS:
        counter = Counter(getattr(row, name) for row in rows if getattr(row, name))
        # Keyed by the first spelling met, counted case-insensitively.
        merged: dict[str, int] = {}
        spelling: dict[str, str] = {}
        for value, n in counter.items():
            key = spelling.setdefault(value.lower(), value)
            merged[key] = merged.get(key, 0) + n
        counts[name] = merged
    return counts


def _plan(rows: list[Row], errors: list[RowError], importer) -> tuple[Plan, _World]:
    plan = Plan(rows=rows, errors=errors)
    world = _read_world(rows, importer)
    if errors:
        return plan, world
    plan.headcounts = _headcounts(rows)
    for name in CHOICE_MODELS:
        plan.new_groups[name] = sorted(
            value
            for value in plan.headcounts[name]
            if value.lower() not in world.choices[name]
        )
        for lower, choice in world.choices[name].items():
            wanted = next(
                (n for v, n in plan.headcounts[name].items() if v.lower() == lower), 0
            )
            if choice.headcount != wanted:
                plan.headcounts_changed += 1
        plan.headcounts_changed += len(plan.new_groups[name])
    new_teams = {}
    for row in rows:
        if row.team and row.team.lower() not in world.teams:
            new_teams.setdefault(row.team.lower(), row.team)
    plan.new_teams = sorted(new_teams.values())
    for row in rows:
        person = world.people.get(row.email)
        if person is None:
            plan.created.append(row.email)
            if row.team:
                plan.memberships_added += 1
            continue
        if _person_changes(person, row, world):
            plan.updated.append(row.email)
        else:
            plan.unchanged += 1
        added, removed = _membership_changes(person, row, world)
        plan.memberships_added += len(added)
        plan.memberships_removed += len(removed)
    plan.deactivated = sorted(p.email for p in world.former)
    return plan, world


def _choice_id(world: _World, name: str, value: str):
    if not value:
        return None
    choice = world.choices[name].get(value.lower())
    return choice.pk if choice is not None else "new"


def _person_changes(person: StaffMember, row: Row, world: _World) -> dict:
    """The fields of ``person`` that the row changes (empty if none)."""
    first, last = _split_name(row.name)
    changes = {}
    if row.name and (person.first_name, person.last_name) != (first, last):
        changes["first_name"], changes["last_name"] = first, last
    for name in CHOICE_MODELS:
        wanted = _choice_id(world, name, getattr(row, name))
        if getattr(person, f"{name}_id") != wanted:
            changes[name] = wanted
    if not person.is_active:
        changes["is_active"] = True
    if person.profile_completed_at is None:
        changes["profile_completed_at"] = True
    if person.directory_seen_at is None:
        changes["directory_seen_at"] = True
    return changes


def _membership_changes(person, row: Row, world: _World):
    """(teams to join, directory memberships to end) for one existing person."""
    team = world.teams.get(row.team.lower()) if row.team else None
    current = world.directory_memberships.get(person.pk, [])
    removed = [m for m in current if team is None or m.team_id != team.pk]
    added = []
    if row.team and (team is None or (team.pk, person.pk) not in world.all_memberships):
        added.append(row.team)
    return added, removed


def plan_import(text: str, mapping: dict[str, str], importer=None) -> Plan:
    """What importing ``text`` with ``mapping`` would change, without changing it."""
    headings, raw = read_file(text)
    rows, errors = parse_rows(headings, raw, mapping)
    if not raw:
        errors.append(RowError(1, _("The file has headings but no rows.")))
    plan, _world = _plan(rows, errors, importer)
    return plan


# -- writing -------------------------------------------------------------------------


def _invite_on_commit(person_ids: list[int]) -> None:
    from accounts.tasks import send_invitations

    for start in range(0, len(person_ids), 500):
        chunk = person_ids[start : start + 500]
        transaction.on_commit(lambda chunk=chunk: send_invitations.enqueue(chunk))


@transaction.atomic
def apply_import(
    by, text: str, mapping: dict[str, str], now: datetime | None = None
) -> Plan:
    """Import the file: everything in one transaction, or nothing if any row is bad."""
    from allauth.account.models import EmailAddress

    if not by.is_engagement_manager:
        raise PermissionDenied(_("Only engagement managers can import staff."))
    now = now or timezone.now()
    headings, raw = read_file(text)
    rows, errors = parse_rows(headings, raw, mapping)
    plan, world = _plan(rows, errors, by)
    if not plan.ok:
        return plan

    # Directorates, staff groups and bands, and their headcounts from the file.
    for name, model in CHOICE_MODELS.items():
        new = []
        for value in plan.new_groups[name]:
            extra = {"position": _band_position(value)} if model is Band else {}
            new.append(model(name=value, headcount=0, **extra))
        for choice in model.objects.bulk_create(new):
            world.choices[name][choice.name.lower()] = choice
        counts = {v.lower(): n for v, n in plan.headcounts[name].items()}
        changed = []
        for lower, choice in world.choices[name].items():
            if choice.headcount != counts.get(lower, 0):
                choice.headcount = counts.get(lower, 0)
                changed.append(choice)
        model.objects.bulk_update(changed, ["headcount"], batch_size=500)

    # Teams.
    taken = set(Team.objects.values_list("slug", flat=True))
    new_teams = []
    for team_name in plan.new_teams:
        base = slugify(team_name)[:150] or "team"
        slug, n = base, 2
        while slug in taken:
            slug, n = f"{base}-{n}", n + 1
        taken.add(slug)
        new_teams.append(Team(name=team_name, slug=slug))
    for team in Team.objects.bulk_create(new_teams):
        world.teams[team.name.lower()] = team

    def choice_for(name: str, value: str):
        return world.choices[name].get(value.lower()) if value else None

    # People: new ones, then changed ones.
    unusable = make_password(None)
    new_people = []
    for row in rows:
        if row.email in world.people:
            continue
        first, last = _split_name(row.name)
        new_people.append(
            StaffMember(
                email=row.email,
                password=unusable,
                first_name=first,
                last_name=last,
                directorate=choice_for("directorate", row.directorate),
                staff_group=choice_for("staff_group", row.staff_group),
                band=choice_for("band", row.band),
                profile_completed_at=now,
                directory_seen_at=now,
            )
        )
    created = StaffMember.objects.bulk_create(new_people, batch_size=1000)
    if created and created[0].pk is None:  # a backend that returns no ids
        by_email = dict(
            StaffMember.objects.filter(
                email__in=[p.email for p in created]
            ).values_list("email", "pk")
        )
        for person in created:
            person.pk = person.id = by_email[person.email]
    # The HR directory vouches for these addresses: they need no verification mail.
    EmailAddress.objects.bulk_create(
        [
            EmailAddress(user=p, email=p.email, verified=True, primary=True)
            for p in created
        ],
        batch_size=1000,
        ignore_conflicts=True,
    )

    changed_people, fields = [], set()
    memberships_to_add, memberships_to_end = [], []
    for row in rows:
        person = world.people.get(row.email)
        if person is None:
            continue
        changes = _person_changes(person, row, world)
        if changes:
            first, last = _split_name(row.name)
            if "first_name" in changes:
                person.first_name, person.last_name = first, last
            for name in CHOICE_MODELS:
                setattr(person, name, choice_for(name, getattr(row, name)))
            if "is_active" in changes:
                person.is_active = True
            if "profile_completed_at" in changes:
                person.profile_completed_at = now
            if "directory_seen_at" in changes:
                person.directory_seen_at = now
            fields.update(
                "first_name last_name directorate staff_group band is_active "
                "profile_completed_at directory_seen_at".split()
            )
            changed_people.append(person)
        _added, removed = _membership_changes(person, row, world)
        memberships_to_end.extend(m.pk for m in removed)
    if changed_people:
        StaffMember.objects.bulk_update(changed_people, sorted(fields), batch_size=500)
        backends.forget([p.pk for p in changed_people])  # no signals from bulk
        # A renamed person's cards and comments move their versions.
        signals.people_changed.send(
            sender=StaffMember, person_ids=[p.pk for p in changed_people]
        )

    # Memberships follow the file: join the file's team, leave the directory
    # memberships it no longer lists (hand-made ones stay).
    TeamMembership.objects.filter(pk__in=memberships_to_end).delete()
    people = {**world.people, **{p.email: p for p in created}}
    for row in rows:
        if not row.team:
            continue
        team = world.teams[row.team.lower()]
        person = people[row.email]
        if (team.pk, person.pk) not in world.all_memberships:
            memberships_to_add.append(
                TeamMembership(team=team, staff_member=person, from_directory=True)
            )
    TeamMembership.objects.bulk_create(
        memberships_to_add, batch_size=1000, ignore_conflicts=True
    )
    if memberships_to_add:
        signals.memberships_changed.send(
            sender=TeamMembership,
            person_ids=[m.staff_member_id for m in memberships_to_add],
        )

    # People who left: deactivated, everything they wrote kept.
    StaffMember.objects.filter(pk__in=[p.pk for p in world.former]).update(
        is_active=False
    )
    backends.forget([p.pk for p in world.former])
    # No post_save for a bulk update: tell the apps (their open sockets close).
    signals.people_changed.send(
        sender=StaffMember, person_ids=[p.pk for p in world.former]
    )

    _invite_on_commit([p.pk for p in created])
    # Figures only: no names or emails in the log.
    log_event(
        "directory.imported",
        user=by.pk,
        created=len(plan.created),
        updated=len(plan.updated),
        deactivated=len(plan.deactivated),
    )
    return plan


def save_upload(by, filename: str, data: bytes) -> DirectoryUpload:
    if not by.is_engagement_manager:
        raise PermissionDenied(_("Only engagement managers can import staff."))
    text = decode(data)
    read_file(text)  # refuse an empty file at once
    return DirectoryUpload.objects.create(
        uploaded_by=by, filename=filename[:255], content=text
    )
