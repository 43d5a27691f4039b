"""Failures a task describes in words. Free of models: logging is configured before apps load."""


class DescribedFailure(Exception):
    """A failure whose message says all there is to say (arXiv unreachable, the mail server down): the worker logs
    it as one line and `paperhub jobs status` shows its message, without a traceback (jobs/failures.py)."""
