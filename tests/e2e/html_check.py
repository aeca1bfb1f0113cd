"""Is a page valid HTML? What the Nu HTML checker would refuse, checked in Python
(the Nu checker is Java and not to be downloaded at test time):

- the document parses with no error under the HTML standard's own parsing rules
  (html5lib: stray or misnested tags, bad attributes, duplicate attributes);
- ids are unique, and every id that ``for``, ``aria-labelledby``,
  ``aria-describedby`` and ``aria-controls`` name exists;
- every ``role`` is an ARIA 1.2 role;
- every ``<time datetime>`` is a valid date, time, date and time, or duration string
  (no more than three digits of a second's fraction).
"""

import re

import html5lib

# ARIA 1.2 roles that are not abstract (WAI-ARIA 1.2, 5.3 and 5.4; DPUB and graphics
# roles are not used here).
ARIA_ROLES = frozenset(
    """alert alertdialog application article banner blockquote button caption cell
    checkbox code columnheader combobox complementary contentinfo definition deletion
    dialog document emphasis feed figure form generic grid gridcell group heading img
    insertion link list listbox listitem log main marquee math menu menubar menuitem
    menuitemcheckbox menuitemradio meter navigation none note option paragraph
    presentation progressbar radio radiogroup region row rowgroup rowheader scrollbar
    search searchbox separator slider spinbutton status strong subscript superscript
    switch tab table tablist tabpanel term textbox time timer toolbar tooltip tree
    treegrid treeitem""".split()
)

_DATE = r"\d{4,}-\d\d-\d\d"
_TIME = r"\d\d:\d\d(?::\d\d(?:\.\d{1,3})?)?"
_ZONE = r"(?:Z|[+-]\d\d(?::?\d\d)?)"
_DATETIME = re.compile(
    rf"^(?:{_DATE}|\d{{4,}}-\d\d|{_TIME}|{_DATE}[T ]{_TIME}{_ZONE}?|{_ZONE}"
    rf"|P(?:\d+D)?(?:T(?:\d+H)?(?:\d+M)?(?:\d+(?:\.\d{{1,3}})?S)?)?)$"
)
_REFERRING = ("for", "aria-labelledby", "aria-describedby", "aria-controls")


def problems(html: str) -> list[str]:
    parser = html5lib.HTMLParser(namespaceHTMLElements=False)
    tree = parser.parse(html)
    found = [
        f"line {line}, column {column}: {error} {data or ''}".strip()
        for (line, column), error, data in parser.errors
    ]
    ids: dict[str, int] = {}
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        if "id" in element.attrib:
            ids[element.attrib["id"]] = ids.get(element.attrib["id"], 0) + 1
    found += [f'id "{name}" used {n} times' for name, n in ids.items() if n > 1]
    for element in tree.iter():
        if not isinstance(element.tag, str):
            continue
        for attribute in _REFERRING:
            for name in element.attrib.get(attribute, "").split():
                if name not in ids:
                    found.append(f'<{element.tag} {attribute}="{name}">: no such id')
        for role in element.attrib.get("role", "").split()[:1]:
            if role not in ARIA_ROLES:
                found.append(f'<{element.tag} role="{role}">: not an ARIA role')
        if element.tag == "time" and "datetime" in element.attrib:
            value = element.attrib["datetime"]
            if not _DATETIME.match(value):
                found.append(f'<time datetime="{value}">: not a valid date or time')
    return found
