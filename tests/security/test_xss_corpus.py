"""Known XSS and mutation-XSS payloads through the one sanitiser, in both modes.

The output is not checked with string matching alone: it is parsed the way a browser
parses HTML (html5lib, the WHATWG algorithm bleach itself uses), and the resulting
tree is walked. Mutation XSS works by markup that serialises harmlessly but re-parses
into something else, so the tree of the output is checked, then the tree of that tree
serialised again.
"""

import re
from xml.etree import ElementTree

import pytest
from bleach._vendor import html5lib
from bleach._vendor.html5lib import serializer, treewalkers
from django.test import Client

from conversations import services
from conversations.live import events
from conversations.sanitise import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, sanitise

PAYLOADS = [
    # plain script and event handlers
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//xss.example/x.js></SCRIPT>",
    "<img src=x onerror=alert(1)>",
    "<svg onload=alert(1)>",
    "<body onload=alert(1)>",
    "<input onfocus=alert(1) autofocus>",
    "<details open ontoggle=alert(1)>",
    "<b/onmouseover=alert(1)>bold</b>",
    '<a href="#" onmouseover="alert(1)">x</a>',
    '<a href="https://ok.example" onclick="alert(1)">x</a>',
    '<p onmouseover="alert(1)">hi</p>',
    # javascript:, data: and vbscript: URLs, disguised
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;&#58;alert(1)">x</a>',
    '<a href="&#x6A;&#x61;&#x76;&#x61;&#x73;&#x63;&#x72;&#x69;&#x70;&#x74;&#x3A;alert(1)">x</a>',
    '<a href="&#0000106&#0000097vascript:alert(1)">x</a>',
    '<a href="java&#x09;script:alert(1)">x</a>',
    '<a href="java&#x0A;script:alert(1)">x</a>',
    '<a href="java&#x0D;script:alert(1)">x</a>',
    '<a href="java\tscript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href=" &#14; javascript:alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="javas\x00cript:alert(1)">x</a>',
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<a href="DATA:text/html,<script>alert(1)</script>">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="VBScript&#58;msgbox(1)">x</a>',
    '<a href="livescript:alert(1)">x</a>',
    '<iframe src="javascript:alert(1)"></iframe>',
    '<object data="javascript:alert(1)"></object>',
    '<embed src="javascript:alert(1)">',
    '<form action="javascript:alert(1)"><button>x</button></form>',
    '<blockquote cite="javascript:alert(1)">quote</blockquote>',
    '<base href="javascript://">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    '<link rel=stylesheet href="javascript:alert(1)">',
    # quotes and attribute breaking
    '<a title="&quot; onmouseover=alert(1) x=&quot;">x</a>',
    "<a title='\"><script>alert(1)</script>'>x</a>",
    '<p title="</p><script>alert(1)</script>">x</p>',
    '<img src="x` `<script>alert(1)</script>"` `>',
    '<a href="https://ok.example/?q=&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;">x</a>',
    'http://ok.example/"onmouseover="alert(1)',
    "<a href=https://ok.example/ onmouseover=alert(1)//>x</a>",
    # styles
    "<style>*{background:url(javascript:alert(1))}</style>",
    '<div style="background:url(javascript:alert(1))">x</div>',
    '<i style="behavior:url(x.htc)">x</i>',
    "<a href='https://ok.example' style='x:expression(alert(1))'>x</a>",
    # raw-text and parser-switching elements (mutation XSS)
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<style><img src=x onerror=alert(1)></style>",
    "<template><script>alert(1)</script></template>",
    "<template><img src=x onerror=alert(1)></template>",
    "<svg><script>alert(1)</script></svg>",
    "<svg><style><img src=x onerror=alert(1)></style></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<math><style><img src=x onerror=alert(1)></style></math>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math><mi><mglyph><svg><mtext><textarea><path id="</textarea><img onerror=alert(1) src=1>">',
    "<form><math><mtext></form><form><mglyph><style></math><img src onerror=alert(1)>",
    '<svg></p><style><a id="</style><img src=1 onerror=alert(1)>">',
    '<math href="javascript:alert(1)">CLICK</math>',
    "<select><style><img src=x onerror=alert(1)></style></select>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    "<plaintext><img src=x onerror=alert(1)>",
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<title><img src=x onerror=alert(1)></title>",
    "<noembed><img src=x onerror=alert(1)></noembed>",
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    # comments, CDATA, broken nesting, entity-encoded tags
    "<!--<img src=x onerror=alert(1)>-->",
    "<!--><img src=x onerror=alert(1)>-->",
    "<![CDATA[<script>alert(1)</script>]]>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<<script>script>alert(1)<</script>/script>",
    "&lt;script&gt;alert(1)&lt;/script&gt;",
    "&amp;lt;script&amp;gt;alert(1)&amp;lt;/script&amp;gt;",
    "&#60;img src=x onerror=alert(1)&#62;",
    "<p>unclosed <b>bold <i>italic <a href='https://ok.example'>link",
    # linkify must not build a dangerous link from text
    "javascript:alert(1)",
    "see www.example.com/<script>alert(1)</script>",
    "mail me: mailto:x@example.nhs.uk?body=<script>",
    '<a href="https://x.example/" rel="opener" target="_blank">x</a>',
]

SAFE_SCHEMES = {"http", "https", "mailto"}
EXPECTED_REL = "nofollow noopener noreferrer"


def _scheme(url: str) -> str | None:
    """The scheme a browser would see: it drops leading control characters and
    spaces and ignores tabs and newlines anywhere in the URL."""
    url = re.sub(r"[\t\n\r]", "", url).lstrip("".join(map(chr, range(0x21))))
    match = re.match(r"([A-Za-z][A-Za-z0-9+.\-]*):", url)
    return match.group(1).lower() if match else None


def _parse(html: str) -> ElementTree.Element:
    return html5lib.parseFragment(
        html, treebuilder="etree", namespaceHTMLElements=False
    )


def _serialise(fragment: ElementTree.Element) -> str:
    walker = treewalkers.getTreeWalker("etree")
    return serializer.HTMLSerializer(
        quote_attr_values="always", omit_optional_tags=False
    ).render(walker(fragment))


def _problems_in_tree(fragment: ElementTree.Element) -> list[str]:
    problems = []
    for element in fragment.iter():
        if element is fragment:
            continue
        if callable(element.tag):  # a comment or processing instruction
            problems.append("comment")
            continue
        tag = element.tag
        if tag not in ALLOWED_TAGS:
            problems.append(f"element {tag}")
            continue
        allowed = set(ALLOWED_ATTRIBUTES.get(tag, []))
        for name, value in element.attrib.items():
            if name.lower().startswith("on") or name not in allowed:
                problems.append(f"attribute {name} on {tag}")
            if name == "href" and _scheme(value) not in SAFE_SCHEMES | {None}:
                problems.append(f"href {value!r}")
        if tag == "a" and "href" in element.attrib:
            if element.attrib.get("rel") != EXPECTED_REL:
                problems.append(f"rel {element.attrib.get('rel')!r}")
    return problems


def problems_in_markup(html: str) -> list[str]:
    first = _parse(html)
    # Re-serialise what the browser built and parse it again: markup that mutates
    # on the second pass is exactly what mutation XSS relies on.
    second = _parse(_serialise(first))
    return _problems_in_tree(first) + _problems_in_tree(second)


@pytest.mark.parametrize("payload", PAYLOADS)
def test_marked_up_output_holds_nothing_executable(payload):
    cleaned = sanitise(payload)

    assert problems_in_markup(cleaned) == [], cleaned
    # And cleaning is stable: what is stored comes back unchanged if cleaned again.
    assert problems_in_markup(sanitise(cleaned)) == []


@pytest.mark.parametrize("payload", PAYLOADS)
def test_plain_output_holds_no_markup_at_all(payload):
    cleaned = sanitise(payload, allow_markup=False)

    # Even if a template forgot to escape it, a browser would find no element in it.
    fragment = _parse(cleaned)
    assert [el.tag for el in fragment.iter() if el is not fragment] == [], cleaned


def test_the_corpus_checker_catches_what_it_looks_for():
    """If the checker passed everything, the tests above would prove nothing."""
    for bad in (
        "<script>x</script>",
        "<img src=x onerror=y>",
        '<a href="javascript:x">x</a>',
        '<a href="java&#x09;script:x" rel="nofollow noopener noreferrer">x</a>',
        '<a href="https://ok.example" rel="nofollow">x</a>',
        "<svg><style></style></svg>",
        "<!-- x -->",
        '<p style="x">x</p>',
    ):
        assert problems_in_markup(bad), bad


@pytest.mark.django_db
def test_posted_payloads_render_nothing_executable(make_staff, make_campaign):
    """Stored through the service, rendered through the real partial and page."""
    author = make_staff()
    campaign = make_campaign("open")
    theme = campaign.themes.first()
    client = Client()
    # A moderator: posts that look like they name someone are held, and moderators
    # still see them (with the moderation controls, which are checked too).
    client.force_login(make_staff(roles=["moderator"]))
    for n, payload in enumerate(PAYLOADS):
        idea = services.post_idea(
            author,
            campaign,
            theme=theme,
            title=f"{n} {payload}"[:150],
            body=f"{n} {payload}",
        )
        idea.support = idea.dont_support = 0
        card = _parse(events.render_idea_card(idea))
        page = html5lib.parse(
            client.get(idea.get_absolute_url()).content.decode(),
            treebuilder="etree",
            namespaceHTMLElements=False,
        )
        found = [el for el in page.iter() if el.get("id") == f"idea-{idea.pk}"]
        assert found, payload
        article = found[0]
        for tree in (card, article):
            for element in tree.iter():
                if callable(element.tag):
                    continue
                assert element.tag not in {
                    "script",
                    "style",
                    "iframe",
                    "object",
                    "embed",
                    "svg",
                    "math",
                    "template",
                    "noscript",
                }, payload
                for name, value in element.attrib.items():
                    assert not name.lower().startswith("on"), (payload, name)
                    if name in ("href", "src", "action", "formaction"):
                        assert _scheme(value) in SAFE_SCHEMES | {None}, (payload, value)
