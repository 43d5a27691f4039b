"""Logs without secrets: the tokens some URLs carry (private feeds, digest and email links, password resets,
feedback) and credentials are cut out of every log line before it is written."""

import logging
import re

#: Paths whose last part is a secret: everything after the prefix, up to a query, a space or a quote, goes.
_SECRET_PATH = re.compile(
    r"(/(?:feeds/for-you|digests/confirm|digests/unsubscribe|accounts/reset|accounts/verify"
    r"|for-you/feedback)/)[^\s?\"']+"
)
#: Query parameters and headers that carry credentials.
_SECRET_PARAM = re.compile(r"((?:token|key|signature|password)=)[^&\s\"']+", re.I)
_AUTHORIZATION = re.compile(r"((?:Authorization|Cookie)[\"']?\s*[:=]\s*[\"']?)[^\"'\n]+", re.I)
REDACTED = "[redacted]"
#: This process's part in the hub, on each of its log lines: the paperhub command it runs (serve, worker, index...),
#: set by paperhub.cli; the processes of one hub write to one stream, and their lines would mix unattributed.
ROLE = "paperhub"


def redact(text: str) -> str:
    """`text` with every secret token in a URL, query or credential header replaced by [redacted]."""
    text = _SECRET_PATH.sub(rf"\1{REDACTED}", text)
    text = _SECRET_PARAM.sub(rf"\1{REDACTED}", text)
    return _AUTHORIZATION.sub(rf"\1{REDACTED}", text)


class RedactSecrets(logging.Filter):
    """A logging filter that redacts each record's message (Django's request and server logs carry paths)."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, ()
        return True


class ProcessRole(logging.Filter):
    """A logging filter that gives each record the process's role (ROLE), for the format's %(role)s."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.role = ROLE
        return True


class RefusedRequestLine(logging.Filter):
    """Django logs each request it refuses as suspicious (answered 400: a Host outside ALLOWED_HOSTS, too many
    fields or files, a body over its limit) at ERROR with a traceback, one per scanner's probe: it becomes one
    WARNING line, which still says what was refused (the host, so an operator sees a misconfigured
    PAPERHUB_ALLOWED_HOSTS or PAPERHUB_BASE_URL) without tracebacks burying the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.levelno, record.levelname = logging.WARNING, logging.getLevelName(logging.WARNING)
        record.exc_info, record.exc_text, record.stack_info = None, None, None
        return logging.getLogger(record.name).isEnabledFor(logging.WARNING)


class UnreadableBodyLine(logging.Filter):
    """A body Django cannot parse (a malformed upload, answered 400) is logged by `django.request` with its
    traceback, one per probe: the line alone, as for the refusals above; every other record passes unchanged."""

    def filter(self, record: logging.LogRecord) -> bool:
        from django.http.multipartparser import MultiPartParserError  # (the settings load this module: Django later)

        if record.exc_info and isinstance(record.exc_info[1], MultiPartParserError):
            record.exc_info, record.exc_text, record.stack_info = None, None, None
        return True
