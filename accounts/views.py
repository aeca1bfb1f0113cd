from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme

from accounts import services
from accounts.forms import ProfileForm


def _safe_next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or "/"
    if url_has_allowed_host_and_scheme(
        target, {request.get_host()}, request.is_secure()
    ):
        return target
    return "/"


@login_required
def profile(request: HttpRequest) -> HttpResponse:
    """Profile questions: asked once after first sign-in, editable any time."""
    form = ProfileForm(request.POST or None, instance=request.user)
    if request.method == "POST":
        if "skip" in request.POST:
            services.skip_profile(request.user)
            return redirect(_safe_next(request))
        if form.is_valid():
            services.save_profile(request.user, form.cleaned_data)
            return redirect(_safe_next(request))
    return render(
        request, "accounts/profile.html", {"form": form, "next": _safe_next(request)}
    )
