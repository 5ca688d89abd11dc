"""Marker for translatable strings in pure code.

Workflow definitions cannot import Flask-Babel, so they mark English msgids with `N_`
(extracted by pybabel with `-k N_`) and the app translates them with gettext at render time.
"""


def N_(s: str) -> str:
    return s
