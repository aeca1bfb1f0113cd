"""The staff directory import: preview before anything is written, all or nothing,
the same file twice changes nothing, leavers deactivated with their posts kept,
profiles, teams, memberships and headcounts from the file, invitations to new people."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from accounts import directory
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

pytestmark = pytest.mark.django_db

HEADINGS = "Work Email,Full Name,Directorate,Staff Group,Pay Band,Cost Centre\n"
MAPPING = {
    "email": "Work Email",
    "name": "Full Name",
    "directorate": "Directorate",
    "staff_group": "Staff Group",
    "band": "Pay Band",
    "team": "Cost Centre",
}
FILE = HEADINGS + (
    "ana.jones@nhs.net,Ana Jones,Adult community,Nursing,Band 5,Ward 7\n"
    "Ben.Okafor@nhs.net,Ben Okafor,Adult community,Nursing,Band 6,Ward 7\n"
    "cara.li@nhs.net,Cara Li,Corporate,Admin and clerical,Band 3,Finance\n"
)


def do_import(manager, text=FILE, capture=None):
    return directory.apply_import(manager, text, MAPPING)


def test_preview_writes_nothing_and_says_what_would_change(manager):
    plan = directory.plan_import(FILE, MAPPING, manager)

    assert plan.ok
    assert sorted(plan.created) == [
        "ana.jones@nhs.net",
        "ben.okafor@nhs.net",
        "cara.li@nhs.net",
    ]
    assert plan.new_teams == ["Finance", "Ward 7"]
    assert plan.memberships_added == 3
    assert not StaffMember.objects.filter(email="ana.jones@nhs.net").exists()
    assert not Team.objects.filter(name="Ward 7").exists()


def test_import_creates_people_with_their_profile_teams_and_headcounts(manager):
    do_import(manager)

    ana = StaffMember.objects.get(email="ana.jones@nhs.net")
    assert ana.get_full_name() == "Ana Jones"
    assert ana.directorate.name == "Adult community"
    assert ana.staff_group.name == "Nursing"
    assert ana.band.name == "Band 5" and ana.band.position == 5
    assert ana.profile_completed_at is not None  # not asked the questions again
    assert not ana.has_usable_password()
    assert TeamMembership.objects.filter(
        staff_member=ana, team__name="Ward 7", from_directory=True
    ).exists()
    assert Directorate.objects.get(name="Adult community").headcount == 2
    assert StaffGroup.objects.get(name="Admin and clerical").headcount == 1
    assert Band.objects.get(name="Band 6").headcount == 1


def test_import_is_logged_with_figures_and_no_names(manager, caplog):
    caplog.set_level("INFO", logger="security")

    do_import(manager)

    assert f"directory.imported user={manager.pk} created=3 updated=0" in caplog.text
    assert "ana.jones" not in caplog.text and "Ana Jones" not in caplog.text


def test_importing_the_same_file_twice_changes_nothing(manager):
    do_import(manager)
    before = list(
        StaffMember.objects.order_by("pk").values_list(
            "pk", "email", "first_name", "band_id", "is_active", "profile_completed_at"
        )
    )
    memberships = set(TeamMembership.objects.values_list("team_id", "staff_member_id"))

    plan = directory.plan_import(FILE, MAPPING, manager)
    do_import(manager)

    assert not plan.changes_anything
    assert plan.unchanged == 3
    assert (
        list(
            StaffMember.objects.order_by("pk").values_list(
                "pk",
                "email",
                "first_name",
                "band_id",
                "is_active",
                "profile_completed_at",
            )
        )
        == before
    )
    assert (
        set(TeamMembership.objects.values_list("team_id", "staff_member_id"))
        == memberships
    )


def test_leavers_are_deactivated_and_their_posts_kept(
    manager, make_campaign, make_idea, make_staff
):
    do_import(manager)
    cara = StaffMember.objects.get(email="cara.li@nhs.net")
    campaign = make_campaign("open")
    idea = make_idea(campaign, author=cara)
    signed_up_themselves = make_staff(email="early.bird@nhs.net")
    without_cara = "\n".join(line for line in FILE.splitlines() if "cara" not in line)

    plan = directory.plan_import(without_cara, MAPPING, manager)
    do_import(manager, without_cara)

    assert plan.deactivated == ["cara.li@nhs.net"]
    cara.refresh_from_db()
    assert not cara.is_active
    idea.refresh_from_db()
    assert idea.author == cara
    signed_up_themselves.refresh_from_db()
    manager.refresh_from_db()
    assert signed_up_themselves.is_active and manager.is_active
    assert StaffGroup.objects.get(name="Admin and clerical").headcount == 0


def test_a_bad_row_is_reported_with_its_line_and_nothing_is_written(manager):
    bad = HEADINGS + (
        "ana.jones@nhs.net,Ana Jones,Adult community,Nursing,Band 5,Ward 7\n"
        "not-an-email,Someone,Corporate,Nursing,Band 5,Ward 7\n"
        "ana.jones@nhs.net,Ana Again,Corporate,Nursing,Band 5,Ward 7\n"
        "x@gmail.com,Outside,Corporate,Nursing,Band 5,Ward 7\n"
        ",No email,Corporate,Nursing,Band 5,Ward 7\n"
    )

    plan = do_import(manager, bad)

    assert not plan.ok
    assert [(e.line, e.reason) for e in plan.errors] == [
        (3, "not-an-email is not an email address."),
        (4, "ana.jones@nhs.net is already on line 2."),
        (5, "x@gmail.com is not in an allowed email domain."),
        (6, "There is no email address."),
    ]
    assert not StaffMember.objects.filter(email="ana.jones@nhs.net").exists()
    assert not Team.objects.exists()
    assert not Directorate.objects.exists()


def test_moving_team_in_the_file_moves_the_directory_membership_only(
    manager, make_team
):
    do_import(manager)
    ana = StaffMember.objects.get(email="ana.jones@nhs.net")
    choir = make_team("Staff choir")
    TeamMembership.objects.create(team=choir, staff_member=ana)  # added by a lead
    moved = FILE.replace("Band 5,Ward 7", "Band 5,Finance")

    plan = directory.plan_import(moved, MAPPING, manager)
    do_import(manager, moved)

    assert (plan.memberships_added, plan.memberships_removed) == (1, 1)
    assert set(ana.memberships.values_list("team__name", flat=True)) == {
        "Finance",
        "Staff choir",
    }


def test_new_people_get_an_invitation_with_a_one_time_sign_in_link(
    client, manager, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        do_import(manager)

    assert sorted(m.to[0] for m in mail.outbox) == [
        "ana.jones@nhs.net",
        "ben.okafor@nhs.net",
        "cara.li@nhs.net",
    ]
    message = next(m for m in mail.outbox if m.to == ["ana.jones@nhs.net"])
    link = next(line for line in message.body.splitlines() if "/invitation/" in line)
    path = "/me/" + link.split("/me/", 1)[1]

    opened = client.get(path)  # a mail scanner opening it signs nobody in
    assert opened.status_code == 200
    assert "_auth_user_id" not in client.session
    signed_in = client.post(path)
    assert signed_in["Location"] == reverse("account_set_password")
    ana = StaffMember.objects.get(email="ana.jones@nhs.net")
    assert client.session["_auth_user_id"] == str(ana.pk)
    chosen = client.post(
        reverse("account_set_password"),
        {"password1": "A-long-new-password-7", "password2": "A-long-new-password-7"},
    )
    assert chosen.status_code == 302
    ana.refresh_from_db()
    assert ana.has_usable_password()

    client.logout()
    assert client.post(path).status_code == 400  # it worked once

    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        do_import(manager)
    assert mail.outbox == []  # nobody new, nobody invited again


def test_manager_uploads_maps_once_previews_and_imports(client, manager):
    client.force_login(manager)
    upload = lambda: client.post(  # noqa: E731
        reverse("directory:upload"),
        {"file": SimpleUploadedFile("staff.csv", FILE.encode("utf-8-sig"))},
    )

    first = upload()
    assert "/columns/" in first["Location"]
    form = client.get(first["Location"])
    assert form.context["form"].initial["email"] == "Work Email"  # guessed
    preview = client.post(first["Location"], MAPPING, follow=True)
    assert b"New accounts" in preview.content
    assert not StaffMember.objects.filter(email="ana.jones@nhs.net").exists()
    assert DirectoryMapping.objects.get().columns == MAPPING

    second = upload()
    assert "/preview/" in second["Location"]  # the mapping is remembered
    client.post(second["Location"])
    assert StaffMember.objects.filter(email="ana.jones@nhs.net").exists()
    imported = DirectoryUpload.objects.get(imported_at__isnull=False)
    assert imported.summary["created"] == 3
    assert imported.content == ""  # the staff list is not kept after the import
    assert client.get(second["Location"]).status_code == 404  # nor imported twice


def test_preview_page_lists_bad_rows_by_line(client, manager):
    directory.remember_mapping(manager, MAPPING)
    client.force_login(manager)
    bad = HEADINGS + "nope,Someone,Corporate,Nursing,Band 5,Ward 7\n"
    response = client.post(
        reverse("directory:upload"),
        {"file": SimpleUploadedFile("staff.csv", bad.encode())},
        follow=True,
    )

    assert response.status_code == 400
    assert "Line 2: nope is not an email address." in response.content.decode()


def test_only_engagement_managers_import(client, staff, moderator):
    for person in (staff, moderator):
        client.force_login(person)
        assert client.get(reverse("directory:upload")).status_code == 403


def test_a_name_the_directory_changes_shows_at_once_on_pages_already_seen(
    client, manager, make_campaign, make_idea, staff
):
    do_import(manager)
    cara = StaffMember.objects.get(email="cara.li@nhs.net")
    campaign = make_campaign("open")
    make_idea(campaign, author=cara, title="Quieter night shifts")
    client.force_login(staff)
    assert "Cara Li" in client.get(campaign.get_absolute_url()).content.decode()

    do_import(manager, FILE.replace("Cara Li", "Cara Li-Evans"))

    page = client.get(campaign.get_absolute_url()).content.decode()
    assert "Cara Li-Evans" in page


def test_a_team_the_directory_fills_is_offered_as_a_team_view_at_once(
    client, manager, make_campaign, staff
):
    campaign = make_campaign("open")
    client.force_login(staff)
    assert "Ward 9" not in client.get(campaign.get_absolute_url()).content.decode()
    five = "".join(
        f"w9.person{n}@nhs.net,Person {n},Adult community,Nursing,Band 5,Ward 9\n"
        for n in range(5)
    )

    do_import(manager, FILE + five)

    assert "Ward 9" in client.get(campaign.get_absolute_url()).content.decode()
