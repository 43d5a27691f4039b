"""An SMTP connection that reports the instant a message is handed over, for the sender's journal.

A server accepts a message when it reads the final "." of DATA; its "250" comes a round trip later. A sender
killed between the two cannot know the message arrived, and would send it again. So the journal is written
the moment the final "." has been written to the socket (one system call later), not when the reply comes:
the only remaining gap is between those two calls, microseconds instead of a round trip.
"""

import smtplib
from collections.abc import Callable

from django.core.mail import EmailMessage
from django.core.mail.backends.smtp import EmailBackend


class HandOverSMTP(smtplib.SMTP):
    """smtplib.SMTP calling `handed_over()` right after sending a message's final dot, before reading the reply."""

    handed_over: Callable[[], None] | None = None

    def data(self, msg: bytes | str) -> tuple[int, bytes]:  # type: ignore[override]
        """smtplib.SMTP.data, with the hand-over callback between the final dot and the server's reply."""
        self.putcmd("data")
        code, reply = self.getreply()
        if code != 354:
            raise smtplib.SMTPDataError(code, reply)
        if isinstance(msg, str):
            msg = smtplib._fix_eols(msg).encode("ascii")  # type: ignore[attr-defined]
        body = smtplib._quote_periods(msg)  # type: ignore[attr-defined]
        if body[-2:] != smtplib.bCRLF:
            body += smtplib.bCRLF
        self.send(body + b"." + smtplib.bCRLF)
        if self.handed_over is not None:
            self.handed_over()
        return self.getreply()


class HandOverBackend(EmailBackend):
    """Django's SMTP backend over HandOverSMTP (STARTTLS and authentication as configured)."""

    @property
    def connection_class(self) -> type[smtplib.SMTP]:
        return smtplib.SMTP_SSL if self.use_ssl else HandOverSMTP

    def send_handing_over(self, message: EmailMessage, handed_over: Callable[[], None]) -> bool:
        """Send one message, calling `handed_over` as soon as the server has it (see HandOverSMTP)."""
        self.open()
        connection = self.connection
        if isinstance(connection, HandOverSMTP):
            connection.handed_over = handed_over
            try:
                return bool(self.send_messages([message]))
            finally:
                connection.handed_over = None
        sent = bool(self.send_messages([message]))  # implicit TLS: known only once the server replies
        if sent:
            handed_over()
        return sent
