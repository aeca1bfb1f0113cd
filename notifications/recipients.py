"""What is known of a person as a recipient: the language they are written to in, and
the signed token that unsubscribes them from a topic. ``services`` and ``emails`` both
ask this module; it asks neither."""

from collections.abc import Iterable

from django.conf import settings
from django.core import signing

from notifications.models import Recipient
from notifications.topics import DIGEST, TOPICS_BY_KEY

UNSUBSCRIBE_SALT = "notifications.unsubscribe"


def _known_language(code: str | None) -> str:
    codes = {c for c, _name in settings.LANGUAGES}
    return code if code in codes else settings.LANGUAGE_CODE


def languages_of(person_ids: Iterable[int]) -> dict[int, str]:
    """Each person's language (the default where not known), in one query."""
    ids = list(person_ids)
    known = dict(
        Recipient.objects.filter(person_id__in=ids).values_list("person_id", "language")
    )
    return {pk: _known_language(known.get(pk)) for pk in ids}


def language_of(person) -> str:
    return languages_of([person.pk])[person.pk]


def remember_language(person, language: str | None) -> None:
    """Write notifications and emails to ``person`` in ``language`` from now on."""
    language = _known_language(language)
    updated = Recipient.objects.filter(person=person).exclude(language=language)
    if not updated.update(language=language):
        Recipient.objects.get_or_create(person=person, defaults={"language": language})


def unsubscribe_token(person, topic: str) -> str:
    return signing.dumps({"p": person.pk, "t": topic}, salt=UNSUBSCRIBE_SALT)


def read_unsubscribe_token(token: str) -> tuple[int, str] | None:
    """(person id, topic) from a token we signed; None if it is not ours."""
    try:
        data = signing.loads(token, salt=UNSUBSCRIBE_SALT)
    except signing.BadSignature:
        return None
    topic = data.get("t")
    if topic != DIGEST and topic not in TOPICS_BY_KEY:
        return None
    return data.get("p"), topic
