"""The campaign page's own masking of the CSRF token (``idea_cards.request_token``)
gives what Django's ``get_token`` gives: a fresh mask each time over the same secret,
which Django's middleware accepts."""

from django.middleware.csrf import _unmask_cipher_token, get_token
from django.test import RequestFactory

from conversations.idea_cards import request_token


def test_each_request_gets_a_new_mask_over_the_cookie_secret():
    secret = "a" * 16 + "Z" * 8 + "0123456789"[:8]
    tokens = set()
    for _ in range(50):
        request = RequestFactory().get("/")
        request.META["CSRF_COOKIE"] = secret
        token = request_token(request)
        assert request_token(request) == token  # masked once per request
        assert len(token) == 64 and token.isalnum()
        assert _unmask_cipher_token(token) == secret
        assert request.META["CSRF_COOKIE_NEEDS_UPDATE"]  # the cookie is renewed
        tokens.add(token)
    assert len(tokens) == 50


def test_without_a_cookie_a_secret_is_made_as_django_makes_it():
    request = RequestFactory().get("/")
    token = request_token(request)
    assert _unmask_cipher_token(token) == request.META["CSRF_COOKIE"]
    assert _unmask_cipher_token(get_token(request)) == request.META["CSRF_COOKIE"]
