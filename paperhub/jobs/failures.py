"""A job's described failure, and the log line it makes. Free of models: logging is configured before apps load."""

import logging

from paperhub.core.failures import DescribedFailure


class JobFailed(DescribedFailure):
    """A task stopped with an error (its message says why; `paperhub jobs status` shows it)."""


class FailedJobLine(logging.Filter):
    """django-tasks logs every failed task with its traceback. A DescribedFailure (a JobFailed, a MailNotSent) is a
    failure the job described (arXiv unreachable, say: under `make run` offline, every fetch; the mail server down,
    every try), where a traceback only hides the reason: its record becomes one line with the message (500
    characters at most). Other exceptions keep their traceback."""

    def filter(self, record: logging.LogRecord) -> bool:
        failure = record.exc_info[1] if record.exc_info else None
        if isinstance(failure, DescribedFailure):
            reason = "; ".join(line.strip() for line in str(failure).splitlines() if line.strip())
            record.msg, record.args = f"{record.getMessage()}: {reason[:500]}", ()
            record.exc_info, record.exc_text = None, None
        return True
