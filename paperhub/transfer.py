"""Moving a hub to another database (SQLite to PostgreSQL, or back): every table copied row for row.

The target is migrated first and must hold no data of its own. Tables are copied in foreign-key order, a
batch per transaction, resuming after the highest key already copied, so a killed transfer is simply run
again. Content types and permissions are taken from the source, so every reference to them stays valid.
Afterwards sequences are moved past the copied keys and each table's row count is compared. Search
indexes are not copied: they are derived, and `paperhub index rebuild` makes them from the new database.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import dj_database_url
from django.apps import apps
from django.conf import settings
from django.core.management.color import no_style
from django.db import DatabaseError, connection, connections, models, transaction
from django.db.migrations.recorder import MigrationRecorder

SOURCE = "transfer_source"
Progress = Callable[[str, int], None]


class TransferError(Exception):
    """The transfer cannot start (or finish) safely; the message says why and what to do."""


class SourceUnreadable(DatabaseError):
    """The source's database failed as it was first read; `database` is its NAME (the file, for SQLite), so that
    the operator's one line (cli.py) names it rather than the hub's own database."""

    def __init__(self, error: DatabaseError, database: str) -> None:
        super().__init__(*error.args)
        self.database = database


@dataclass
class TableCopy:
    """One table: rows in the source, rows in the target afterwards."""

    table: str
    source: int
    target: int


def _open_source(url: str) -> None:
    if "://" not in url:  # a plain path: a SQLite file, the usual source
        url = f"sqlite:///{Path(url).resolve()}"
    try:
        config = dj_database_url.parse(url)
    except ValueError as exc:  # UnknownSchemeError among them
        raise TransferError(f"--from: not a database URL ({exc}); e.g. sqlite:////srv/hub/var/paperhub.sqlite3 "
                            "or postgres://user@host/name") from None
    if config["ENGINE"] == "django.db.backends.sqlite3":
        if not Path(config["NAME"]).is_file():  # SQLite would make an empty one, and report no hub in it
            raise TransferError(f"--from: no such SQLite file: {config['NAME']}")
        config["OPTIONS"] = {"init_command": "PRAGMA busy_timeout=30000"}
    default = settings.DATABASES["default"]
    if config["ENGINE"] == default["ENGINE"] and config["NAME"] == default["NAME"] \
            and config.get("HOST") == default.get("HOST") and config.get("PORT") == default.get("PORT"):
        raise TransferError("the source is the hub's own database (DATABASE_URL): nothing to move")
    config = {**connections.settings["default"], **config, "TEST": {}}
    connections.settings[SOURCE] = config
    settings.DATABASES[SOURCE] = config


def _close_source() -> None:
    if SOURCE in connections.settings:
        connections[SOURCE].close()
        del connections.settings[SOURCE]
        settings.DATABASES.pop(SOURCE, None)


def in_dependency_order(all_models: list[type[models.Model]]) -> list[type[models.Model]]:
    """Models ordered so that every model comes after the models its foreign keys point to."""
    remaining = {m._meta.label: m for m in all_models}
    ordered: list[type[models.Model]] = []
    while remaining:
        ready = [m for m in remaining.values()
                 if all(f.related_model is m or f.related_model._meta.label not in remaining  # type: ignore[union-attr]
                        for f in m._meta.concrete_fields if f.is_relation)]
        if not ready:
            raise TransferError(f"foreign keys form a cycle among {sorted(remaining)}")
        for model in sorted(ready, key=lambda m: m._meta.label):
            ordered.append(model)
            del remaining[model._meta.label]
    return ordered


def _models() -> list[type[models.Model]]:
    found = [m for m in apps.get_models(include_auto_created=True)
             if m._meta.managed and not m._meta.proxy and m is not MigrationRecorder.Migration]
    return in_dependency_order(found)


def _applied(alias: str) -> set[tuple[str, str]]:
    return set(MigrationRecorder(connections[alias]).applied_migrations())


_REFERENCE = ("contenttypes.ContentType", "auth.Permission")


def _check(ordered: list[type[models.Model]]) -> None:
    try:
        source = _applied(SOURCE)  # the source's first read
    except DatabaseError as exc:
        raise SourceUnreadable(exc, str(connections.settings[SOURCE]["NAME"])) from exc
    target = _applied("default")
    if not source:
        raise TransferError("the source holds no paperhub database (no migrations recorded)")
    if source != target:
        behind = "source" if source < target else "target"
        raise TransferError(f"the databases are at different migrations: run `paperhub migrate` on the {behind} "
                            f"first (with DATABASE_URL naming it)")
    for model in ordered:
        if model._meta.label in _REFERENCE:
            continue
        manager = model._default_manager
        columns = [f.attname for f in model._meta.concrete_fields]
        have = manager.using("default").order_by("pk").values_list(*columns).first()
        # A row the target has is fine only if it is the source's own row (copied by an earlier, killed run).
        if have is not None and manager.using(SOURCE).filter(pk=have[columns.index(model._meta.pk.attname)]) \
                .values_list(*columns).first() != have:
            raise TransferError(f"the target already holds data of its own ({model._meta.db_table}); "
                                f"transfer into a freshly migrated, empty database")


def _replace_reference_rows() -> None:
    """Content types and permissions exactly as the source numbers them (the target's migrate made its own)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    wanted = list(ContentType.objects.using(SOURCE).order_by("pk").values_list("pk", "app_label", "model"))
    have = list(ContentType.objects.using("default").order_by("pk").values_list("pk", "app_label", "model"))
    if wanted == have:
        return
    with transaction.atomic():
        Permission.objects.all().delete()
        ContentType.objects.all().delete()
        ContentType.objects.clear_cache()


def _batches(model: type[models.Model], after: Any, batch: int) -> Iterator[list[tuple[Any, ...]]]:
    columns = [f.attname for f in model._meta.concrete_fields]
    rows = model._default_manager.using(SOURCE).order_by("pk").values_list(*columns)
    while True:
        page = list((rows.filter(pk__gt=after) if after is not None else rows)[:batch])
        if not page:
            return
        yield page
        after = page[-1][columns.index(model._meta.pk.attname)]


@contextmanager
def _stored_times_kept(model: type[models.Model]) -> Iterator[None]:
    """Copy auto_now / auto_now_add times as stored, instead of stamping them with the time of the copy."""
    stamped = [f for f in model._meta.concrete_fields
               if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)]
    saved = [(f.auto_now, f.auto_now_add) for f in stamped]  # type: ignore[attr-defined]
    for f in stamped:
        f.auto_now = f.auto_now_add = False  # type: ignore[attr-defined]
    try:
        yield
    finally:
        for f, (now, add) in zip(stamped, saved, strict=True):
            f.auto_now, f.auto_now_add = now, add  # type: ignore[attr-defined]


def copy_table(model: type[models.Model], batch: int = 5000, progress: Progress | None = None) -> TableCopy:
    """Copy one table's rows the target lacks, in key order, one transaction per batch."""
    manager = model._default_manager
    columns = [f.attname for f in model._meta.concrete_fields]
    after = None
    if isinstance(model._meta.pk, models.AutoField | models.BigAutoField):  # text keys sort differently per database
        after = manager.using("default").order_by("-pk").values_list("pk", flat=True).first()
    with _stored_times_kept(model):
        for page in _batches(model, after, batch):
            with transaction.atomic():
                manager.using("default").bulk_create(
                    [model(**dict(zip(columns, row, strict=True))) for row in page], ignore_conflicts=True)
            if progress:
                progress(model._meta.db_table, len(page))
    return TableCopy(model._meta.db_table, manager.using(SOURCE).count(), manager.using("default").count())


def _reset_sequences(ordered: list[type[models.Model]]) -> None:
    statements = connection.ops.sequence_reset_sql(no_style(), ordered)
    if statements:
        with connection.cursor() as cursor:
            for sql in statements:
                cursor.execute(sql)


def transfer(source_url: str, batch: int = 5000, progress: Progress | None = None) -> list[TableCopy]:
    """Copy every table of the hub at `source_url` into the hub's own database (DATABASE_URL)."""
    _open_source(source_url)
    try:
        ordered = _models()
        _check(ordered)
        _replace_reference_rows()
        copies = [copy_table(model, batch, progress) for model in ordered]
        _reset_sequences(ordered)
    finally:
        _close_source()
    short = [c for c in copies if c.target != c.source]
    if short:
        raise TransferError("row counts differ after the copy: " +
                            ", ".join(f"{c.table} {c.source:,} -> {c.target:,}" for c in short))
    return copies
