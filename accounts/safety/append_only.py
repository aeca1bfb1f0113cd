"""Rows written once (audit entries, reveal requests, privilege changes): the ORM's
half of the rule, and the condition PostgreSQL's triggers use for the other half."""

import pgtrigger
from django.db import models


class AppendOnlyQuerySet(models.QuerySet):
    """No bulk UPDATE or DELETE through the ORM.

    PostgreSQL refuses them in the database itself (the models' triggers); this is the
    same rule where there are no triggers (SQLite). Deleting a post or a person still
    detaches rows: Django's collector sets the key to NULL with its own query."""

    def update(self, **kwargs):
        raise PermissionError("Append-only rows are never updated in bulk")

    def delete(self):
        raise PermissionError("Append-only rows are never deleted")


class DetachOnly(pgtrigger.Condition):
    """The UPDATEs to refuse: any that changes a column other than setting one of
    ``keys`` to NULL (a removed post or person, detached: what account erasure and a
    post's deletion do), unless it is the one ``allowed`` change (SQL)."""

    def __init__(self, *keys: str, allowed: str = ""):
        self.keys = keys
        self.allowed = allowed

    def resolve(self, model) -> str:
        fields = [key.removesuffix("_id") for key in self.keys]
        changed = pgtrigger.AnyChange(exclude=fields).resolve(model)
        repointed = " OR ".join(
            f'(NEW."{key}" IS NOT NULL AND NEW."{key}" IS DISTINCT FROM OLD."{key}")'
            for key in self.keys
        )
        refused = f"(({changed}) OR {repointed})"
        # Parenthesised whole: PostgreSQL's WHEN takes one bracketed expression.
        return f"({refused} AND NOT ({self.allowed}))" if self.allowed else refused


def protect(prefix: str, *detachable: str, allowed: str = "") -> list:
    """The two triggers of an append-only table: no DELETE; no UPDATE but detaching
    (and the ``allowed`` change)."""
    return [
        pgtrigger.Protect(name=f"{prefix}_no_delete", operation=pgtrigger.Delete),
        pgtrigger.Protect(
            name=f"{prefix}_only_detach" if not allowed else f"{prefix}_decided_once",
            operation=pgtrigger.Update,
            condition=DetachOnly(*detachable, allowed=allowed),
        ),
    ]
