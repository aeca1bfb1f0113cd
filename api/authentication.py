"""``Authorization: Bearer <token>`` for service accounts, through DRF's documented
authentication extension point. The API takes no session or cookie, so it has no
CSRF surface."""

from django.utils.translation import gettext_lazy as _
from rest_framework import authentication, exceptions

from api.tokens import token_for_key


class ServiceReader:
    """Who a service account is to ``conversations.rules``: a signed-in person with
    no role and no team, so it sees exactly what any member of staff may see of the
    whole organisation (published organisation-wide campaigns), never a board, a
    team's campaign or a draft."""

    is_authenticated = True
    is_anonymous = False
    is_active = True
    is_staff = False
    is_superuser = False
    is_engagement_manager = False
    is_moderator = False
    pk = None
    id = None

    def __init__(self, token) -> None:
        self.token = token

    def has_perm(self, perm, obj=None) -> bool:
        return False

    def __str__(self) -> str:
        return f"service account {self.token.pk}"


class BearerTokenAuthentication(authentication.BaseAuthentication):
    keyword = "Bearer"

    def authenticate(self, request):
        header = authentication.get_authorization_header(request).split()
        if not header or header[0].lower() != self.keyword.lower().encode():
            return None
        if len(header) != 2:
            raise exceptions.AuthenticationFailed(_("Invalid token header."))
        try:
            key = header[1].decode()
        except UnicodeError:
            raise exceptions.AuthenticationFailed(_("Invalid token header.")) from None
        token = token_for_key(key)
        if token is None:
            raise exceptions.AuthenticationFailed(_("Invalid or revoked token."))
        return ServiceReader(token), token

    def authenticate_header(self, request) -> str:
        # Makes DRF answer 401 (not 403) when no token or a bad one is given.
        return f'{self.keyword} realm="api"'
