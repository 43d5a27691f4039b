"""Whether the database holds the hub's tables: a mistake of the operator's, said in one line (cli.py), never taken
for an empty hub."""

from django.db import DatabaseError, connection

NO_TABLES = "the database has no paperhub tables yet: run `paperhub migrate`"


def unmigrated() -> str:
    """What is missing from a database that lacks the hub's tables, or "" when it has them all."""
    from django.db.migrations.executor import MigrationExecutor

    try:
        if "django_migrations" not in connection.introspection.table_names():
            return NO_TABLES
        executor = MigrationExecutor(connection)
        pending = executor.migration_plan(executor.loader.graph.leaf_nodes())
    except DatabaseError:  # the database cannot be asked either: the first error is the one to show
        return ""
    return f"the database lacks {len(pending)} of paperhub's migrations: run `paperhub migrate`" if pending else ""


def require_tables() -> None:
    """Raise DatabaseError (exit 2, NO_TABLES: cli.py) on a database never migrated, for a command that may answer
    from this node's files alone (search, keywords, the map, recommendations): it said "0 results" there. Only the
    cheap look (a list of tables, not the migration graph's 0.2 s); a database that cannot be asked is left to the
    command."""
    try:
        tables = connection.introspection.table_names()
    except DatabaseError:
        return
    if "django_migrations" not in tables:
        raise DatabaseError(NO_TABLES)
