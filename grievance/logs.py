"""Logging for the web processes, workers and commands: one line per record, as
`key=value` pairs (LOG_FORMAT=kv, the default) or JSON (LOG_FORMAT=json), to standard error.

Records carry codes, ids and endpoints, never personal data: no names, phone numbers,
message texts, client addresses or SQL parameters (`tests/security` checks the logs).
"""

from __future__ import annotations

import json
import logging
import sys
from datetime import UTC, datetime

from grievance.config import Config

HANDLER_NAME = "samleng"


class KeyValueFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
        line = f"ts={when} level={record.levelname.lower()} logger={record.name} "
        line += f"msg={json.dumps(record.getMessage(), ensure_ascii=False)}"
        if record.exc_info:
            line += " exc=" + json.dumps(self.formatException(record.exc_info))
        return line


class JsonFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        when = datetime.fromtimestamp(record.created, UTC).isoformat()
        entry = {
            "ts": when,
            "level": record.levelname.lower(),
            "logger": record.name,
            "msg": record.getMessage(),
        }
        if record.exc_info:
            entry["exc"] = self.formatException(record.exc_info)
        return json.dumps(entry, ensure_ascii=False)


def configure_logging(config: Config) -> None:
    """Install the one handler on the root logger (once per process)."""
    root = logging.getLogger()
    if any(h.get_name() == HANDLER_NAME for h in root.handlers):
        return
    handler = logging.StreamHandler(sys.stderr)
    handler.set_name(HANDLER_NAME)
    handler.setFormatter(JsonFormatter() if config.LOG_FORMAT == "json" else KeyValueFormatter())
    root.addHandler(handler)
    root.setLevel(config.LOG_LEVEL.upper())
    # SQLAlchemy's own loggers would print statements with their parameters.
    logging.getLogger("sqlalchemy").setLevel(logging.WARNING)
