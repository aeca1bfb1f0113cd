"""Find interface text in templates that does not go through Django's translation.

Used by tests/test_i18n.py. A template passes when, after taking out everything that
is translated or is not text for people ({% trans %}, {% blocktrans %}...
{% endblocktrans %}, other tags, {{ variables }}, comments, <script> and <style>),
no letters are left: not between tags, and not in the attributes people read or hear
(aria-label, alt, title, placeholder, a button's value, prose handed to scripts in
data-* attributes). Class names, ids, URLs and other attributes are never looked at.
String literals handed to tags and filters count too: {% include ... with
text="Sorry" %} and {{ x|default:"none" }} must use _("...").
"""

import re
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

# Attributes whose values people read or hear.
READ_ATTRIBUTES = {
    "alt",
    "title",
    "placeholder",
    "label",
    "abbr",
    "aria-label",
    "aria-description",
    "aria-placeholder",
    "aria-roledescription",
    "aria-valuetext",
    "aria-braillelabel",
    "aria-brailleroledescription",
}
BUTTON_INPUT_TYPES = {"submit", "button", "reset"}
# data-* values that scripts show to people are sentences; identifiers never hold spaces.
PROSE = re.compile(r"[^\W\d_]{2,}\s+[^\W\d_]")
LETTER = re.compile(r"[^\W\d_]")
# Names that are the same in every language: the NHS logo's accessible name.
NOT_TRANSLATED = {"NHS"}

_TRANSLATED_BLOCK = re.compile(
    r"{%-?\s*(blocktrans|blocktranslate)\b.*?%}.*?{%-?\s*end(blocktrans|blocktranslate)\s*-?%}",
    re.DOTALL,
)
_COMMENT_BLOCK = re.compile(r"{%\s*comment\b.*?%}.*?{%\s*endcomment\s*%}", re.DOTALL)
_COMMENT = re.compile(r"{#.*?#}", re.DOTALL)
_SCRIPT_OR_STYLE = re.compile(
    r"<(script|style)\b.*?</\1\s*>", re.DOTALL | re.IGNORECASE
)
_TAG = re.compile(r"{%.*?%}", re.DOTALL)
_VARIABLE = re.compile(r"{{.*?}}", re.DOTALL)
_TRANS_TAG = re.compile(r"{%-?\s*(trans|translate)\s")
# A quoted literal in a tag or variable, not inside _(...) and not a filter argument
# (date formats such as "j F Y" are filter arguments).
_LITERAL = re.compile(r"""(?<![:(])(?P<q>["'])(?P<text>[^"']*)(?P=q)""")
_TEXT_FILTER_ARGUMENT = re.compile(
    r"""\|(?:default|default_if_none)\s*:\s*(["'])(?P<text>[^"']*)\1"""
)


@dataclass(frozen=True)
class Problem:
    path: Path
    line: int
    text: str
    where: str  # "text", an attribute name, or "tag"

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: untranslated {self.where}: {self.text!r}"


def _blank(match: re.Match) -> str:
    """Replace what matched with its line breaks only, so line numbers still hold."""
    return "\n" * match.group(0).count("\n")


def _line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _literals_in_tags(path: Path, source: str) -> list[Problem]:
    problems = []
    for pattern in (_TAG, _VARIABLE):
        for match in pattern.finditer(source):
            code = match.group(0)
            if _TRANS_TAG.match(code) or code.startswith(("{% load", "{% url")):
                continue
            texts = [m.group("text") for m in _TEXT_FILTER_ARGUMENT.finditer(code)]
            if not code.startswith("{{"):
                # Tag arguments: sentences (with a space) handed to includes and the like.
                texts += [
                    m.group("text")
                    for m in _LITERAL.finditer(code)
                    if PROSE.search(m.group("text"))
                ]
            for text in texts:
                if LETTER.search(text) and text.strip() not in NOT_TRANSLATED:
                    problems.append(
                        Problem(path, _line_of(source, match.start()), text, "tag")
                    )
    return problems


class _Checker(HTMLParser):
    def __init__(self, path: Path) -> None:
        super().__init__(convert_charrefs=True)
        self.path = path
        self.problems: list[Problem] = []

    def _report(self, line: int, text: str, where: str) -> None:
        text = " ".join(text.split())
        if LETTER.search(text) and text not in NOT_TRANSLATED:
            self.problems.append(Problem(self.path, line, text, where))

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        line = self.getpos()[0]
        values = dict(attrs)
        for name, value in attrs:
            if not value:
                continue
            if (
                name in READ_ATTRIBUTES
                or (
                    name == "value"
                    and tag == "input"
                    and (values.get("type") or "").lower() in BUTTON_INPUT_TYPES
                )
                or (
                    name == "content"
                    and tag == "meta"
                    and values.get("name") == "description"
                )
                or (name.startswith("data-") and PROSE.search(value))
            ):
                self._report(line, value, name)

    handle_startendtag = handle_starttag

    def handle_data(self, data: str) -> None:
        match = LETTER.search(data)
        if match:
            line = self.getpos()[0] + data.count("\n", 0, match.start())
            self._report(line, data, "text")


def strip_translated(source: str) -> str:
    """The template without what is translated or is not text; line breaks kept."""
    for pattern in (
        _COMMENT_BLOCK,
        _COMMENT,
        _TRANSLATED_BLOCK,
        _SCRIPT_OR_STYLE,
        _TAG,
        _VARIABLE,
    ):
        source = pattern.sub(_blank, source)
    return source


def check_source(path: Path, source: str) -> list[Problem]:
    problems = _literals_in_tags(path, source)
    stripped = strip_translated(source)
    if path.suffix in {".html", ".htm", ".svg", ".xml"}:
        checker = _Checker(path)
        checker.feed(stripped)
        checker.close()
        problems += checker.problems
    else:
        # Plain-text templates (emails): every letter left is for people.
        for number, line in enumerate(stripped.splitlines(), start=1):
            if LETTER.search(line) and line.strip() not in NOT_TRANSLATED:
                problems.append(Problem(path, number, line.strip(), "text"))
    return sorted(problems, key=lambda p: (str(p.path), p.line))


def check_templates(root: Path) -> list[Problem]:
    problems = []
    for path in sorted(root.rglob("*")):
        if path.is_file() and path.suffix in {".html", ".txt", ".xml", ".svg"}:
            problems += check_source(
                path.relative_to(root.parent), path.read_text(encoding="utf-8")
            )
    return problems
