"""The staff directory import at 10,000 rows: preview, first import, the same file again,
and a file in which 500 people moved team and 200 left.

    .venv/bin/python bench/directory_import.py             # temporary SQLite file
    .venv/bin/python bench/directory_import.py --rows 2000
    DATABASE_URL=postgres://... .venv/bin/python bench/directory_import.py

Goal: 10,000 rows import in under a minute. The baseline, measured in the same run, is
reading and checking the file alone (``directory.parse_rows``: no database); each step
prints its seconds and its ratio to that. Invitation emails are enqueued on commit as
django-tasks tasks, which a worker runs after the commit; here they are held back and
then run in this process with the in-memory mail backend, and timed on their own line.
"""

import argparse
import os
import random
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

MAPPING = {
    "email": "Email",
    "name": "Name",
    "directorate": "Directorate",
    "staff_group": "Staff group",
    "band": "Band",
    "team": "Cost centre",
}
DIRECTORATES = [f"Directorate {n}" for n in range(8)]
GROUPS = ["Nursing", "Medical", "Allied Health", "Admin and Clerical", "Estates"]
BANDS = [f"Band {n}" for n in range(2, 9)]


def make_file(rows: int, *, moved: int = 0, left: int = 0, seed: int = 1) -> str:
    rng = random.Random(seed)
    lines = ["Email,Name,Directorate,Staff group,Band,Cost centre"]
    for n in range(rows - left):
        team = n % 400
        if n < moved:
            team = (team + 1) % 400
        lines.append(
            f"person{n}@nhs.net,Person {n} Surname,{rng.choice(DIRECTORATES)},"
            f"{rng.choice(GROUPS)},{rng.choice(BANDS)},Cost centre {team}"
        )
    return "\n".join(lines) + "\n"


def timed(label: str, fn, baseline: float | None = None):
    start = time.perf_counter()
    result = fn()
    seconds = time.perf_counter() - start
    ratio = f"  ({seconds / baseline:,.0f}x the file check)" if baseline else ""
    print(f"{label:<44} {seconds:7.2f} s{ratio}")
    return result, seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=10_000)
    args = parser.parse_args()

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    os.environ.setdefault("LOG_LEVEL", "WARNING")
    tmp = None
    if not os.environ.get("DATABASE_URL"):
        tmp = tempfile.mkdtemp(prefix="staffvoice-import-")
        os.environ["SQLITE_PATH"] = str(Path(tmp) / "import.sqlite3")
    import django

    django.setup()
    from django.conf import settings
    from django.core import mail
    from django.core.management import call_command
    from django.db import transaction

    from accounts import directory
    from accounts.models import StaffMember

    settings.TASKS = {
        "default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}
    }
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    mail.outbox = []
    from django_tasks import task_backends

    task_backends._settings = None
    if hasattr(task_backends, "_backends"):
        task_backends._backends = {}
    call_command("migrate", verbosity=0, interactive=False)
    manager = StaffMember.objects.create_user(
        "bench.manager@nhs.net", is_superuser=True
    )
    print(f"load average: {os.getloadavg()[0]:.2f}; rows: {args.rows:,}")
    text = make_file(args.rows)
    headings, raw = directory.read_file(text)
    _, base = timed(
        "read and check the file (baseline)",
        lambda: directory.parse_rows(headings, raw, MAPPING),
    )
    plan, _ = timed(
        "preview (plan, no writes)",
        lambda: directory.plan_import(text, MAPPING, manager),
        base,
    )
    assert len(plan.created) == args.rows, plan.errors[:3]

    # The import's own writes first, with the invitations held back, then sending
    # them (what the background worker does after the commit).
    held: list[int] = []
    real_invite = directory._invite_on_commit
    directory._invite_on_commit = held.extend

    def first():
        with transaction.atomic():
            result = directory.apply_import(manager, text, MAPPING)
        return result

    _, first_seconds = timed("first import (writes, in one transaction)", first, base)
    directory._invite_on_commit = real_invite
    from accounts.tasks import send_invitations

    _, invite_seconds = timed(
        "  then the invitation task: render and send",
        lambda: send_invitations.call(held),
        base,
    )
    invited = len(mail.outbox)
    again, _ = timed(
        "the same file again",
        lambda: directory.apply_import(manager, text, MAPPING),
        base,
    )
    assert not again.changes_anything
    moved_text = make_file(args.rows, moved=500, left=200)
    moved, _ = timed(
        "500 moved team, 200 left",
        lambda: directory.apply_import(manager, moved_text, MAPPING),
        base,
    )
    print(
        f"\ncreated {args.rows:,}, invitations sent {invited:,}; second run changed "
        f"nothing; then {moved.memberships_added} joined a team, "
        f"{moved.memberships_removed} left one, {len(moved.deactivated)} deactivated."
    )
    total = first_seconds + invite_seconds
    verdict = "under" if total < 60 else "OVER"
    print(
        f"goal: {args.rows:,} rows in under a minute: import {first_seconds:.1f} s, "
        f"with the invitations {total:.1f} s ({verdict})"
    )
    if tmp:
        shutil.rmtree(tmp, ignore_errors=True)


if __name__ == "__main__":
    main()
