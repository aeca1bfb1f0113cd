"""The LOGGING setting: one console stream, as text (default) or JSON (LOG_FORMAT=json).

Every line passes two handler filters: one blanks tokens Django would otherwise write
(a password-reset link in a 4xx path), one adds the request's id. Security events (sign-ins,
refusals, rate limits, reveals) go to the "security" logger with their fields as a
structured record (accounts.security_log). Timestamps are UTC whatever TIME_ZONE says.
"""


def logging_config(log_format: str = "text", level: str = "INFO") -> dict:
    formatter = "json" if log_format.strip().lower() == "json" else "utc"
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "filters": {
            "redact": {"()": "accounts.security_log.RedactSecrets"},
            "request_id": {"()": "observability.request_id.RequestIdFilter"},
        },
        "formatters": {
            "utc": {
                "()": "observability.log_format.TextFormatter",
                "format": "%(asctime)s %(levelname)s %(name)s %(message)s%(request_tag)s",
            },
            "json": {
                "()": "observability.log_format.JsonFormatter",
                "format": "%(levelname)s %(name)s %(message)s",
                "rename_fields": {"levelname": "level", "name": "logger"},
            },
        },
        "handlers": {
            "console": {
                "class": "logging.StreamHandler",
                "formatter": formatter,
                "filters": ["redact", "request_id"],
            }
        },
        "root": {"handlers": ["console"], "level": level},
        "loggers": {
            "django.db.backends": {"level": "WARNING"},
            "security": {"level": "INFO"},
        },
    }
