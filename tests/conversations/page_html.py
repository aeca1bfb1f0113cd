"""Reading a campaign page as its viewer does, from its HTML: the page is cached, so
a test cannot count on the template's context being there."""

import html
import re

_CARD = re.compile(r'<li class="sv-idea" id="idea-(\d+)"')
_TITLE = re.compile(r'<h3 class="nhsuk-card__heading[^"]*"><a href="[^"]*">(.*?)</a>')
_SORT = re.compile(
    r'<select class="nhsuk-select" id="sort" name="sort">(.*?)</select>', re.S
)
_SELECTED = re.compile(r'<option value="([^"]*)" selected>')


def card_ids(response) -> list[int]:
    return [int(pk) for pk in _CARD.findall(response.content.decode())]


def card_titles(response) -> list[str]:
    return [html.unescape(t) for t in _TITLE.findall(response.content.decode())]


def chosen_sort(response) -> str:
    (options,) = _SORT.findall(response.content.decode())
    (chosen,) = _SELECTED.findall(options)
    return chosen
