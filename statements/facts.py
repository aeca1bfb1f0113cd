"""The facts the statements state, read from the settings that decide them, so the
pages cannot drift from what the site does: cookie names and lifetimes, how long each
kind of data is kept, who may reveal an anonymous author."""

from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _
from django.utils.translation import ngettext


@dataclass(frozen=True)
class Cookie:
    name: str
    purpose: str
    lasts: str
    # Each lifetime it can be set with, in seconds; None: until the browser closes.
    max_ages: tuple[int | None, ...]

    @property
    def ages_attribute(self) -> str:
        return " ".join("session" if age is None else str(age) for age in self.max_ages)


def duration(seconds: int) -> str:
    """A lifetime in the largest whole unit people use: years, days, hours."""
    days = seconds // 86400
    if days and days % 365 == 0:
        years = days // 365
        return ngettext("%(n)d year", "%(n)d years", years) % {"n": years}
    if days:
        return ngettext("%(n)d day", "%(n)d days", days) % {"n": days}
    if seconds % 3600 == 0:
        hours = max(1, seconds // 3600)
        return ngettext("%(n)d hour", "%(n)d hours", hours) % {"n": hours}
    minutes = max(1, seconds // 60)
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _lasts(max_age: int | None) -> str:
    if max_age is None:
        return _("Until you close your browser")
    return duration(max_age)


def cookies() -> list[Cookie]:
    """Every cookie the site sets, as settings name and age them. Messages are kept in
    the session (MESSAGE_STORAGE), so they set no cookie of their own."""
    session_age = (
        None
        if settings.SESSION_EXPIRE_AT_BROWSER_CLOSE
        else settings.SESSION_COOKIE_AGE
    )
    # allauth's sign-in asks "Remember me" unless ACCOUNT_SESSION_REMEMBER decides:
    # not ticked, the session ends with the browser.
    remember = getattr(settings, "ACCOUNT_SESSION_REMEMBER", None)
    # Sessions that end after a spell without activity (accounts.safety.sessions,
    # where it is installed): the cookie lives that long from the last page.
    idle = getattr(settings, "IDLE_TIMEOUT_MINUTES", None)
    if idle:
        short = getattr(settings, "IDLE_TIMEOUT_PRIVILEGED_MINUTES", idle)
        session_ages = (None, session_age, idle * 60, short * 60)
        session_lasts = _(
            "%(time)s after the last page you open (%(short)s for moderators, "
            "campaign managers and administrators), or until you close your "
            "browser if you said the computer is shared"
        ) % {"time": duration(idle * 60), "short": duration(short * 60)}
    elif session_age is None or remember is False:
        session_ages, session_lasts = (None,), _lasts(None)
    elif remember is True:
        session_ages, session_lasts = (session_age,), _lasts(session_age)
    else:
        session_ages = (None, session_age)
        session_lasts = _(
            "Until you close your browser, or %(time)s if you tick “Remember me” "
            "when you sign in"
        ) % {"time": duration(session_age)}
    found = [
        Cookie(
            settings.SESSION_COOKIE_NAME,
            _(
                "Keeps you signed in as you move from page to page. It holds a "
                "random key, not your name or email address."
            ),
            session_lasts,
            session_ages,
        ),
        Cookie(
            settings.LANGUAGE_COOKIE_NAME,
            _("Remembers whether you chose English or Cymraeg."),
            _lasts(settings.LANGUAGE_COOKIE_AGE),
            (settings.LANGUAGE_COOKIE_AGE,),
        ),
    ]
    if not settings.CSRF_USE_SESSIONS:
        found.insert(
            1,
            Cookie(
                settings.CSRF_COOKIE_NAME,
                _(
                    "Protects the forms you send from being faked by another "
                    "website. It holds a random value."
                ),
                _lasts(settings.CSRF_COOKIE_AGE),
                (settings.CSRF_COOKIE_AGE,),
            ),
        )
    return found


@dataclass(frozen=True)
class Kept:
    what: str
    how_long: str


def retention() -> list[Kept]:
    """How long each kind of data is kept, from the retention schedule (retention/)."""
    years = settings.RETENTION_CLOSED_CAMPAIGN_YEARS
    return [
        Kept(
            _("Live updates sent to open pages (what changed, never who did it)"),
            duration(settings.RETENTION_LIVE_EVENTS_DAYS * 86400),
        ),
        Kept(
            _("Emails sent to you and notifications in the service"),
            duration(settings.RETENTION_MESSAGES_DAYS * 86400),
        ),
        Kept(
            _(
                "Your account, after the staff directory shows you have left: then "
                "your name, email address and profile answers are erased"
            ),
            duration(settings.RETENTION_LEAVERS_DAYS * 86400),
        ),
        Kept(
            _(
                "Whose name is on the ideas and comments in a campaign, after it "
                "closes: then they are kept for the record, with nobody's name on them"
            ),
            ngettext("%(n)d year", "%(n)d years", years) % {"n": years},
        ),
    ]
