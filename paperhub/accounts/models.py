"""An account's proved email address."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class VerifiedAddress(models.Model):
    """The address its account's owner proved they read, by following the link mailed to it.

    The address counts only while the account still has it; one verified account per address, so resets and
    digests' personal parts go to exactly one account.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="verified_address")
    email = models.EmailField(max_length=254, unique=True)  # stored lowercased
    verified_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"


class UsernameShape(models.Model):
    """One way an account's username can look (names.shapes), so a look-alike is one indexed lookup away.

    A shape belongs to one account: the names the sign-up check lets in never share one, so the database refuses
    the second of two look-alike sign-ups at the same moment. (A look-alike made by staff, or older than this table,
    leaves the shape with the first account.)
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="username_shapes")
    # A stored username is NFKC and at most 150 characters; its upper-case and case-folded forms at most 3 times
    # as long ("ΰ" is 3 characters in upper case).
    shape = models.CharField(max_length=450, unique=True)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.shape}"


class PendingAddress(models.Model):
    """A new address an account asked to change to, waiting for its owner to follow the link mailed to it.

    Until then the account keeps its current address (and, if verified, its password resets and digests go
    there): a typo, or someone else at a logged-in keyboard, cannot move them to an address nobody proved.
    """

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="pending_address")
    email = models.EmailField(max_length=254)
    requested_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user_id}: {self.email}"
