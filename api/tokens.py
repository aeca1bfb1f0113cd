"""Making and checking service-account tokens: random, shown once, kept as SHA-256."""

import hashlib
import secrets
from datetime import timedelta

from django.utils import timezone

from api.models import ApiToken

PREFIX = "sv_"
# last_used_at is written at most this often per token, not on every request.
TOUCH_EVERY = timedelta(minutes=1)


def hash_key(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def issue(token: ApiToken, created_by) -> str:
    """Give an unsaved token row a new key and save it; returns the key itself (the
    only time it exists in clear: only its hash is stored)."""
    key = PREFIX + secrets.token_urlsafe(32)
    token.key_hash = hash_key(key)
    token.prefix = key[:8]
    token.created_by = created_by
    token.save()
    return key


def create_token(name: str, created_by) -> tuple[ApiToken, str]:
    """A new token row and the token itself."""
    token = ApiToken(name=name)
    return token, issue(token, created_by)


def token_for_key(key: str) -> ApiToken | None:
    """The live token with this key, or None (unknown or revoked)."""
    token = ApiToken.objects.filter(key_hash=hash_key(key), revoked=False).first()
    if token is not None:
        now = timezone.now()
        if token.last_used_at is None or now - token.last_used_at > TOUCH_EVERY:
            ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
            token.last_used_at = now
    return token
