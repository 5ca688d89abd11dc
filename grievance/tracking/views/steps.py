"""The step forms of the status page, as HTML.

An empty step form is the same for every case but for two values: the case version it was
shown with and the session's CSRF token. So each is rendered once per language (and app),
kept, and filled in with those two values; rendering three or four WTForms forms per
request was half of the page's time. A form sent back with her input and its errors is
rendered in full, as before.
"""

from __future__ import annotations

from flask import current_app, get_template_attribute
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup

from grievance.i18n import lang
from grievance.tracking.forms import STEP_FORMS, RateForm, StepForm

RATE = "rate"
MACROS = "tracking/_macros.html"
# Stand-ins for the two values, made of characters HTML escaping leaves alone.
VERSION_SLOT = "0samleng0version0"
TOKEN_SLOT = "0samleng0csrf0"
_CACHE = "samleng.blank_steps"


def blank_form(name: str, version: object) -> StepForm:
    """The empty form of step `name` ("rate" for the rating) shown with case `version`."""
    form_class = RateForm if name == RATE else STEP_FORMS[name]
    return form_class(formdata=None, prefix=name, version=version)


def sections(names: list[str], version: int, sent: dict[str, StepForm]) -> dict[str, Markup]:
    """Each step's section of the page, by name: the form `sent` back with its errors, or
    the empty form."""
    step = get_template_attribute(MACROS, "step")
    token, language = generate_csrf(), lang()
    cache: dict[tuple[str, str], Markup] = current_app.extensions.setdefault(_CACHE, {})
    shown = {}
    for name in names:
        if name in sent:
            shown[name] = step(name, sent[name], token)
            continue
        blank = cache.get((name, language))
        if blank is None:
            blank = step(name, blank_form(name, VERSION_SLOT), TOKEN_SLOT)
            if not current_app.jinja_env.auto_reload:  # templates being edited: not kept
                cache[(name, language)] = blank
        # Markup.replace escapes what it puts in.
        shown[name] = blank.replace(VERSION_SLOT, str(int(version))).replace(TOKEN_SLOT, token)
    return shown
