"""Structured JSON logging: one line per event, request/message ids bound, personal data redacted.

Call `configure_logging` once at process start. Bind ids for the duration of a request or a
message with `log_context(request_id=..., correlation_id=..., event_id=...)`; every line logged
inside it, by structlog or by the standard library (uvicorn, aiokafka, pymongo), carries them.
Log with keys, never f-strings: `log.info("dose_recorded", dose_id=...)`; values under personal
keys (see `SENSITIVE_KEYS`) are replaced by `"[redacted]"` whatever the caller passed; values
interpolated into a message string (`%s`, f-strings) cannot be, so do not do that.
Run uvicorn with `log_config=None, access_log=False`, or it installs its own handlers on top.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

REDACTED = "[redacted]"
SENSITIVE_KEYS = frozenset(
    {
        "national_id",
        "phone",
        "phone_number",
        "name",
        "full_name",
        "given_name",
        "family_name",
        "date_of_birth",
        "dob",
        "birth_date",
        "address",
        "address_line",
        "email",
        "password",
        "token",
        "code",
        "otp",
        "secret",
        "authorization",
        "cookie",
    }
)
_SENSITIVE_SUFFIXES = ("_token", "_password", "_secret", "_otp")
_MAX_DEPTH = 8
# Libraries whose chatter is useless at INFO. pymongo stays at WARNING whatever the level: its
# DEBUG command log prints whole documents, which hold personal data.
_QUIET_LOGGERS = {"pymongo": logging.WARNING, "aiokafka": logging.WARNING, "httpx": logging.WARNING}
# Our middleware writes one access line per request with the route template; uvicorn's own
# access line carries the raw path and query string, so it is silenced.
_SILENCED_LOGGERS = ("uvicorn.access",)
_UVICORN_LOGGERS = ("uvicorn", "uvicorn.error", "uvicorn.access")


def is_sensitive(key: str) -> bool:
    """Tell whether a log key names personal data or a secret."""
    normalised = key.lower().replace("-", "_")
    return normalised in SENSITIVE_KEYS or normalised.endswith(_SENSITIVE_SUFFIXES)


def _redact(value: Any, depth: int) -> Any:
    if depth > _MAX_DEPTH:
        return value
    if isinstance(value, Mapping):
        return {
            k: REDACTED if isinstance(k, str) and is_sensitive(k) else _redact(v, depth + 1)
            for k, v in value.items()
        }
    if isinstance(value, list | tuple):
        return [_redact(item, depth + 1) for item in value]
    return value


def redact_personal_data(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Replace values under personal or secret keys, at any depth of dicts and lists."""
    redacted: EventDict = _redact(event_dict, 0)
    return redacted


def _service_adder(service: str) -> Processor:
    def add_service(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
        event_dict.setdefault("service", service)
        return event_dict

    return add_service


def _drop_color_message(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    # uvicorn passes an ANSI-coloured copy of its message as an extra; JSON readers want one.
    event_dict.pop("color_message", None)
    return event_dict


def _shared_processors(service: str) -> list[Processor]:
    return [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True, key="timestamp"),
        _service_adder(service),
        redact_personal_data,
    ]


def _json_handler(service: str, stream: TextIO) -> logging.Handler:
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=[
            structlog.stdlib.ExtraAdder(),
            _drop_color_message,
            *_shared_processors(service),
        ],
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            structlog.processors.JSONRenderer(),
        ],
    )
    handler = logging.StreamHandler(stream)
    handler.setFormatter(formatter)
    return handler


def _route_stdlib(level: int, handler: logging.Handler) -> None:
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in _UVICORN_LOGGERS:
        # uvicorn installs its own handlers; ours on the root must be the only writer.
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    for name, floor in _QUIET_LOGGERS.items():
        logging.getLogger(name).setLevel(max(level, floor))
    for name in _SILENCED_LOGGERS:
        logging.getLogger(name).setLevel(logging.CRITICAL + 1)
    logging.captureWarnings(True)


def configure_logging(service: str, level: str, *, stream: TextIO | None = None) -> None:
    """Send structlog and standard-library logs to stdout as redacted JSON lines."""
    numeric_level = logging.getLevelNamesMapping()[level.upper()]
    _route_stdlib(numeric_level, _json_handler(service, stream or sys.stdout))
    structlog.configure(
        processors=[
            structlog.stdlib.filter_by_level,
            *_shared_processors(service),
            structlog.stdlib.ProcessorFormatter.wrap_for_formatter,
        ],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        # Not cached, so a reconfiguration (tests, a worker re-exec) reaches existing loggers.
        cache_logger_on_first_use=False,
    )


def get_logger(name: str | None = None) -> structlog.stdlib.BoundLogger:
    """Return a structlog logger; the name shows as `logger` on each line."""
    logger: structlog.stdlib.BoundLogger = structlog.stdlib.get_logger(name)
    return logger


def bind_request_context(
    *,
    request_id: str | None = None,
    correlation_id: str | None = None,
    event_id: str | None = None,
) -> None:
    """Bind ids to the current context until `clear_request_context` (or the task ends)."""
    ids = {"request_id": request_id, "correlation_id": correlation_id, "event_id": event_id}
    structlog.contextvars.bind_contextvars(**{k: v for k, v in ids.items() if v is not None})


def clear_request_context() -> None:
    """Forget every id bound in the current context."""
    structlog.contextvars.clear_contextvars()


@contextmanager
def log_context(**ids: str | None) -> Iterator[None]:
    """Bind ids (e.g. event_id, correlation_id) for a block, restoring the previous ones after."""
    with structlog.contextvars.bound_contextvars(**{k: v for k, v in ids.items() if v is not None}):
        yield
