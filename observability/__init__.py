"""Logs, error tracking and tracing: what operators see, with no one's personal data."""
