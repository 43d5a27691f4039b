"""Django's sendtestemail, saying on success what was sent where (Django's says nothing)."""

import smtplib
from typing import Any

from django.conf import settings
from django.core.management.base import CommandError
from django.core.management.commands import sendtestemail

from paperhub.core import mail


class Command(sendtestemail.Command):
    def handle(self, *args: Any, **kwargs: Any) -> None:
        to = [*kwargs["email"], *(["the site's managers"] if kwargs["managers"] and settings.MANAGERS else []),
              *(["the site's admins"] if kwargs["admins"] and settings.ADMINS else [])]  # both empty unless set
        if not to:  # Django's would send nothing and say nothing
            raise CommandError("name an address to send the test message to: paperhub sendtestemail you@example.org "
                               "(the hub sets no MANAGERS or ADMINS for --managers or --admins)")
        try:
            super().handle(*args, **kwargs)
        except (OSError, smtplib.SMTPException) as error:  # one line naming the server, not a traceback
            raise CommandError(f"could not send through {mail.destination()}: {error}") from error
        self.stdout.write(f"Sent a test message to {', '.join(to)} through {mail.destination()}.")
