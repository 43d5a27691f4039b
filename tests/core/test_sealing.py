"""Secrets sealed under the secret key: unreadable without it, readable through a rotation, resealed onto the new."""

import pytest

from paperhub.core.sealing import Unreadable, reseal, seal, unseal

SECRET = "P9NiFoyLeZu2bZNvvuQPDWsd"


def test_sealed_secrets_open_only_under_the_key(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "first-key", []
    sealed = seal(SECRET)
    assert SECRET not in sealed and seal(SECRET) != sealed  # a fresh IV each time
    assert unseal(sealed) == SECRET
    settings.SECRET_KEY = "another-key"
    with pytest.raises(Unreadable):
        unseal(sealed)


def test_rotation_keeps_old_secrets_readable_and_reseals_them(settings):
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "old-key", []
    sealed = seal(SECRET)
    settings.SECRET_KEY, settings.SECRET_KEY_FALLBACKS = "new-key", ["old-key"]
    assert unseal(sealed) == SECRET
    moved = reseal(sealed)
    settings.SECRET_KEY_FALLBACKS = []  # the fallback dropped: only resealed secrets still open
    assert unseal(moved) == SECRET
    with pytest.raises(Unreadable):
        unseal(sealed)
