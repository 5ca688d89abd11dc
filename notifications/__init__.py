"""Outbox, relay and channels. Depends on `grievance`; wired into the app by create_app."""

from __future__ import annotations

from flask import Flask


def init_app(app: Flask) -> None:
    """Subscribe to case notices so they become outbox rows in the same transaction."""
