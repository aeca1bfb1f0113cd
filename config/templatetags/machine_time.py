"""``{{ when|iso_datetime }}``: a time for ``<time datetime>``, valid HTML.

HTML's datetime attribute allows at most three digits of a second's fraction; Django's
``date:"c"`` writes six whenever there are microseconds, which the HTML checker
refuses. This writes whole seconds in UTC: 2026-12-03T09:15:02Z. Registered as a
template builtin (config/settings.py), so every template has it without a load.
"""

from datetime import UTC, date, datetime

from django import template

register = template.Library()


@register.filter
def iso_datetime(value: datetime | date | None) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, datetime):
        if value.tzinfo is not None:
            value = value.astimezone(UTC)
            return value.replace(microsecond=0, tzinfo=None).isoformat() + "Z"
        return value.replace(microsecond=0).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    return ""
