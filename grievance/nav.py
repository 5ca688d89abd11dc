"""Staff menu entries, declared by each feature next to its views."""

from __future__ import annotations

from dataclasses import dataclass

from flask import Flask, url_for
from flask_login import current_user


@dataclass(frozen=True)
class NavItem:
    endpoint: str
    label: str  # gettext msgid
    roles: frozenset[str]
    order: int = 100


_items: list[NavItem] = []


def add(endpoint: str, label: str, *roles: str, order: int = 100) -> None:
    if not any(i.endpoint == endpoint for i in _items):
        _items.append(NavItem(endpoint, label, frozenset(roles), order))


def visible() -> list[tuple[str, str]]:
    """(url, msgid) of the entries the signed-in user may use, in menu order."""
    if not current_user.is_authenticated:
        return []
    mine = current_user.role_names
    return [
        (url_for(i.endpoint), i.label)
        for i in sorted(_items, key=lambda i: i.order)
        if not i.roles or i.roles & mine
    ]


def init_app(app: Flask) -> None:
    app.jinja_env.globals["staff_nav"] = visible
