"""The three statements: open to everyone, signed in or not."""

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import get_language

from statements import facts
from statements.own_text import own_text


def _page(request: HttpRequest, statement: str, context: dict) -> HttpResponse:
    context["own_text"] = own_text(statement, get_language())
    return render(request, f"statements/{statement}.html", context)


def accessibility(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "accessibility",
        {
            "contact": settings.ACCESSIBILITY_CONTACT,
            "prepared_on": settings.ACCESSIBILITY_STATEMENT_DATE,
            "people_tested_on": settings.ACCESSIBILITY_PEOPLE_TESTED_ON,
        },
    )


def privacy(request: HttpRequest) -> HttpResponse:
    return _page(
        request,
        "privacy",
        {
            "kept": facts.retention(),
            "contact": settings.PRIVACY_CONTACT,
            "reveal_enabled": settings.REVEAL_ENABLED,
            "small_group": settings.SMALL_GROUP_THRESHOLD,
        },
    )


def cookies(request: HttpRequest) -> HttpResponse:
    return _page(request, "cookies", {"cookies": facts.cookies()})
