"""Thin views: the inbox, preferences, unfollowing, and unsubscribing from an email."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from notifications import services
from notifications.forms import PreferencesForm
from notifications.models import Notification
from notifications.topics import DIGEST, TOPICS_BY_KEY


@login_required
def inbox(request: HttpRequest) -> HttpResponse:
    services.remember_language(request.user, request.LANGUAGE_CODE)
    notifications = Notification.objects.filter(recipient=request.user)[:100]
    return render(request, "notifications/inbox.html", {"notifications": notifications})


@login_required
@require_POST
def mark_read(request: HttpRequest) -> HttpResponse:
    services.mark_all_read(request.user)
    return redirect("notifications:inbox")


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = PreferencesForm(
        request.POST or None, initial=services.preferences_for(request.user)
    )
    if request.method == "POST" and form.is_valid():
        services.set_preferences(request.user, form.cleaned_data)
        services.remember_language(request.user, request.LANGUAGE_CODE)
        messages.success(request, _("Your choices have been saved."))
        return redirect("notifications:preferences")
    return render(
        request,
        "notifications/preferences.html",
        {"form": form, "follows": list(services.follows_of(request.user)[:200])},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def unfollow(request: HttpRequest, pk: int) -> HttpResponse:
    if services.unfollow_by_id(request.user, pk):
        messages.success(request, _("You no longer follow it."))
    return redirect("notifications:preferences")


# The signed token is the credential: mail providers POST the one-click unsubscribe
# (RFC 8058) with no cookie and no CSRF token, and the person may not be signed in.
@csrf_exempt
def unsubscribe(request: HttpRequest, token: str) -> HttpResponse:
    found = services.read_unsubscribe_token(token)
    person = None
    if found is not None:
        person = get_user_model().objects.filter(pk=found[0], is_active=True).first()
    if person is None:
        return render(request, "notifications/unsubscribe_invalid.html", status=404)
    topic = found[1]
    label = (
        _("the daily summary email") if topic == DIGEST else TOPICS_BY_KEY[topic].label
    )
    if request.method == "POST":
        services.unsubscribe(person, topic)
        return render(
            request, "notifications/unsubscribed.html", {"label": label, "topic": topic}
        )
    return render(
        request,
        "notifications/unsubscribe.html",
        {"label": label, "topic": topic, "token": token},
    )
