"""The full-text backend of the database in use: the same two functions on both."""

from types import ModuleType

from django.core.exceptions import EmptyResultSet
from django.db import connection
from django.db.models import QuerySet


def current() -> ModuleType:
    if connection.vendor == "postgresql":
        from search import postgres

        return postgres
    from search import sqlite

    return sqlite


def ids_sql(permitted: QuerySet) -> tuple[str, list] | None:
    """The SQL selecting the ids of ``permitted`` (the rows a person may see, from
    ``search.services``), or None when it selects nothing at all."""
    try:
        inner, params = permitted.values("pk").query.sql_with_params()
    except EmptyResultSet:
        return None
    return inner, list(params)
