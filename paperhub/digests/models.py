"""Digest subscriptions by email address, and one delivery row per subscriber and period."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone

from paperhub.community.models import Collection

FREQUENCIES = [("daily", "Daily"), ("weekly", "Weekly")]


class Subscription(models.Model):
    """An email address that asked for digests; it receives them once confirmed (double opt-in). With a
    collection, a list address its owner subscribed to what is added to that collection (docs/digests.md)."""

    email = models.EmailField(max_length=254)  # stored lowercased; unique per collection (none: the hub's digest)
    frequency = models.CharField(max_length=8, choices=FREQUENCIES, default="daily")
    created_at = models.DateTimeField(default=timezone.now)
    confirmed_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)
    collection = models.ForeignKey(Collection, null=True, blank=True, on_delete=models.CASCADE,
                                   related_name="mailings")  # deleting the collection ends its subscriptions
    subscribed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                      related_name="+")  # the curator who asked (a private collection: its owner)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["email"], condition=Q(collection__isnull=True), name="subscription_once"),
            models.UniqueConstraint(fields=["collection", "email", "frequency"], condition=Q(collection__isnull=False),
                                    name="list_subscription_once"),
        ]

    def __str__(self) -> str:
        return f"{self.email} ({self.frequency})"

    @property
    def active(self) -> bool:
        return self.confirmed_at is not None and self.unsubscribed_at is None


class Delivery(models.Model):
    """One subscriber's digest for one period: the unique row that makes sending happen at most once."""

    PENDING, SENDING, SENT, FAILED, GAVE_UP = "pending", "sending", "sent", "failed", "gave_up"
    SKIPPED = "skipped"  # nothing new for this subscriber in the period: no mail (an empty digest is noise)
    STATUSES = [(s, s) for s in (PENDING, SENDING, SENT, FAILED, GAVE_UP, SKIPPED)]

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    period = models.CharField(max_length=32)  # "daily:2026-11-24", "weekly:2026-W48"
    status = models.CharField(max_length=8, choices=STATUSES, default=PENDING)
    attempts = models.PositiveIntegerField(default=0)
    claimed_at = models.DateTimeField(null=True, blank=True)
    claimed_by = models.CharField(max_length=120, blank=True)  # "host:pid" of the sender holding the claim
    next_attempt_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    last_error = models.TextField(blank=True)
    message_id = models.CharField(max_length=200, blank=True)

    class Meta:
        verbose_name_plural = "deliveries"
        constraints = [models.UniqueConstraint(fields=["subscription", "period"], name="delivery_once")]
        indexes = [models.Index(fields=["period", "status", "next_attempt_at"], name="delivery_queue")]

    def __str__(self) -> str:
        return f"{self.period} -> {self.subscription_id}: {self.status}"
