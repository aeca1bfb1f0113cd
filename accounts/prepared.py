"""A read query built and compiled to SQL once, then run with fresh parameters.

Building and compiling a queryset costs a few hundred microseconds, several times
what the database takes to answer a lookup by key; a burst of websocket connects
pays that on Channels' single database thread for every socket (bench/LIVE.md).
Rows come straight from the cursor, so this is only for columns that need no
conversion from the database (integers, strings, booleans stored as integers are
not converted: avoid them).
"""

from collections.abc import Callable

from django.db import connections
from django.db.models import QuerySet

# Stand-ins for the arguments while compiling, found again among the compiled
# parameters. Large and positive, so no integer field's range check drops them.
_MARKS = tuple(7_000_000_000_000_000_000 + n for n in range(8))


class Prepared:
    def __init__(self, build: Callable[..., QuerySet], using: str = "default"):
        self.build = build
        self.using = using
        # vendor -> (sql, for each parameter: the argument's index or (a constant,),
        # how many columns were asked for: DISTINCT adds the ordering's after them)
        self._compiled: dict[str, tuple[str, list, int]] = {}

    def rows(self, *args) -> list[tuple]:
        connection = connections[self.using]
        compiled = self._compiled.get(connection.vendor)
        if compiled is None:
            compiled = self._compile(connection, len(args))
        sql, binding, columns = compiled
        params = [args[b] if isinstance(b, int) else b[0] for b in binding]
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if rows and len(rows[0]) != columns:
            rows = [row[:columns] for row in rows]
        return rows

    def _compile(self, connection, count: int) -> tuple[str, list, int]:
        queryset = self.build(*_MARKS[:count])
        compiler = queryset.query.get_compiler(connection=connection)
        sql, params = compiler.as_sql()
        binding = [_MARKS.index(p) if p in _MARKS else (p,) for p in params]
        columns = len(queryset.query.values_select) or compiler.col_count
        self._compiled[connection.vendor] = (sql, binding, columns)
        return sql, binding, columns
