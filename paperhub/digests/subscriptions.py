"""Subscribing by email alone: double opt-in and one-click unsubscribe, both through signed tokens.

A token is signed, not encrypted: anyone who sees the link (proxy and server logs, browser history, a mail
gateway that rewrites links) can read what it holds. So it holds the subscription's id and a short keyed digest
of its address, never the address: the digest still makes the token die when the address changes.
"""

from typing import Any, NamedTuple

from django.conf import settings
from django.contrib.auth import models as auth
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task

from paperhub.accounts import services as accounts
from paperhub.community import curation
from paperhub.community.models import Collection
from paperhub.core import caps, mail
from paperhub.core.addresses import link
from paperhub.core.converters import asked_number
from paperhub.core.permissions import User
from paperhub.digests.models import FREQUENCIES, Subscription
from paperhub.papers.citation import plain_line

CONFIRM_SALT = "paperhub.digests.confirm"
UNSUBSCRIBE_SALT = "paperhub.digests.unsubscribe"
CONFIRM_MAX_AGE = 7 * 86400
ADDRESS_SALT = "paperhub.digests.address"


class SubscriptionError(ValueError):
    """A bad address, frequency or token, with a message for the person."""


def _token_data(subscription: Subscription) -> dict[str, Any]:
    return {"id": subscription.pk, "a": mail.address_digest(subscription.email, ADDRESS_SALT)}


def confirm_token(subscription: Subscription, frequency: str = "") -> str:
    """The confirmation link's token; with a frequency, confirming it also switches the digest to that one."""
    data = _token_data(subscription)
    return signing.dumps({**data, "frequency": frequency} if frequency else data, salt=CONFIRM_SALT)


def unsubscribe_token(subscription: Subscription) -> str:
    """Never expires: an unsubscribe link in an old digest must still work."""
    return signing.dumps(_token_data(subscription), salt=UNSUBSCRIBE_SALT)


def _from_token(token: str, salt: str, max_age: int | None) -> tuple[Subscription, dict[str, Any]]:
    try:
        data = signing.loads(token, salt=salt, max_age=max_age)
    except signing.SignatureExpired:
        raise SubscriptionError("This link has expired: subscribe again to get a new one.") from None
    except signing.BadSignature:
        raise SubscriptionError("This link is not valid.") from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int):
        raise SubscriptionError("This link is not valid.")
    found = Subscription.objects.filter(pk=data["id"]).first()
    if found is None or not mail.link_names(data, found.email, ADDRESS_SALT):
        raise SubscriptionError("This subscription no longer exists.")
    return found, data


def clean_address(email: str) -> str:
    """An address as stored (trimmed, lowercased); SubscriptionError unless it is one that can be mailed."""
    email = (email or "").strip().lower()
    local, _, _ = email.rpartition("@")
    try:
        validate_email(email)
    except ValidationError:
        raise SubscriptionError("That does not look like an email address.") from None
    if len(email) > 254 or len(local) > 64:  # RFC 5321's limits: longer ones no mail server takes
        raise SubscriptionError("That address is too long to mail.")
    return email


def _asked(lookup: dict[str, Any], fields: dict[str, Any]) -> Subscription:
    """The subscription `lookup` names, made with `fields` if there was none; one that had unsubscribed comes back
    unconfirmed with `fields` (its address confirms again)."""
    try:
        with transaction.atomic():
            subscription, _ = Subscription.objects.get_or_create(**lookup, defaults=fields)
    except IntegrityError:  # the same address, at the same moment, from another request
        subscription = Subscription.objects.get(**lookup)
    if subscription.unsubscribed_at is not None:
        Subscription.objects.filter(pk=subscription.pk).update(unsubscribed_at=None, confirmed_at=None, **fields)
        subscription.refresh_from_db()
    return subscription


def confirms_at_once(email: str, by: User | None) -> bool:
    """Whether `by` (the signed-in user asking, if any) has verified `email`: its inbox's owner asks, so no mail."""
    return by is not None and by.is_authenticated and accounts.verified_user(email) == by


class Subscribed(NamedTuple):
    """A subscription asked for, and whether its address's owner asked (so it holds at once, with no mail)."""

    subscription: Subscription
    at_once: bool


def subscribe(email: str, frequency: str, base_url: str, by: User | None = None) -> Subscribed:
    """Ask for digests: stores the address unconfirmed and queues a mail with a confirmation link (idempotent);
    the address that `by` (a signed-in user) has verified subscribes at once, and changes frequency at once."""
    email = clean_address(email)
    if frequency not in dict(FREQUENCIES):
        raise SubscriptionError("Choose daily or weekly.")
    subscription = _asked({"email": email, "collection": None}, {"frequency": frequency})
    if confirms_at_once(email, by):  # asked once: the caller reads the answer from what this returns
        Subscription.objects.filter(pk=subscription.pk).update(
            frequency=frequency, confirmed_at=subscription.confirmed_at or timezone.now())
        subscription.refresh_from_db()
        return Subscribed(subscription, True)
    if subscription.confirmed_at is None and subscription.frequency != frequency:
        Subscription.objects.filter(pk=subscription.pk).update(frequency=frequency)
        subscription.refresh_from_db()
    if subscription.confirmed_at is None:
        send_confirmation.enqueue(subscription.pk, base_url)  # mail goes from the queue, never from a request
    elif subscription.frequency != frequency:  # anyone can type an address: the inbox's owner confirms a change
        send_confirmation.enqueue(subscription.pk, base_url, frequency)
    return Subscribed(subscription, False)


def _stop(**which: Any) -> int:
    """Stop the running subscriptions `which` names (the first stop's time kept: idempotent); how many."""
    return Subscription.objects.filter(**which, unsubscribed_at__isnull=True).update(unsubscribed_at=timezone.now())


def own_address(user: User) -> str:
    """The user's verified address as stored, or "": the one address whose digest their settings show and change."""
    if not isinstance(user, auth.User) or not user.is_active or not accounts.is_verified(user):
        return ""
    return user.email.strip().lower()


def digest_at(email: str) -> Subscription | None:
    """The hub's digest of an address (not a collection's), confirmed or waiting for its link; None once stopped."""
    if not email:
        return None
    return Subscription.objects.filter(email=email.strip().lower(), collection=None,
                                       unsubscribed_at__isnull=True).first()


def _own_or_refuse(user: User) -> str:
    address = own_address(user)
    if not address:  # a digest goes to an address its reader proved: never one an account merely names
        raise SubscriptionError("Verify your email address first: your digest goes to the address you proved.")
    return address


def set_own_digest(user: User, frequency: str, base_url: str) -> Subscription:
    """Start the digest of the user's verified address, or change its frequency: at once, with no mail (they proved
    they read it); SubscriptionError without a verified address or for a frequency that is not one."""
    return subscribe(_own_or_refuse(user), frequency, base_url, by=user).subscription


def stop_own_digest(user: User) -> bool:
    """Stop the digest of the user's verified address (as its mail's unsubscribe link does); False if none ran."""
    return _stop(email=_own_or_refuse(user), collection=None) == 1


def subscribe_list(curator: User, collection: Collection, email: str, frequency: str,
                   base_url: str) -> Subscription:
    """The collection's owner mails what is added to it to an address (a mailing list): stored unconfirmed, and a
    confirmation link goes to that address (idempotent; owners only: they alone decide who sees a collection)."""
    curation.require_owner(curator, collection)
    if not accounts.is_verified(collection.owner):  # else anyone could have the hub mail their words to any address
        raise SubscriptionError("Verify your email address first (your account page sends the link): only then "
                                "can you mail a collection to a list.")
    email = clean_address(email)
    if frequency not in dict(FREQUENCIES):
        raise SubscriptionError("Choose daily or weekly.")
    most = settings.PAPERHUB_COLLECTION_MAILINGS_MAX
    with caps.owner_locked(Collection, collection.pk):  # two asks at once cannot both take the last address
        mailings = Subscription.objects.filter(collection=collection, unsubscribed_at__isnull=True)
        if not mailings.filter(email=email, frequency=frequency).exists() and mailings.count() >= most:
            raise SubscriptionError(f"This collection is mailed to {most} addresses already: end one first.")
        subscription = _asked({"email": email, "collection": collection, "frequency": frequency},
                              {"subscribed_by_id": curator.pk})
    if subscription.confirmed_at is None:
        send_confirmation.enqueue(subscription.pk, base_url)
    return subscription


def list_subscriptions(collection: Collection) -> list[Subscription]:
    """The addresses a collection is mailed to (or waits to be, unconfirmed), not those that unsubscribed."""
    return list(Subscription.objects.filter(collection=collection, unsubscribed_at__isnull=True)
                .order_by("email", "frequency"))


def end_list_subscription(curator: User, collection: Collection, subscription_id: str) -> bool:
    """The owner stops mailing the collection to one address; False when there was no such subscription."""
    curation.require_owner(curator, collection)
    pk = asked_number(subscription_id)
    if pk is None:
        return False
    return _stop(pk=pk, collection=collection) == 1


@task(**mail.TASK)
def send_confirmation(subscription_id: int, base_url: str, frequency: str = "", attempt: int = 1) -> dict[str, Any]:
    """Mail the confirmation link of a subscription still waiting for one, or of a change of frequency (a send
    that fails on an unreachable server is tried again later: core/mail.py)."""
    subscription = Subscription.objects.filter(pk=subscription_id, unsubscribed_at__isnull=True).first()
    if subscription is None or (subscription.confirmed_at is not None
                                and frequency in ("", subscription.frequency)):
        return {"sent": 0}  # unsubscribed, gone, or confirmed (as asked) since it was queued
    address = link(base_url, "digest_confirm", confirm_token(subscription, frequency))
    wanted = dict(FREQUENCIES).get(frequency) or subscription.get_frequency_display()
    context = {"link": address, "frequency": wanted.lower(), "change": subscription.confirmed_at is not None,
               "collection": subscription.collection,
               "title": plain_line(subscription.collection.title, tex=False) if subscription.collection else ""}
    # an owner's title goes in the body only, quoted: a Subject is what a list and its filters show unopened
    subject = "Confirm a paperhub collection's digest" if context["title"] else "Confirm your paperhub digest"
    message = mail.message(subject, render_to_string("digests/confirm.txt", context), [subscription.email])
    mail.send_or_retry(message.send, send_confirmation, subscription_id, base_url, frequency, attempt=attempt)
    return {"sent": 1}


def to_confirm(token: str) -> tuple[Subscription, str]:
    """The subscription a confirmation link confirms and the frequency it will have, without confirming it (its
    page names both before the button); SubscriptionError as confirm raises it."""
    subscription, data = _from_token(token, CONFIRM_SALT, CONFIRM_MAX_AGE)
    if subscription.unsubscribed_at is not None:
        raise SubscriptionError("This address has unsubscribed since: subscribe again.")
    frequency = data.get("frequency")
    return subscription, frequency if frequency in dict(FREQUENCIES) else subscription.frequency


def confirm(token: str) -> Subscription:
    """The second step of the opt-in (or of a change of frequency)."""
    subscription, frequency = to_confirm(token)
    if subscription.confirmed_at is None:
        Subscription.objects.filter(pk=subscription.pk).update(confirmed_at=timezone.now())
    if frequency != subscription.frequency:
        Subscription.objects.filter(pk=subscription.pk).update(frequency=frequency)
    subscription.refresh_from_db()
    return subscription


def unsubscribe(token: str) -> Subscription:
    """Stop the digests of the address the token was made for (idempotent, no login)."""
    subscription, _ = _from_token(token, UNSUBSCRIBE_SALT, None)
    _stop(pk=subscription.pk)
    subscription.refresh_from_db()
    return subscription
