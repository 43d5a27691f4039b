"""Secrets the hub must use again later (a user's Zotero key), stored sealed: Fernet (AES-128-CBC with an
HMAC-SHA256, from `cryptography`) under keys derived from SECRET_KEY by HKDF.

Rotation: put the old key in PAPERHUB_SECRET_KEY_FALLBACKS and a new one in PAPERHUB_SECRET_KEY; a sealed value
opens under either, and reseal() (run at every use) moves it to the new key. Once every value has been used, drop
the fallback.
"""

import base64

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings

_PURPOSE = b"paperhub sealed secrets v1"  # a distinct derivation: these keys sign nothing else


class Unreadable(ValueError):
    """A sealed value that no current or fallback key opens (the secret key changed without a fallback)."""


def _fernet(secret_key: str) -> Fernet:
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=_PURPOSE).derive(secret_key.encode())
    return Fernet(base64.urlsafe_b64encode(derived))


def _keys() -> MultiFernet:
    return MultiFernet([_fernet(key) for key in (settings.SECRET_KEY, *settings.SECRET_KEY_FALLBACKS)])


def seal(secret: str) -> str:
    """The secret, encrypted and authenticated under the current key."""
    return _keys().encrypt(secret.encode()).decode()


def unseal(sealed: str) -> str:
    """The secret back; raises Unreadable when no key opens it."""
    try:
        return _keys().decrypt(sealed.encode()).decode()
    except InvalidToken:
        raise Unreadable("this secret was sealed under a key the hub no longer has") from None


def reseal(sealed: str) -> str:
    """The same secret sealed under the current key (unchanged in meaning; raises Unreadable like unseal)."""
    try:
        return _keys().rotate(sealed.encode()).decode()
    except InvalidToken:
        raise Unreadable("this secret was sealed under a key the hub no longer has") from None
