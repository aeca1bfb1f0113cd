"""Dump the database, restore the dump into a fresh database, compare every table's
row count and render a page from the copy (config/backups.py; RUNBOOK.md, "Backups")."""

from django.core.management.base import BaseCommand, CommandError

from config.backups import DrillFailed, run_drill


class Command(BaseCommand):
    help = (
        "Prove a backup restores: dump, restore into a fresh database, compare, render."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--target",
            help="name of the database to restore into (default: <database>_restore_drill; "
            "dropped and made again)",
        )
        parser.add_argument(
            "--keep", action="store_true", help="keep the restored copy afterwards"
        )
        parser.add_argument(
            "--dump-dir", help="where to write the dump while the drill runs"
        )

    def handle(self, *args, target=None, keep=False, dump_dir=None, **options):
        try:
            report = run_drill(target=target, keep=keep, dump_dir=dump_dir)
        except DrillFailed as failure:
            raise CommandError(f"Restore drill FAILED: {failure}") from failure
        rows = sum(report.counts.values())
        self.stdout.write(
            f"Dumped {report.source}: {report.dump_bytes / 1e6:.1f} MB "
            f"in {report.dump_seconds:.1f} s (pg_dump --format=custom, one snapshot)"
        )
        self.stdout.write(
            f"Restored into {report.target} in {report.restore_seconds:.1f} s (pg_restore)"
        )
        if report.mismatches:
            for table, (expected, found) in sorted(report.mismatches.items()):
                self.stdout.write(
                    f"  {table}: {expected} rows dumped, {found} restored"
                )
            raise CommandError(
                f"Restore drill FAILED: {len(report.mismatches)} of "
                f"{len(report.counts)} tables differ"
            )
        self.stdout.write(
            f"Row counts: all {len(report.counts)} tables match ({rows} rows)"
        )
        page = report.page
        if page.get("path") is None:
            self.stdout.write("Page: no campaign to render (an empty database)")
        elif page["status"] != 200 or not page["shows_campaign"]:
            raise CommandError(
                f"Restore drill FAILED: {page['path']} from the copy answered "
                f"{page['status']}"
            )
        else:
            self.stdout.write(
                f"Page: {page['path']} rendered from the copy for person "
                f"{page['viewer']}: {page['status']}, shows the campaign"
            )
        self.stdout.write(
            f"Kept {report.target}" if keep else f"Dropped {report.target}"
        )
        self.stdout.write(self.style.SUCCESS("Restore drill passed."))
