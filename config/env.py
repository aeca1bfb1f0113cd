"""Tiny typed readers for deploy-time settings (healthchecks' envbool/envint style)."""

import os


def envstr(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def envbool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def envint(name: str, default: int) -> int:
    value = os.environ.get(name)
    return int(value) if value not in (None, "") else default


def envlist(name: str, default: str = "") -> list[str]:
    """A comma-separated list; blanks dropped."""
    return [
        item.strip()
        for item in os.environ.get(name, default).split(",")
        if item.strip()
    ]


def redis_database_after(url: str) -> str:
    """The same Redis server's next database number: redis://h:6379/0 -> redis://h:6379/1."""
    base, _, last = url.rstrip("/").rpartition("/")
    if "://" in base and last.isdigit():
        return f"{base}/{int(last) + 1}"
    return f"{url.rstrip('/')}/1"
