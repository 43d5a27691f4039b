"""Whether this node can serve: what a load balancer's or a monitor's health check asks (GET /api/health)."""

import logging

from django.db import DatabaseError, connection

log = logging.getLogger(__name__)


def database_answers() -> bool:
    """Whether the database answers a trivial query (why not is logged, not told: the check is public)."""
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except DatabaseError:
        log.exception("health check: the database does not answer")
        return False
    return True
