"""Spotting posts that may identify a patient or a person, so they wait for a moderator.

Deliberately narrow: an NHS number (which must pass its modulus 11 check digit, so
an ordinary ten-digit figure is not held), an email address, or a UK phone number.
A name cannot be told from any other word, so names are left to flags and
moderators. Nothing here stores or repeats what was found: the reason a post is held
says what kind of thing it looked like, never the thing itself.
"""

import html
import re

from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

NHS_NUMBER = "nhs_number"
EMAIL = "email"
PHONE = "phone"

LABELS = {
    NHS_NUMBER: _("an NHS number"),
    EMAIL: _("an email address"),
    PHONE: _("a phone number"),
}

# Ten digits, as typed or in the usual 3-3-4 groups with spaces or dashes, and not
# part of a longer run of digits.
_NHS_NUMBER = re.compile(r"(?<![0-9])([0-9]{3})[ -]?([0-9]{3})[ -]?([0-9]{4})(?![0-9])")

_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)

# A UK number from the trunk prefix 0 or +44 / 0044 (with an optional "(0)"), then
# the national number: 10 digits for mobiles (07) and London-style 02 numbers, 9 or
# 10 for 01 area codes. Single spaces, dashes or a closing bracket may sit between
# digits. 03, 08 and 09 numbers belong to organisations, so they are not held.
_PHONE = re.compile(
    r"""
    (?<![0-9A-Za-z+])
    (?:
        (?:\+|00)44[ -]?(?:\(0\)[ -]?)?
      | \(?0
    )
    (?P<national>[127](?:[ \-)]{0,2}[0-9]){8,9})
    (?![0-9])
    """,
    re.VERBOSE,
)
_TAG = re.compile(r"<[^>]*>")


def is_valid_nhs_number(digits: str) -> bool:
    """True if ``digits`` (ten digits, no spaces) passes the NHS number check digit.

    Weights 10 down to 2 on the first nine digits; 11 minus the sum modulo 11 is the
    check digit, where 11 means 0 and 10 means the number cannot be valid.
    """
    if len(digits) != 10 or not digits.isascii() or not digits.isdigit():
        return False
    total = sum(int(d) * w for d, w in zip(digits[:9], range(10, 1, -1), strict=True))
    check = 11 - total % 11
    if check == 11:
        check = 0
    return check != 10 and check == int(digits[9])


def _plain(text: str) -> str:
    """Text as a reader sees it: tags dropped (a tag ends a word), entities decoded."""
    return html.unescape(_TAG.sub(" ", text or ""))


def _has_nhs_number(text: str) -> bool:
    return any(
        is_valid_nhs_number("".join(m.groups())) for m in _NHS_NUMBER.finditer(text)
    )


def _has_phone(text: str) -> bool:
    for match in _PHONE.finditer(text):
        national = re.sub(r"[^0-9]", "", match.group("national"))
        if len(national) == 10 or (len(national) == 9 and national[0] == "1"):
            return True
    return False


def find(*texts: str) -> list[str]:
    """The kinds of identifying detail found in ``texts``, in a fixed order."""
    text = "\n".join(_plain(t) for t in texts)
    found = []
    if _has_nhs_number(text):
        found.append(NHS_NUMBER)
    if _EMAIL.search(text):
        found.append(EMAIL)
    if _has_phone(text):
        found.append(PHONE)
    return found


def hold_reason(*texts: str) -> str:
    """Why a post with these texts waits for a moderator, or "" if it need not.

    Shown to the author, so it names the kind of detail and never repeats it.
    """
    kinds = find(*texts)
    if not kinds:
        return ""
    labels = [str(LABELS[k]) for k in kinds]
    if len(labels) == 1:
        listed = labels[0]
    else:
        listed = format_lazy(
            _("{first} and {last}"), first=", ".join(labels[:-1]), last=labels[-1]
        )
    return str(
        format_lazy(
            _(
                "it looks like it contains {found}, which could identify a patient "
                "or a colleague"
            ),
            found=listed,
        )
    )
