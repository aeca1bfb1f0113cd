"""Fault tests: each starts what it breaks as its own process (issue 16)."""
