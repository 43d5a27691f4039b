"""Django's sendtestemail, saying on success what was sent where (Django's says nothing)."""

from typing import Any

from django.conf import settings
from django.core.management.commands import sendtestemail

from paperhub.core import mail


class Command(sendtestemail.Command):
    def handle(self, *args: Any, **kwargs: Any) -> None:
        super().handle(*args, **kwargs)
        to = [*kwargs["email"], *(["the site's managers"] if kwargs["managers"] and settings.MANAGERS else []),
              *(["the site's admins"] if kwargs["admins"] and settings.ADMINS else [])]  # both empty unless set
        said = ", ".join(to) or "no one (the hub sets no MANAGERS or ADMINS)"
        self.stdout.write(f"Sent a test message to {said} through {mail.destination()}.")
