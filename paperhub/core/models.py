"""API tokens (only their hash is stored) and rate-limit counters."""

from django.conf import settings
from django.db import models
from django.utils import timezone


class ApiToken(models.Model):
    """A user's token for the API's writes; the secret is shown once and stored as its sha256."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=100)
    digest = models.CharField(max_length=64, unique=True)
    prefix = models.CharField(max_length=12)  # the first characters, so a user can tell tokens apart
    created_at = models.DateTimeField(default=timezone.now)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        db_table = "api_apitoken"  # made by the api app before the core existed

    def __str__(self) -> str:
        return f"{self.user_id}: {self.name} ({self.prefix}…)"


class RateWindow(models.Model):
    """Requests counted for one client in one fixed window of time."""

    client = models.CharField(max_length=120)
    started = models.BigIntegerField()  # the window's start, seconds since the epoch
    count = models.PositiveIntegerField(default=0)

    class Meta:
        db_table = "api_ratewindow"
        constraints = [models.UniqueConstraint(fields=["client", "started"], name="ratewindow_unique")]

    def __str__(self) -> str:
        return f"{self.client} @ {self.started}: {self.count}"
