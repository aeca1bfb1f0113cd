"""Spotting posts that may identify a patient or a person, so they wait for a moderator.

Deliberately narrow: an NHS number (which must pass its modulus 11 check digit, so
an ordinary ten-digit figure is not held), an email address, or a UK phone number.
A name cannot be told from any other word, so names are left to flags and
moderators. Nothing here stores or repeats what was found: the reason a post is held
says what kind of thing it looked like, never the thing itself.

Text is read as a person reads it (:func:`normalise`), because a number a reader can
see is a number: markup dropped wherever it sits (even between two digits), entities
decoded, every Unicode digit read as its ASCII digit (full-width, Arabic-Indic...),
invisible characters (zero-width spaces and joiners, soft hyphens) removed, and every
space, dash, dot and slash read as one kind of separator, however many there are.
"""

import html
import re
import unicodedata

import phonenumbers
from django.core.exceptions import ValidationError
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

_TAG = re.compile(r"<[^>]*>")
# Characters read as a separator between digit groups, once normalised: every kind
# of space, dash, dot and slash (see _SEPARATOR_OF). A run counts as one separator.
_SEP = r"[ \-./_]*"
# Ten digits, as typed or in the usual 3-3-4 groups with any separators, and not part
# of a longer run of digits. Other groupings (2-2-4-2 is a date and a time) are left.
_NHS_NUMBER = re.compile(
    rf"(?<![0-9])([0-9]{{3}}){_SEP}([0-9]{{3}}){_SEP}([0-9]{{4}})(?![0-9])"
)

_EMAIL = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}"
)

_DOTS = "\u00b7\u2022\u2024\u2027\u2219\u22c5\u30fb\uff0e"
_SLASHES = "\u2044\u2215\u29f8\uff0f\\"
_DASHES = "\u2212\u2043\ufe63\uff0d\u00ad"


def _separator_of(char: str) -> str | None:
    """The plain separator ``char`` reads as, or None if it is not one."""
    category = unicodedata.category(char)
    if category == "Zs" or char in "\t\n\r\f\v\u2028\u2029":
        return " "
    if category == "Pd" or char in _DASHES:
        return "-"
    if char == "." or char in _DOTS:
        return "."
    if char == "/" or char in _SLASHES:
        return "/"
    return None


def _plain_char(char: str) -> str:
    if char.isascii():
        return char
    digit = unicodedata.decimal(char, None)
    if digit is not None:  # any script's digit (full-width, Arabic-Indic, ...)
        return str(digit)
    if unicodedata.category(char) == "Cf":  # zero-width space/joiner, word joiner...
        return ""
    separator = _separator_of(char)
    return char if separator is None else separator


def _untagged(text: str) -> str:
    # Twice: text escaped by the sanitiser ("&lt;b&gt;") reads as markup once decoded.
    for _round in range(2):
        text = html.unescape(_TAG.sub("", text))
    return text


def normalise(text: str) -> str:
    """``text`` as a reader sees its digits: see the module's docstring."""
    text = unicodedata.normalize("NFKC", _untagged(text or ""))
    return "".join(_plain_char(c) for c in text)


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


def _has_nhs_number(text: str) -> bool:
    return any(
        is_valid_nhs_number("".join(m.groups())) for m in _NHS_NUMBER.finditer(text)
    )


# A UK number written as one: from the trunk prefix 0 or from +44 / 0044.
_UK_START = re.compile(r"^(?:\+ ?44|0044|\(?0)")


def _has_phone(text: str) -> bool:
    """A UK mobile or landline (07, 01, 02 once the 0 is dropped) as the phonenumbers
    library finds numbers in text. Possible rather than valid, so a number from a
    range not yet given out (07700 900xxx, say) is held as well. 03, 08 and 09
    numbers belong to organisations, so they are not held."""
    for match in phonenumbers.PhoneNumberMatcher(
        text, "GB", leniency=phonenumbers.Leniency.POSSIBLE
    ):
        number = match.number
        national = str(number.national_number)
        if (
            number.country_code == 44
            and _UK_START.match(match.raw_string)
            and national[0] in "127"
            and (len(national) == 10 or (len(national) == 9 and national[0] == "1"))
        ):
            return True
    return False


def find(*texts: str) -> list[str]:
    """The kinds of identifying detail found in ``texts``, in a fixed order. Each text
    is read on its own, so a title's last digits never join a body's first."""
    plain = [normalise(t) for t in texts]
    found = []
    if any(_has_nhs_number(t) for t in plain):
        found.append(NHS_NUMBER)
    # An address is read with tags taken as word breaks ("a<br>b@c.org" is b@c.org).
    if any(_EMAIL.search(normalise(_TAG.sub(" ", t or ""))) for t in texts):
        found.append(EMAIL)
    if any(_has_phone(t) for t in plain):
        found.append(PHONE)
    return found


def hold_reason(*texts: str) -> str:
    """Why a post with these texts waits for a moderator, or "" if it need not.

    Shown to the author, so it names the kind of detail and never repeats it.
    """
    kinds = find(*texts)
    if not kinds:
        return ""
    return str(
        format_lazy(
            _(
                "it looks like it contains {found}, which could identify a patient "
                "or a colleague"
            ),
            found=listed(kinds),
        )
    )


def listed(kinds: list[str]) -> str:
    """The kinds found, named in a sentence ("an NHS number and a phone number")."""
    labels = [str(LABELS[k]) for k in kinds]
    if len(labels) == 1:
        return labels[0]
    return str(
        format_lazy(
            _("{first} and {last}"), first=", ".join(labels[:-1]), last=labels[-1]
        )
    )


def refuse_if_found(*texts: str) -> None:
    """For text that cannot wait for a moderator (a report, an action, a pinned note,
    a moderator's own edit): refuse it, saying what kind of detail to take out."""
    kinds = find(*texts)
    if kinds:
        raise ValidationError(
            format_lazy(
                _(
                    "Take out {found}: it could identify a patient or a colleague, "
                    "so it cannot be published."
                ),
                found=listed(kinds),
            )
        )
