"""Forms of the workspace and of the queue rules screen."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from grievance.queues.restricted import MAX_REASON, MIN_REASON


class CaseFilterForm(FlaskForm):
    """Filters travel in the query string; search words only in a POST body, because
    names and phone numbers must not end up in URLs or access logs."""

    class Meta:
        csrf = False  # GET filters carry no token; POSTs are checked by CSRFProtect

    scope = SelectField(
        _l("Cases"),
        choices=[("mine", _l("Assigned to me")), ("all", _l("All cases I can see"))],
        default="mine",
    )
    state = SelectField(_l("State"), choices=[], default="", validate_choice=False)
    category = SelectField(_l("Category"), choices=[], default="", validate_choice=False)
    province = SelectField(_l("Province"), choices=[], default="", validate_choice=False)
    priority = SelectField(_l("Priority"), choices=[], default="", validate_choice=False)
    q = StringField(
        _l("Search: reference, phone, name, employer or words"),
        validators=[Optional(), Length(max=100)],
    )
    page = IntegerField(default=1, validators=[Optional(), NumberRange(min=1)])


class ClaimForm(FlaskForm):
    queue = HiddenField()
    acknowledge = HiddenField()  # "1": acknowledge the most urgent new case and take it


class BreakGlassForm(FlaskForm):
    reason = TextAreaField(
        _l("Why do you need to open this case?"),
        validators=[DataRequired(), Length(min=MIN_REASON, max=MAX_REASON)],
    )


class BulkReassignForm(FlaskForm):
    leaving = SelectField(_l("Officer who is leaving"), choices=[], validate_choice=False)
    target = SelectField(_l("Give the cases to"), choices=[], validate_choice=False)
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
    mark_away = BooleanField(_l("Mark the officer as away (no new cases)"), default=True)
    confirmed = HiddenField()  # "1" once the supervisor has seen the preview


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class QueueForm(FlaskForm):
    code = StringField(
        _l("Code"),
        validators=[
            DataRequired(),
            Length(max=40),
            Regexp(r"^[a-z0-9][a-z0-9-]*$", message=_l("Use lower-case letters, digits, -.")),
        ],
    )
    name_en = StringField(_l("Name in English"), validators=[DataRequired(), Length(max=200)])
    name_km = StringField(_l("Name in Khmer"), validators=[DataRequired(), Length(max=200)])
    position = IntegerField(
        _l("Position (lower numbers are checked first)"),
        default=100,
        validators=[DataRequired(), NumberRange(min=0, max=100000)],
    )
    level = SelectField(
        _l("Level"),
        choices=[
            ("0", _l("Province office")),
            ("1", _l("National grievance unit")),
            ("2", _l("Oversight")),
        ],
        default="0",
    )
    province = SelectField(_l("Province"), choices=[], default="", validate_choice=False)
    category = SelectField(_l("Category"), choices=[], default="", validate_choice=False)
    kind = SelectField(_l("Kind"), choices=[], default="", validate_choice=False)
    confidentiality = SelectField(
        _l("Confidentiality"), choices=[], default="", validate_choice=False
    )
    restricted = BooleanField(_l("Restricted queue (members may open every restricted case)"))
    auto_assign = BooleanField(_l("Assign new cases automatically"))
    active = BooleanField(_l("Active"), default=True)
    members = MultiCheckboxField(_l("Members"), choices=[], coerce=int, validate_choice=False)
