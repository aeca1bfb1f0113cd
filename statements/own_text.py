"""The organisation's own text for a statement, where it has written one.

``STATEMENT_FILES`` maps a statement ("accessibility", "privacy", "cookies") to a file
of HTML the organisation wrote. ``{language}`` in the path is replaced by the page's
language code (``en-gb``, ``cy``), so each language can have its own file; with no
such file for the language, the page falls back to the built-in text. The file is
the organisation's own, set up by whoever deploys the service, like a template: it
is shown as written.
"""

from pathlib import Path

from django.conf import settings
from django.utils.safestring import SafeString, mark_safe

STATEMENTS = ("accessibility", "privacy", "cookies")


def own_text(statement: str, language: str) -> SafeString | None:
    template = (getattr(settings, "STATEMENT_FILES", {}) or {}).get(statement)
    if not template:
        return None
    path = Path(str(template).replace("{language}", language))
    try:
        text = path.read_text(encoding="utf-8")
    except OSError:
        return None
    return mark_safe(text)  # noqa: S308 - the deployer's own file, like a template
