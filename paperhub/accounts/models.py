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
