"""Accounts: which usernames may be taken (and the shapes they hold), creating accounts, proving an email
address, and the mails that need a proved one.

Mail is sent by tasks on the queue, never in the request: a request for a known address and one for an unknown
address do the same work (and so take the same time) and reveal nothing.
"""

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm
from django.contrib.auth.models import AnonymousUser, User
from django.core import signing
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult, get_date_max

from paperhub.accounts import names
from paperhub.accounts.models import PendingAddress, UsernameShape, VerifiedAddress
from paperhub.core import limits, mail
from paperhub.core.addresses import hub_root, link

log = logging.getLogger(__name__)

VERIFY_SALT = "paperhub.accounts.verify"
VERIFY_DAYS = 7


class AccountError(ValueError):
    """What the user asked cannot be done; the message says why."""


def _shapes_taken(looks: frozenset[str]) -> bool:
    return UsernameShape.objects.filter(shape__in=looks).exists()


def username_problem(name: str) -> str | None:
    """Why `name` may not be a new username (reserved, mixed scripts, like a taken one), or None."""
    return names.problem(name, _shapes_taken)


def record_shapes(user: User) -> None:
    """Store how the user's name can look, once it is created or renamed; a shape another account holds stays
    theirs (staff may make look-alikes; the sign-up check refuses them)."""
    looks, held = names.shapes(user.get_username()), own_shapes(user)
    if held - looks:
        UsernameShape.objects.filter(user=user).exclude(shape__in=looks).delete()
    UsernameShape.objects.bulk_create([UsernameShape(user=user, shape=shape) for shape in looks - held],
                                      ignore_conflicts=True)


def create_account(username: str, email: str, password: str) -> User:
    """A new account, its username checked and its shapes stored in one transaction; AccountError says why not
    (also when a look-alike signed up at the same moment: the first to store a shape keeps it)."""
    with transaction.atomic():
        problem = username_problem(username)
        if problem:
            raise AccountError(problem)
        try:
            with transaction.atomic():
                user = User.objects.create_user(username, email, password)  # post_save stores its shapes
        except IntegrityError:  # the same name, signed up at the same moment
            raise AccountError(names.TAKEN) from None
        if own_shapes(user) != names.shapes(user.get_username()):
            raise AccountError(names.TAKEN)
    return user


def own_shapes(user: User) -> frozenset[str]:
    """The shapes the user's account holds."""
    return frozenset(UsernameShape.objects.filter(user=user).values_list("shape", flat=True))


def verified_user(email: str) -> User | None:
    """The one active account that proved it reads `email`, or None."""
    email = (email or "").strip().lower()
    if not email:
        return None
    found = VerifiedAddress.objects.filter(email=email, user__is_active=True).select_related("user").first()
    return found.user if found is not None and found.user.email.strip().lower() == email else None


def is_verified(user: User) -> bool:
    """Whether the user's current address is the one they proved."""
    return bool(user.email) and verified_user(user.email) == user


def verify_token(user: User, email: str | None = None) -> str:
    """The secret part of a user's verification link: their id and a keyed digest of the address it proves (their
    current one unless given): never the address itself, which logs and browser history would keep."""
    address = (email or user.email).strip().lower()
    return signing.dumps({"id": user.pk, "a": mail.address_digest(address, VERIFY_SALT)}, salt=VERIFY_SALT)


def _proves(data: dict[str, Any], address: str) -> bool:
    """Whether a verification link's data was made for `address`, compared as verify_token writes it."""
    return mail.link_names(data, address.strip().lower(), VERIFY_SALT)


def pending_address(user: User) -> str:
    """The address the user asked to change to and has not proved yet, or ''."""
    found = PendingAddress.objects.filter(user=user).values_list("email", flat=True).first()
    return found or ""


def awaiting_proof(user: User, verified: bool | None = None) -> str:
    """The address a verification link should go to now: a pending new one, else the current one if it is not
    verified (`verified` when the caller already asked); '' when there is nothing to prove."""
    if verified is None:
        verified = is_verified(user)
    return pending_address(user) or ("" if not user.email or verified else user.email)


WRONG_PASSWORD = "That is not your current password."


class TooManyGuesses(AccountError):
    """The account's wrong passwords are over PAPERHUB_PASSWORD_GUESS_RATE; `wait`: the seconds until that ends."""

    def __init__(self, wait: int) -> None:
        super().__init__("Too many wrong passwords for this account.")
        self.wait = wait


def check_current_password(user: User, password: str) -> None:
    """Ask a signed-in account for its current password (changing its address or password): AccountError for a
    wrong one, which is counted; TooManyGuesses once the wrong ones go over PAPERHUB_PASSWORD_GUESS_RATE, for the
    right one too until that window ends (a session left open must not be a way to guess the password: axes
    counts logins only)."""
    rate = limits.parse_rate(settings.PAPERHUB_PASSWORD_GUESS_RATE)
    key = f"password:{user.pk}"
    # Counted before the hash is checked (a third of a second), so guesses sent at once are each counted, then
    # forgiven when right: otherwise all of a burst would pass the count before any was added to it.
    wait = limits.hit(key, rate) if rate is not None else 0
    if wait:
        raise TooManyGuesses(wait)
    if not user.check_password(password):
        raise AccountError(WRONG_PASSWORD)
    if rate is not None:
        limits.forgive(key, rate)


def change_email(user: User, email: str, password: str) -> bool:
    """Ask to change the account's address to `email` (a valid address, checked by the form); True when a link
    must now be sent to it. A verified address stays in force until the new one is proved (so a typo, or someone
    at a logged-in keyboard, cannot move password resets elsewhere); an unverified one is simply replaced. The
    current address again cancels a pending change. AccountError: a wrong password, or an address another account
    has verified."""
    check_current_password(user, password)
    email = email.strip()
    if email.lower() == user.email.strip().lower():
        PendingAddress.objects.filter(user=user).delete()
        return not is_verified(user)
    if VerifiedAddress.objects.filter(email=email.lower()).exclude(user=user).exists():
        raise AccountError("Another account has verified this address.")
    with transaction.atomic():
        if is_verified(user):
            PendingAddress.objects.update_or_create(user=user, defaults={"email": email,
                                                                         "requested_at": timezone.now()})
        else:
            PendingAddress.objects.filter(user=user).delete()
            user.email = email
            user.save(update_fields=["email"])
    return True


def _link_data(token: str) -> tuple[int, dict[str, Any]]:
    """The account id a verification link holds, and what names its address (_proves); AccountError if it is not
    one of ours or too old."""
    try:
        data = signing.loads(token, salt=VERIFY_SALT, max_age=VERIFY_DAYS * 86400)
    except signing.SignatureExpired:
        raise AccountError("This link has expired: log in and ask for a new one.") from None
    except (signing.BadSignature, ValueError, TypeError):
        raise AccountError("This link is not valid.") from None
    if not isinstance(data, dict) or not isinstance(data.get("id"), int) or not (
            isinstance(data.get("a"), str) or isinstance(data.get("email"), str)):
        raise AccountError("This link is not valid.")
    return data["id"], data


def link_address(token: str, viewer: User | AnonymousUser) -> str:
    """The address a verification link was sent to, when it is the signed-in `viewer`'s own link; else '' (a
    link forwarded, or opened in another account's session, names nobody's address)."""
    try:
        user_id, data = _link_data(token)
    except AccountError:
        return ""
    if not viewer.is_authenticated or user_id != viewer.pk:
        return ""
    # Shown as the user wrote it, where it is still theirs (an address no longer theirs: the link cannot say).
    return next((a for a in (viewer.email, pending_address(viewer)) if _proves(data, a)), "")


def masked(email: str) -> str:
    """An address with its name hidden but the first letter (n***@example.org): enough for its owner to know
    it, too little for whoever reads another mailbox to write to it."""
    name, at, domain = email.strip().rpartition("@")
    return f"{name[:1]}***@{domain}" if at else "***"


def verify(token: str, base_url: str = "") -> User:
    """Mark the address in a verification link as proved; AccountError if the link is bad or the address is
    already another account's. When it proves a new address, the old verified one is told (a mail from the
    queue, with links under `base_url`, PAPERHUB_BASE_URL unless given)."""
    user_id, data = _link_data(token)
    user = User.objects.filter(pk=user_id, is_active=True).first()
    current = user is not None and _proves(data, user.email)
    pending = pending_address(user) if user is not None else ""  # read once: the one this link proves
    if user is None or not (current or _proves(data, pending)):
        raise AccountError("This link is for an address the account no longer has.")
    email = (user.email if current else pending).strip().lower()
    old, old_verified = user.email, is_verified(user)
    try:
        with transaction.atomic():
            VerifiedAddress.objects.update_or_create(user=user, defaults={"email": email})
            if not current:  # the pending new address, proved: it replaces the old one
                user.email = pending
                user.save(update_fields=["email"])
                PendingAddress.objects.filter(user=user).delete()
    except IntegrityError:
        raise AccountError("Another account has already verified this address.") from None
    if not current and old_verified:
        send_address_changed.enqueue(user.pk, old, masked(pending), timezone.now().isoformat(),
                                     base_url or hub_root())
    return user


def queue_verification(user: User, base_url: str) -> None:
    """Mail the user a link that proves their address (from the queue)."""
    send_verification.enqueue(user.pk, base_url)


@dataclass(frozen=True)
class MailState:
    """How the latest verification mail of an account fared: `state` is sending, retrying (a try failed, the
    next is at `at`), sent (at `at`), or failed (every try, or refused for good)."""

    state: str
    at: datetime | None = None


def verification_mail(user: User) -> MailState | None:
    """The fate of the user's latest verification mail, read from its task (None: none asked for lately; finished
    tasks are pruned after PAPERHUB_TASK_KEEP_DAYS)."""
    latest = (DBTaskResult.objects.filter(task_path=send_verification.module_path, args_kwargs__args__0=user.pk)
              .only("status", "enqueued_at", "run_after", "finished_at")  # not tracebacks and return values
              .order_by("-enqueued_at").first())
    if latest is None:
        return None
    if latest.status == TaskResultStatus.FAILED:
        return MailState("failed", latest.finished_at)
    if latest.status == TaskResultStatus.SUCCESSFUL:
        return MailState("sent", latest.finished_at)
    if latest.status == TaskResultStatus.READY and timezone.now() < latest.run_after < get_date_max():
        return MailState("retrying", latest.run_after)  # queued again after a failed try (core/mail.py)
    return MailState("sending", latest.enqueued_at)


def queue_password_reset(email: str, base_url: str) -> None:
    """Mail a reset link to the account that proved `email`, if there is one (from the queue)."""
    send_password_reset.enqueue(email, base_url)


@task(**mail.TASK)
def send_verification(user_id: int, base_url: str, attempt: int = 1) -> dict[str, Any]:
    """Mail a user the link that proves their address (tried again later if the mail server is unreachable)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    address = awaiting_proof(user) if user is not None else ""
    if user is None or not address:
        return {"sent": 0}
    context = {"user": user, "link": link(base_url, "verify_email", verify_token(user, address)),
               "days": VERIFY_DAYS, "change": address == pending_address(user), "old": user.email}
    mail.send_or_retry(lambda: mail.message("Verify your paperhub address",
                                            render_to_string("registration/verify_email.txt", context),
                                            [address]).send(),
                       send_verification, user_id, base_url, attempt=attempt)
    return {"sent": 1}


class _VerifiedResetForm(PasswordResetForm):
    """Django's reset mail, to the one account that proved the address (never to every account with it)."""

    def get_users(self, email: str) -> list[User]:
        user = verified_user(email)
        return [user] if user is not None and user.has_usable_password() else []

    def send_mail(self, subject_template_name: str, email_template_name: str, context: dict[str, Any],
                  from_email: str | None, to_email: str, html_email_template_name: str | None = None) -> None:
        """Send as the hub's other mail (core/mail.py: from DEFAULT_FROM_EMAIL, its headers), and let a failure
        through: Django logs it and returns, and the task that asked would report the mail sent and never try
        again."""
        subject = "".join(render_to_string(subject_template_name, context).splitlines())
        mail.message(subject, render_to_string(email_template_name, context), [to_email]).send()


@task(**mail.TASK)
def send_password_reset(email: str, base_url: str, attempt: int = 1) -> dict[str, Any]:
    """Mail a password reset link to the account that proved `email`; nothing for any other address."""
    form = _VerifiedResetForm({"email": email})
    if not form.is_valid():
        return {"sent": 0}
    scheme, _, domain = base_url.partition("://")
    users = form.get_users(form.cleaned_data["email"])
    mail.send_or_retry(lambda: form.save(
        domain_override=domain, use_https=scheme == "https",
        subject_template_name="registration/reset_subject.txt", email_template_name="registration/reset_email.txt",
        extra_email_context={"days": str(max(1, settings.PASSWORD_RESET_TIMEOUT // 86400)), "hub": base_url}),
        send_password_reset, email, base_url, attempt=attempt)
    return {"sent": len(users)}


@task(**mail.TASK)
def send_address_changed(user_id: int, old: str, new_masked: str, changed_at: str, base_url: str,
                         attempt: int = 1) -> dict[str, Any]:
    """Tell an account's old verified address that the account's address changed (to `new_masked`, at
    `changed_at`), and what to do if its owner did not change it."""
    user = User.objects.filter(pk=user_id).first()
    if user is None:
        return {"sent": 0}
    context = {"user": user, "new": new_masked, "when": datetime.fromisoformat(changed_at), "hub": base_url,
               "login": link(base_url, "login"), "password": link(base_url, "password_change"),
               "email_page": link(base_url, "email_address")}
    mail.send_or_retry(lambda: mail.message("Your paperhub address changed",
                                            render_to_string("registration/address_changed.txt", context),
                                            [old]).send(),
                       send_address_changed, user_id, old, new_masked, changed_at, base_url, attempt=attempt)
    return {"sent": 1}
