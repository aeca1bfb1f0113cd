"""A read query built and compiled to SQL once, then run with fresh parameters.

Building and compiling a queryset costs a few hundred microseconds, several times
what the database takes to answer a lookup by key; a burst of websocket connects
pays that on Channels' single database thread for every socket (bench/LIVE.md).
Values come back as the ORM would give them (its converters are applied), but as
plain rows: tuples, or a model's fields in ``concrete_fields`` order.

A query is compiled once per database vendor and number of arguments. For a list of
ids use ``field__any_of=ids`` (below): one parameter, whatever the list's length.

Unless queries are being recorded (``DEBUG``, or a test counting them) or a wrapper is
installed, a query runs straight on the driver's cursor: Django's cursor wrapper, its
placeholder rewriting (SQLite) and its execute wrappers cost twice what SQLite takes
to answer a lookup by key, and a page runs half a dozen of these.
"""

import json
import re
from collections.abc import Callable

import psycopg
from django.conf import settings
from django.db import connections
from django.db.models import IntegerField, Lookup, QuerySet

# Stand-ins for the arguments while compiling, found again among the compiled
# parameters. Large and positive, so no integer field's range check drops them; a
# text field turns one into its digits, which are found too.
_MARK_BASE = 7_000_000_000_000_000_000


def _marks(count: int) -> tuple[int, ...]:
    return tuple(_MARK_BASE + n for n in range(count))


def _argument_index(param, count: int) -> int | None:
    if isinstance(param, str) and param.isdigit():
        param = int(param)
    if isinstance(param, int) and _MARK_BASE <= param < _MARK_BASE + count:
        return param - _MARK_BASE
    return None


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], using: str = "default"):
        self.build = build
        self.using = using
        # (vendor, arguments) -> (sql, the same in the driver's placeholders, for
        # each parameter: the argument's index or (a constant,), how many columns
        # were asked for (DISTINCT adds the ordering's after them), the ORM's
        # converters by column)
        self._compiled: dict[tuple[str, int], tuple[str, str, list, int, list]] = {}

    def rows(self, *args) -> list[tuple]:
        connection = connections[self.using]
        compiled = self._compiled.get((connection.vendor, len(args)))
        if compiled is None:
            compiled = self._compile(connection, len(args))
        sql, driver_sql, binding, columns, converters = compiled
        params = [
            _bindable(args[b], connection) if isinstance(b, int) else b[0]
            for b in binding
        ]
        if connection.queries_logged or connection.execute_wrappers:
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
                rows = cursor.fetchall()
        else:
            rows = _driver_rows(connection, driver_sql, params)
        if rows and (converters or len(rows[0]) != columns):
            rows = [_convert(row[:columns], converters, connection) for row in rows]
        return rows

    def _compile(self, connection, count: int) -> tuple[str, str, list, int, list]:
        queryset = self.build(*_marks(count))
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        binding = []
        for param in params:
            index = _argument_index(param, count)
            binding.append((param,) if index is None else index)
        columns = compiler.col_count
        selected = [select[0] for select in compiler.select[:columns]]
        converters = list(compiler.get_converters(selected).items())
        driver_sql = _qmark(sql) if connection.vendor == "sqlite" else sql
        compiled = (sql, driver_sql, binding, columns, converters)
        self._compiled[connection.vendor, count] = compiled
        return compiled


# Django's SQLite placeholders ("format" style) in the driver's ("qmark" style), as
# its SQLiteCursorWrapper.convert_query rewrites them for every execute.
_FORMAT_PLACEHOLDER = re.compile(r"(?<!%)%s")


def _driver_rows(connection, sql: str, params: list) -> list[tuple]:
    """What Django's ``connection.cursor()`` and ``execute`` do, less the wrapping:
    connect if need be, refuse inside a broken transaction, turn driver errors into
    Django's. ``sql`` is in the driver's placeholders."""
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    connection.validate_thread_sharing()
    connection.validate_no_broken_transaction()
    with connection.wrap_database_errors:
        if connection.vendor == "sqlite":
            cursor = connection.connection.cursor()  # not Django's: it rewrites sql
        elif connection.vendor == "postgresql":
            # Bound on the server and prepared, once per connection; PostgreSQL
            # then plans it once (plan_cache_mode, settings): planning these
            # lookups took it several times as long as running them.
            cursor = psycopg.Cursor(connection.connection)
        else:
            cursor = connection.create_cursor()
        try:
            if connection.vendor == "postgresql":
                cursor.execute(sql, params, prepare=settings.DB_PREPARE)
            else:
                cursor.execute(sql, params)
            return cursor.fetchall()
        finally:
            cursor.close()


def _qmark(sql: str) -> str:
    return _FORMAT_PLACEHOLDER.sub("?", sql).replace("%%", "%")


def _convert(row: tuple, converters: list, connection) -> tuple:
    if not converters:
        return row
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return tuple(row)


@IntegerField.register_lookup
class AnyOf(Lookup):
    """``field__any_of=ids``: the value is one of ``ids``, bound as one parameter (an
    array on PostgreSQL, JSON text read by ``json_each`` on SQLite) rather than one
    per id as ``__in`` does. A prepared query then has one form for any number of
    ids, and PostgreSQL plans an array far faster than a list of constants (a page's
    50 ids took it longer to plan than to run)."""

    lookup_name = "any_of"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [_bindable(value, connection)]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        params = [*lhs_params, *rhs_params]
        if connection.vendor == "postgresql":
            # As bigints whatever the driver sent (it sends small numbers as a
            # smallint array), so the key's index can take them.
            return f"{lhs} = ANY({rhs}::bigint[])", params
        return f"{lhs} IN (SELECT value FROM json_each({rhs}))", params


def _bindable(value, connection):
    """A list of ids as the database takes it as one parameter; anything else as is."""
    if isinstance(value, (list, tuple)) and connection.vendor != "postgresql":
        return json.dumps([int(v) for v in value])
    if isinstance(value, tuple):
        return list(value)
    return value
