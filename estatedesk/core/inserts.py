"""New rows written through a statement compiled once per process (decision 0070).

``Model.save()`` of a new row builds its ``INSERT`` field by field on every call: for each
column a ``pre_save``, a check for expressions, a ``get_db_prep_save`` through three layers of
the field's class, a quoted name and a placeholder. For a complaint (57 columns) and its
django-simple-history row (58 more, through a second model instance and the ``post_save``
signal) that is most of intake's CPU; SQLite runs both inserts in a fraction of it.

``Insert(model)`` builds, once per database vendor, the statement the ORM would send (the same
columns in the same order: the model's concrete fields less the generated ones and the auto
primary key; the same ``RETURNING`` of the primary key and the generated columns; the same
``INSERT OR IGNORE`` / ``ON CONFLICT DO NOTHING`` for skipped conflicts) and, per column, how
its value is put in database form: the field's own ``get_db_prep_save``, except where the
value already has the exact type that method passes through unchanged (a ``str`` for a text
field, an ``int`` for an integer or a foreign key, a ``bool``, ``None`` where the ORM gives
``None``), or where it only calls the backend's adapter (an aware ``datetime``, a ``date``).
Values go through ``pre_save`` only for fields whose class defines its own (``auto_now``, the
company-local date). ``tests/test_inserts.py`` compares the statement and its parameters with
the ORM's on SQLite and PostgreSQL.

``save_new(instance)`` is ``instance.save()`` for a new row of such a model: the row, the
returned id and generated columns set on the instance, and — when the model's history is kept
by django-simple-history — its ``+`` history row, with the same user (the instance's
``_history_user``, else the signed-in user of the request), date (``_history_date``, else now),
change reason and fields as the library's ``post_save`` receiver would write. A model with any
other ``pre_save`` / ``post_save`` receiver, its own ``save``, a primary key already set, or a
history set up in a way this does not reproduce (many-to-many history, a custom user field,
its own history signals' receivers) is saved by the ORM as before.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from datetime import date, datetime
from typing import Any

from django.conf import settings
from django.db import connections, models, router, transaction
from django.db.models import signals
from django.db.models.constants import OnConflict
from django.db.models.fields import Field
from django.utils import timezone

_Prep = Callable[[Any, Any], Any]  # (value, connection) -> the value in database form

_TEXT = (models.CharField, models.TextField, models.SlugField)
_INTEGER = (
    models.IntegerField,
    models.BigIntegerField,
    models.SmallIntegerField,
    models.PositiveIntegerField,
    models.PositiveSmallIntegerField,
    models.PositiveBigIntegerField,
)
_AUTO = (models.AutoField, models.BigAutoField, models.SmallAutoField)


def _preparer(field: Field[Any, Any]) -> _Prep:
    """How one column's value is put in database form: as ``field.get_db_prep_save`` would,
    without its layers where the outcome is known from the value's exact type."""
    kind = type(field)
    slow = field.get_db_prep_save

    if kind in _TEXT:  # get_prep_value → to_python: a str (or None) as it is

        def text(value: Any, connection: Any) -> Any:
            return value if value is None or type(value) is str else slow(value, connection)

        return text
    if kind in _INTEGER:  # int(value), then the backend's integer adapter (no change on ours)

        def integer(value: Any, connection: Any) -> Any:
            if value is None:
                return None
            if type(value) is int:
                return connection.ops.adapt_integerfield_value(value, field.get_internal_type())
            return slow(value, connection)

        return integer
    if kind is models.BooleanField:

        def boolean(value: Any, connection: Any) -> Any:
            return value if value is None or type(value) is bool else slow(value, connection)

        return boolean
    if kind is models.ForeignKey and type(field.target_field) in _AUTO:  # type: ignore[attr-defined]

        def key(value: Any, connection: Any) -> Any:  # the auto field's: the backend's check only
            if value is None:
                return None
            if type(value) is int:
                return connection.ops.validate_autopk_value(value)
            return slow(value, connection)

        return key
    if kind is models.DateTimeField:

        def moment(value: Any, connection: Any) -> Any:
            if value is None:
                return connection.ops.adapt_datetimefield_value(None)
            if type(value) is datetime and value.tzinfo is not None:  # no naive-time warning to give
                return connection.ops.adapt_datetimefield_value(value)
            return slow(value, connection)

        return moment
    if (
        isinstance(field, models.DateField)
        and not isinstance(field, models.DateTimeField)
        and type(field).get_db_prep_value is models.DateField.get_db_prep_value
    ):

        def day(value: Any, connection: Any) -> Any:
            if value is None or type(value) is date:
                return connection.ops.adapt_datefield_value(value)
            return slow(value, connection)

        return day
    return slow


def _reader(field: Field[Any, Any]) -> Callable[[models.Model], Any]:
    """The value the ORM's insert takes from an instance: ``field.pre_save(instance, add=True)``,
    which for most fields is just the attribute."""
    plain = type(field).pre_save is Field.pre_save or (
        type(field).pre_save in (models.DateField.pre_save, models.DateTimeField.pre_save)
        and not getattr(field, "auto_now", False)
        and not getattr(field, "auto_now_add", False)
    )
    if plain:
        attname = field.attname
        return lambda instance: getattr(instance, attname)
    return lambda instance: field.pre_save(instance, True)


class Insert:
    """One model's ``INSERT``, compiled once per database vendor (and, for several rows at once,
    per row count)."""

    def __init__(self, model: type[models.Model], *, skip_conflicts: bool = False) -> None:
        meta = model._meta
        self.model = model
        self.skip_conflicts = skip_conflicts
        self.fields: tuple[Field[Any, Any], ...] = tuple(
            f
            for f in meta.local_concrete_fields
            if not f.generated and f is not meta.auto_field  # type: ignore[attr-defined]
        )
        self.attnames = tuple(f.attname for f in self.fields)
        # Conflicts skipped return nothing for the skipped row: no ids asked for then.
        self.returning: tuple[Field[Any, Any], ...] = (
            () if skip_conflicts else tuple(meta.db_returning_fields)  # type: ignore[attr-defined]
        )
        self._prepare = tuple(_preparer(f) for f in self.fields)
        self._read = tuple(_reader(f) for f in self.fields)
        self._sql: dict[tuple[str, int], tuple[str, tuple[Any, ...]]] = {}
        self._converters: dict[str, list[tuple[int, list[Any], Any]]] = {}

    def sql(self, using: str = "default", rows: int = 1) -> tuple[str, tuple[Any, ...]]:
        """The statement for ``rows`` rows, and the parameters its ``RETURNING`` needs."""
        connection = connections[using]
        key = (connection.vendor, rows)
        compiled = self._sql.get(key)
        if compiled is None:
            ops = connection.ops
            on_conflict = OnConflict.IGNORE if self.skip_conflicts else None
            columns = ", ".join(ops.quote_name(f.column or "") for f in self.fields)
            row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
            parts = [
                f"{ops.insert_statement(on_conflict=on_conflict)} {ops.quote_name(self.model._meta.db_table)}",
                f"({columns})",
                "VALUES " + ", ".join([row] * rows),
            ]
            suffix = ops.on_conflict_suffix_sql(self.fields, on_conflict, (), ())
            if suffix:
                parts.append(suffix)
            returning_params: tuple[Any, ...] = ()
            if self.returning:
                if rows != 1 or not connection.features.can_return_columns_from_insert:
                    raise ValueError("ids are returned for one row at a time, where the database can")
                r_sql, r_params = ops.return_insert_columns(self.returning)  # type: ignore[attr-defined]
                if r_sql:
                    parts.append(r_sql)
                    returning_params = tuple(r_params)
            compiled = (" ".join(parts), returning_params)
            self._sql[key] = compiled
        return compiled

    def params(self, values: Sequence[Any], using: str = "default") -> list[Any]:
        """One row's values (in ``attnames`` order) in database form."""
        connection = connections[using]
        return [prepare(v, connection) for prepare, v in zip(self._prepare, values, strict=True)]

    def values_of(self, instance: models.Model) -> list[Any]:
        return [read(instance) for read in self._read]

    def _returned(self, row: Sequence[Any], using: str) -> list[Any]:
        connection = connections[using]
        converters = self._converters.get(connection.vendor)
        if converters is None:
            converters = []
            for i, field in enumerate(self.returning):
                col = field.get_col(self.model._meta.db_table)
                found = connection.ops.get_db_converters(col) + col.get_db_converters(connection)
                if found:
                    converters.append((i, found, col))
            self._converters[connection.vendor] = converters
        values = list(row)
        for i, found, col in converters:
            value = values[i]
            for converter in found:
                value = converter(value, col, connection)
            values[i] = value
        return values

    def one(self, values: Sequence[Any], using: str = "default") -> list[Any] | None:
        """Write one row; the returned columns (``returning``), converted as the ORM converts them."""
        sql, returning_params = self.sql(using)
        params = self.params(values, using)
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            if not self.returning:
                return None
            row = connection.ops.fetch_returned_insert_columns(cursor, returning_params)  # type: ignore[attr-defined]
        return self._returned(row, using)

    def many(self, rows: Iterable[Sequence[Any]], using: str = "default") -> None:
        """Write rows in one statement (nothing returned: as ``bulk_create`` with skipped conflicts)."""
        given = [self.params(values, using) for values in rows]
        if not given:
            return
        sql, _none = self.sql(using, len(given))
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [p for row in given for p in row])


# --- A new row and its history -----------------------------------------------------------------


class _History:
    """django-simple-history's ``+`` row for a model, written by a compiled insert."""

    def __init__(self, records: Any, model: type[models.Model]) -> None:
        self.records = records
        history_model: type[models.Model] = getattr(model, records.manager_name).model
        self.history_model = history_model
        self.insert = Insert(history_model)
        # A column the history keeps as generated is computed there too (the ORM leaves it out).
        generated = {f.attname for f in history_model._meta.concrete_fields if f.generated}
        included = [f.attname for f in records.fields_included(model) if f.attname not in generated]
        extra = ("history_date", "history_change_reason", "history_type", "history_user_id")
        if sorted(self.insert.attnames) != sorted([*included, *extra]):
            raise ValueError(f"{history_model.__name__} has columns this does not fill")
        position = {name: i for i, name in enumerate(self.insert.attnames)}
        self.source = [(position[name], name) for name in included]
        self.date_at, self.reason_at, self.type_at, self.user_at = (position[name] for name in extra)

    def write(self, instance: models.Model, history_type: str, using: str) -> None:
        records = self.records
        alias = using if records.use_base_model_db else router.db_for_write(self.history_model)
        history_date = getattr(instance, "_history_date", timezone.now())
        user = records.get_history_user(instance)
        reason = records.get_change_reason_for_object(instance, history_type, using)
        values: list[Any] = [None] * len(self.insert.attnames)
        for i, name in self.source:
            values[i] = getattr(instance, name)
        values[self.date_at] = history_date
        values[self.reason_at] = reason
        values[self.type_at] = history_type
        values[self.user_at] = user.pk if user is not None else None
        self.insert.one(values, alias)


class _Plan:
    def __init__(self, model: type[models.Model]) -> None:
        self.insert = Insert(model)
        self.history: _History | None = None
        receivers = _receivers(model)
        self.receivers = len(receivers)
        for receiver in receivers:
            records = getattr(receiver, "__self__", None)
            if type(records).__name__ == "HistoricalRecords" and self.history is None:
                self.history = _History(records, model)
            else:
                raise ValueError(f"{model.__name__} has a post_save receiver this would not call")


def _receivers(model: type[models.Model]) -> list[Any]:
    sync, asynchronous = signals.post_save._live_receivers(model)  # type: ignore[attr-defined]
    return [*sync, *asynchronous]


_plans: dict[type[models.Model], _Plan | None] = {}


def _simple_history_signals_heard() -> bool:
    # Asked only for a model that keeps a history: core does not load simple_history otherwise.
    from simple_history.signals import post_create_historical_record, pre_create_historical_record

    return any(
        s.receivers  # any receiver at all, for any sender: then the library writes the row
        for s in (pre_create_historical_record, post_create_historical_record)
    )


def _plan(model: type[models.Model]) -> _Plan | None:
    if model in _plans:
        return _plans[model]
    plan: _Plan | None
    try:
        if model.save is not models.Model.save or model.save_base is not models.Model.save_base:
            raise ValueError("its own save")
        if model._meta.parents or model._meta.order_with_respect_to or signals.pre_save.has_listeners(model):
            raise ValueError("parents, an order kept by Django or pre_save receivers")
        plan = _Plan(model)
        if plan.history is not None:
            records = plan.history.records
            if records.m2m_fields or records.user_id_field is not None:
                raise ValueError("a history this does not reproduce")
    except ValueError:
        plan = None
    _plans[model] = plan
    return plan


def save_new(instance: models.Model, using: str = "default") -> None:
    """``instance.save(using=using)`` for a row not yet in the database (see the module)."""
    model = type(instance)
    plan = _plan(model)
    if (
        plan is None
        or instance.pk is not None
        or not instance._state.adding
        # a receiver connected since (a test's, say): the ORM, which calls it
        or len(_receivers(model)) != plan.receivers
        or signals.pre_save.has_listeners(model)
        or (plan.history is not None and _simple_history_signals_heard())
    ):
        instance.save(using=using)
        return
    instance._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
    with transaction.mark_for_rollback_on_error(using):
        returned = plan.insert.one(plan.insert.values_of(instance), using)
        for field, value in zip(plan.insert.returning, returned or (), strict=True):
            setattr(instance, field.attname, value)
        instance._state.adding = False
        instance._state.db = using
        history = plan.history
        if (
            history is not None
            and getattr(settings, "SIMPLE_HISTORY_ENABLED", True)
            and not hasattr(instance, "skip_history_when_saving")
        ):
            history.write(instance, "+", using)


def insert_many(objs: Sequence[models.Model], using: str = "default") -> None:
    """``bulk_create(objs, ignore_conflicts=True)`` in one statement compiled once per row count,
    for new rows of one model without save receivers (``bulk_create`` sends none either)."""
    if not objs:
        return
    model = type(objs[0])
    insert = _skipping.get(model)
    if insert is None:
        insert = _skipping[model] = Insert(model, skip_conflicts=True)
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="bulk_create")  # type: ignore[attr-defined]
    # A few hundred parameters a statement at most, as SQLite's older limit (999) allows.
    per = max(1, 900 // len(insert.fields))
    with transaction.mark_for_rollback_on_error(using):
        for start in range(0, len(objs), per):
            insert.many([insert.values_of(obj) for obj in objs[start : start + per]], using)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = using


_skipping: dict[type[models.Model], Insert] = {}
