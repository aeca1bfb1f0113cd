"""The interface in English and Welsh: every string translated, the choice remembered,
and what people write shown exactly as they wrote it.

None of this needs GNU gettext: the compiled catalogue (django.mo) is committed, and
these tests read the templates, the Python sources and both catalogue files directly.
To add or change interface text: ``make messages``, translate the new entries in
locale/cy/LC_MESSAGES/django.po, and ``make messages`` again to compile.
"""

import ast
import gettext
import json
import re
from pathlib import Path

import pytest
from django.conf import settings
from django.template import engines
from django.templatetags.i18n import BlockTranslateNode, TranslateNode
from django.test import Client
from django.urls import reverse
from django.utils import translation

from accounts.forms import DeleteAccountForm
from conversations import services
from conversations.live import consumers, events, hub
from conversations.models import CampaignEvent
from tests.i18n_lint import check_source, check_templates

BASE = Path(settings.BASE_DIR)
TEMPLATES = BASE / "templates"
PO = BASE / "locale" / "cy" / "LC_MESSAGES" / "django.po"
MO = BASE / "locale" / "cy" / "LC_MESSAGES" / "django.mo"
# Welsh for third-party screens that ship without it (allauth, Django's password rules).
VENDOR_PO = BASE / "locale_vendor" / "cy" / "LC_MESSAGES" / "django.po"
VENDOR_MO = BASE / "locale_vendor" / "cy" / "LC_MESSAGES" / "django.mo"
PYTHON_SOURCES = [
    "accounts",
    "config",
    "conversations",
    "notifications",
    "reports",
    "voting",
]
HOW_TO_FIX = (
    "run `make messages`, translate the new entries in "
    "locale/cy/LC_MESSAGES/django.po, then `make messages` again to compile"
)


@pytest.fixture(autouse=True)
def _back_to_the_default_language():
    """A request in Welsh leaves Welsh active in this thread; later tests expect
    the default, as every new request would give them."""
    yield
    translation.deactivate()


# -- every template marks its text -------------------------------------------------
def test_every_template_marks_its_text_for_translation():
    problems = check_templates(TEMPLATES)
    assert not problems, (
        "Interface text must go through {% trans %} or {% blocktrans %} "
        "(attributes people read or hear too):\n" + "\n".join(map(str, problems))
    )


def test_the_template_check_finds_untranslated_text_and_ignores_code():
    source = (
        "{% load i18n %}\n"  # 1
        '<div class="sv-card nhsuk-u-margin-top-3" id="top" data-module="nhsuk-x">\n'
        '<a href="/accounts/login/?next=/" aria-label="Open the menu">\n'  # 3
        '<img src="/x.png" alt="A photo"><input type="submit" value="Go">\n'  # 4
        '<input type="hidden" name="next" value="somewhere">\n'
        "<p>{% trans 'Marked' %} {{ count }} left</p>\n"  # 6
        '<span title="{% trans "Fine" %}">{% blocktrans %}Also {{ n }}\n'
        "fine{% endblocktrans %}</span>\n"
        '<div data-text-live="Not live now" data-idea="12"></div>\n'  # 9
        '{% include "x.html" with empty_text="Nothing here" %}\n'  # 10
        '{% include "y.html" with empty_text=_("Translated") %}\n'
        '{{ value|default:"none" }}{{ when|date:"j F Y, H:i" }}\n'  # 12
        "<script>announce('Hello world');</script><style>p{content:'x'}</style>\n"
        "{# a comment #}{% comment %}Another\ncomment{% endcomment %} – · 42\n"
        "<svg><title>NHS</title></svg>\n"
    )
    found = [(p.line, p.where, p.text) for p in check_source(Path("t.html"), source)]
    assert found == [
        (3, "aria-label", "Open the menu"),
        (4, "alt", "A photo"),
        (4, "value", "Go"),
        (6, "text", "left"),
        (9, "data-text-live", "Not live now"),
        (10, "tag", "Nothing here"),
        (12, "tag", "none"),
    ]


# -- the Welsh catalogue -----------------------------------------------------------
def _unquote(line: str) -> str:
    return ast.literal_eval(line)


def parse_po(path: Path, *, untranslated: bool = False) -> dict:
    """Translated, non-fuzzy entries of a .po file (all of them if ``untranslated``),
    keyed as GNUTranslations keys them: "context\\x04msgid" or msgid, and
    (msgid, n) for plural forms."""
    entries, entry, field, fuzzy = {}, {}, None, False

    def finish():
        nonlocal entry, fuzzy
        if "msgid" in entry and entry["msgid"] and (untranslated or not fuzzy):
            msgid = entry["msgid"]
            if "msgctxt" in entry:
                msgid = f"{entry['msgctxt']}\x04{msgid}"
            for key, value in entry.items():
                if key == "msgstr" and (value or untranslated):
                    entries[msgid] = value
                elif key.startswith("msgstr[") and (value or untranslated):
                    entries[(msgid, int(key[7:-1]))] = value
        entry, fuzzy = {}, False

    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line:
            finish()
        elif line.startswith("#,") and "fuzzy" in line:
            fuzzy = True
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            entry[field] += _unquote(line)
        else:
            field, _, rest = line.partition(" ")
            if field == "msgctxt" and "msgid" in entry:
                finish()
            entry[field] = _unquote(rest)
    finish()
    return entries


def mo_catalogue(path: Path = MO) -> dict:
    with path.open("rb") as file:
        catalogue = dict(gettext.GNUTranslations(file)._catalog)
    catalogue.pop("", None)  # the header
    return catalogue


@pytest.mark.parametrize("po, mo", [(PO, MO), (VENDOR_PO, VENDOR_MO)])
def test_the_committed_mo_is_compiled_from_the_committed_po(po, mo):
    entries = parse_po(po)
    assert len(entries) > 100
    assert mo_catalogue(mo) == entries, f"{mo} is out of date: {HOW_TO_FIX}"


def test_the_third_party_welsh_still_matches_the_installed_packages():
    """After upgrading allauth or Django, a changed msgid would silently fall back
    to English; this says which ones to copy again from the package."""
    import allauth
    import django

    theirs = {}
    for package, path in (
        (allauth, "locale/en/LC_MESSAGES/django.po"),
        (django, "contrib/auth/locale/en/LC_MESSAGES/django.po"),
    ):
        theirs.update(parse_po(Path(package.__file__).parent / path, untranslated=True))

    def msgid(key) -> str:  # plural forms are numbered differently in English
        return key[0] if isinstance(key, tuple) else key

    known = {msgid(key) for key in theirs}
    gone = sorted({msgid(key) for key in parse_po(VENDOR_PO)} - known)
    assert not gone, "Not in the installed packages any more:\n" + "\n".join(
        map(repr, gone)
    )


def test_the_welsh_catalogue_has_welsh_plural_forms():
    for path in (MO, VENDOR_MO):
        with path.open("rb") as file:
            info = gettext.GNUTranslations(file).info()
        assert info["plural-forms"] == (
            "nplurals=6; plural=(n==0) ? 0 : (n==1) ? 1 : (n==2) ? 2 : "
            "(n==3) ? 3 :(n==6) ? 4 : 5;"
        ), path
    with translation.override("cy"):
        assert translation.ngettext("%(n)d day left", "%(n)d days left", 3) == (
            "%(n)d diwrnod ar ôl"
        )
        assert translation.gettext("Campaigns") == "Ymgyrchoedd"


def _template_messages(path: Path) -> set:
    source = path.read_text(encoding="utf-8")
    nodelist = engines["django"].engine.from_string(source).nodelist
    found = set()
    singles = nodelist.get_nodes_by_type(TranslateNode)
    blocks = nodelist.get_nodes_by_type(BlockTranslateNode)
    # The walk must see every tag in the file, or it would check nothing.
    assert len(singles) == len(re.findall(r"{%-?\s*trans(late)?\s", source)), path
    assert len(blocks) == len(re.findall(r"{%-?\s*blocktrans(late)?\b", source)), path
    for node in singles:
        literal = node.filter_expression.var.literal
        if literal is None or node.noop:
            continue
        found.add(_key(node.message_context, str(literal).replace("%", "%%")))
    for node in blocks:
        singular = node.render_token_list(node.singular)[0]
        if node.plural:
            found.add((_key(node.message_context, singular), 0))
        else:
            found.add(_key(node.message_context, singular))
    # _("...") handed to tags and filters.
    for code in re.findall(r"{%.*?%}|{{.*?}}", source, re.DOTALL):
        for match in re.finditer(r"""_\(\s*(["'])(.*?)\1\s*\)""", code):
            found.add(match.group(2).replace("%", "%%"))
    return found


def _key(context, msgid: str) -> str:
    if context is None:
        return msgid
    context = getattr(context, "var", context)
    return f"{context}\x04{msgid}"


GETTEXT_FUNCTIONS = {
    "_": (0, None, False),
    "gettext": (0, None, False),
    "gettext_lazy": (0, None, False),
    "gettext_noop": (0, None, False),
    "ngettext": (0, 1, False),
    "ngettext_lazy": (0, 1, False),
    "pgettext": (1, None, True),
    "pgettext_lazy": (1, None, True),
    "npgettext": (1, 2, True),
    "npgettext_lazy": (1, 2, True),
}


def _python_messages(path: Path) -> set:
    found = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if not isinstance(node, ast.Call):
            continue
        name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
        if name not in GETTEXT_FUNCTIONS:
            continue
        position, _plural, has_context = GETTEXT_FUNCTIONS[name]
        arguments = node.args
        if len(arguments) <= position or not isinstance(
            arguments[position], ast.Constant
        ):
            continue
        msgid = arguments[position].value
        if has_context and isinstance(arguments[0], ast.Constant):
            msgid = f"{arguments[0].value}\x04{msgid}"
        found.add((msgid, 0) if _plural is not None else msgid)
    return found


def interface_messages() -> dict:
    """Every msgid the templates and Python code ask for, with where it is asked."""
    where: dict = {}
    for path in sorted(TEMPLATES.rglob("*.html")) + sorted(TEMPLATES.rglob("*.txt")):
        for key in _template_messages(path):
            where.setdefault(key, path.relative_to(BASE))
    for folder in PYTHON_SOURCES:
        for path in sorted((BASE / folder).rglob("*.py")):
            for key in _python_messages(path):
                where.setdefault(key, path.relative_to(BASE))
    return where


def test_every_interface_string_has_a_welsh_translation():
    where = interface_messages()
    assert len(where) > 500
    catalogue = mo_catalogue()
    missing = [
        f"{path}: {key!r}" for key, path in where.items() if not catalogue.get(key)
    ]
    assert not missing, f"No Welsh for these ({HOW_TO_FIX}):\n" + "\n".join(missing)


# -- choosing a language -----------------------------------------------------------
def _switch(client: Client, language: str, next_url: str = "/"):
    return client.post(
        reverse("set_language"), {"language": language, "next": next_url}
    )


@pytest.mark.django_db
def test_english_is_the_default_with_a_switch_to_welsh(client):
    html = client.get("/").content.decode()

    assert '<html lang="en-gb">' in html
    assert "Sign in with your work email" in html
    assert f'action="{reverse("set_language")}"' in html
    assert re.search(
        r'<button[^>]*value="cy"[^>]*lang="cy"[^>]*>Cymraeg</button>', html
    )
    assert 'value="en-gb"' not in html  # no button for the language already shown


@pytest.mark.django_db
def test_choosing_welsh_is_remembered_on_every_page(client):
    response = _switch(client, "cy", "/")

    assert response.status_code == 302 and response["Location"] == "/"
    cookie = response.cookies[settings.LANGUAGE_COOKIE_NAME]
    assert cookie.value == "cy"
    assert int(cookie["max-age"]) >= 365 * 24 * 60 * 60  # outlives the browser session
    assert cookie["httponly"] and cookie["samesite"] == "Lax"

    for url in ("/", reverse("conversations:ground_rules"), "/no-such-page/"):
        html = client.get(url).content.decode()
        assert '<html lang="cy">' in html, url
        assert "Neidio i’r prif gynnwys" in html, url  # skip link
        assert re.search(
            r'<button[^>]*value="en-gb"[^>]*lang="en-gb"[^>]*>English</button>', html
        ), url
    assert "Mewngofnodi gyda’ch e-bost gwaith" in client.get("/").content.decode()
    assert (
        "<h1>Rheolau sylfaenol</h1>"
        in client.get(reverse("conversations:ground_rules")).content.decode()
    )


@pytest.mark.django_db
def test_a_signed_in_person_keeps_welsh_across_pages_and_can_switch_back(
    client, staff, open_campaign
):
    client.force_login(staff)
    _switch(client, "cy", "/")

    home = client.get("/").content.decode()
    assert "<h1>Ymgyrchoedd</h1>" in home
    assert "Allgofnodi" in home  # sign out
    page = client.get(open_campaign.get_absolute_url()).content.decode()
    assert '<html lang="cy">' in page and "Rhannu syniad" in page

    response = _switch(client, "en-gb", open_campaign.get_absolute_url())
    assert response["Location"] == open_campaign.get_absolute_url()
    assert "<h1>Campaigns</h1>" in client.get("/").content.decode()


@pytest.mark.django_db
def test_the_switcher_returns_to_the_page_it_was_used_on(client):
    url = reverse("conversations:ground_rules")
    html = client.get(url + "?a=1").content.decode()

    assert f'<input type="hidden" name="next" value="{url}?a=1">' in html
    assert _switch(client, "cy", "https://elsewhere.example/")["Location"] == "/"


@pytest.mark.django_db
def test_a_browser_set_to_welsh_gets_welsh_until_the_person_chooses(client):
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="cy,en;q=0.5").content.decode()
    assert '<html lang="cy">' in html

    _switch(client, "en-gb")
    html = client.get("/", HTTP_ACCEPT_LANGUAGE="cy,en;q=0.5").content.decode()
    assert '<html lang="en-gb">' in html


@pytest.mark.django_db
def test_what_people_write_is_shown_as_written_in_either_language(
    client, staff, make_campaign, make_idea
):
    # Titles that are also interface words must not be "translated".
    campaign = make_campaign("open", title="Open", themes=["Support"])
    welsh = make_campaign("open", title="Ein Llais, Ein Dyfodol")
    make_idea(campaign, title="Done", body="<p>Campaigns</p>")
    client.force_login(staff)

    for language in ("en-gb", "cy"):
        _switch(client, language)
        home = client.get("/").content.decode()
        assert ">Open</a>" in home and ">Ein Llais, Ein Dyfodol</a>" in home
        page = client.get(campaign.get_absolute_url()).content.decode()
        assert ">Done</a>" in page
        assert ">Support</a>" in page or ">Support</option>" in page
        assert (
            "Ein Llais, Ein Dyfodol"
            in client.get(welsh.get_absolute_url()).content.decode()
        )
    # ...while the interface around them is Welsh.
    assert "Ar agor nawr" in home


@pytest.mark.django_db
def test_the_server_error_page_follows_the_language():
    with translation.override("cy"):
        html = engines["django"].get_template("500.html").render({})
    assert '<html lang="cy">' in html
    assert "Mae’n ddrwg gennym, mae problem gyda’r gwasanaeth" in html


# -- live updates: each viewer in their own language -------------------------------
def test_a_socket_takes_the_language_its_page_was_shown_in():
    def scope(cookie=None, accept=b""):
        return {
            "cookies": {settings.LANGUAGE_COOKIE_NAME: cookie} if cookie else {},
            "headers": [(b"accept-language", accept)] if accept else [],
        }

    assert consumers.language_of(scope()) == "en-gb"
    assert consumers.language_of(scope("cy")) == "cy"
    assert consumers.language_of(scope(accept=b"cy-GB,cy;q=0.9")) == "cy"
    assert consumers.language_of(scope("en-gb", accept=b"cy")) == "en-gb"
    assert consumers.language_of(scope("fr")) == "en-gb"
    assert consumers.language_of({}) == "en-gb"


@pytest.mark.django_db
def test_live_cards_are_stored_in_every_language_whoever_posted(
    staff, open_campaign, monkeypatch, django_capture_on_commit_callbacks
):
    published = []
    monkeypatch.setattr(
        events,
        "broadcast",
        lambda campaign_id, payload, group=None: published.append(payload),
    )
    # The author uses Welsh; the card is not published in the author's language only.
    with translation.override("cy"), django_capture_on_commit_callbacks(execute=True):
        services.post_idea(
            staff,
            open_campaign,
            theme=open_campaign.themes.first(),
            title="Dŵr ar ward 9",
            body="<p>Ffynhonnau dŵr</p>",
        )
    payload = CampaignEvent.objects.get(campaign=open_campaign).payload

    assert "Support" in payload["html"] and "Cefnogi" not in payload["html"]
    welsh = events.for_language(payload, "cy")
    assert "Cefnogi" in welsh["html"] and "Dŵr ar ward 9" in welsh["html"]
    assert "translations" not in welsh
    assert events.for_language(payload, "en-gb") == {
        k: v for k, v in payload.items() if k != "translations"
    }
    # What was broadcast is what was stored.
    assert [p for p in published if p.get("seq")] == [payload]


def test_the_hub_sends_each_viewer_their_language_encoding_once_per_language():
    class Socket:
        def __init__(self, language: str | None = None):
            if language:  # an older consumer has no language: it gets the default
                self.language = language
            self.frames: list[str] = []

        def enqueue(self, frame: str) -> None:
            self.frames.append(frame)

    sockets = [Socket("en-gb"), Socket("cy"), Socket("cy"), Socket()]
    the_hub = hub.Hub.__new__(hub.Hub)
    the_hub.sockets = {"campaign.1": set(sockets)}
    payload = events.split_languages(
        {
            "type": "idea.status",
            "seq": 4,
            "label": events.PerLanguage(
                {"en-gb": "Adopted", "cy": "Wedi’i fabwysiadu"}
            ),
        }
    )

    the_hub._send_payload("campaign.1", payload)

    english, welsh, welsh_too, default = (s.frames for s in sockets)
    assert english == default
    assert [json.loads(f) for f in english] == [
        {"type": "idea.status", "seq": 4, "label": "Adopted"}
    ]
    assert [json.loads(f) for f in welsh] == [
        {"type": "idea.status", "seq": 4, "label": "Wedi’i fabwysiadu"}
    ]
    assert welsh_too[0] is welsh[0]  # encoded once for both Welsh viewers


def test_payloads_with_the_same_text_in_every_language_carry_no_translations():
    same = events.PerLanguage({"en-gb": "Adopted", "cy": "Adopted"})
    assert events.split_languages({"type": "x", "label": same}) == {
        "type": "x",
        "label": "Adopted",
    }


@pytest.mark.django_db
def test_an_account_without_a_password_is_deleted_with_the_phrase_in_either_language(
    make_staff,
):
    person = make_staff()
    person.set_unusable_password()

    with translation.override("cy"):
        form = DeleteAccountForm({"confirm": "Dileu fy nghyfrif"}, user=person)
        assert str(form.fields["confirm"].label) == (
            'Teipiwch "dileu fy nghyfrif" i gadarnhau'
        )
        assert form.is_valid()
    with translation.override("en-gb"):
        english = DeleteAccountForm({"confirm": "delete my account"}, user=person)
        label = str(english.fields["confirm"].label)
    assert label == 'Type "delete my account" to confirm'
    assert english.is_valid()
    assert not DeleteAccountForm({"confirm": "delete"}, user=person).is_valid()


@pytest.mark.django_db
def test_signing_up_in_welsh_is_welsh_from_the_form_to_the_email(client, mailoutbox):
    _switch(client, "cy")
    page = client.get(reverse("account_login")).content.decode()
    assert "Wedi anghofio eich cyfrinair?" in page
    assert "Cyfrifiadur a rennir yw hwn" in page  # the shared-computer choice
    signup = client.get(reverse("account_signup")).content.decode()
    assert "Rhaid i’ch cyfrinair gynnwys o leiaf 8 nod." in signup

    response = client.post(
        reverse("account_signup"),
        {
            "email": "cymro@nhs.net",
            "password1": "Correct-Horse-Battery-9",
            "password2": "Correct-Horse-Battery-9",
        },
        follow=True,
    )

    assert "Dilyswch eich cyfeiriad e-bost" in response.content.decode()
    [email] = mailoutbox
    assert "Cadarnhewch eich cyfeiriad e-bost" in email.subject
    assert "I gadarnhau bod hyn yn gywir, ewch i" in email.body
