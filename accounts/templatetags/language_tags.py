"""The language switcher's choices: every interface language but the current one."""

from django import template
from django.conf import settings
from django.utils import translation

register = template.Library()


@register.simple_tag
def other_languages() -> list[dict[str, str]]:
    """Code and name of each language the page can switch to.

    Names come from settings.LANGUAGES untranslated: a person looking for Welsh looks
    for "Cymraeg", not for whatever the current language calls it.
    """
    current = translation.get_language() or settings.LANGUAGE_CODE
    return [
        {"code": code, "name": name}
        for code, name in settings.LANGUAGES
        if code != current
    ]
