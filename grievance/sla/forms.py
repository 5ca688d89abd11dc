"""Forms of the SLA admin screens and the case page's priority change."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, FloatField, SelectField, SelectMultipleField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from grievance.domain import PRIORITIES
from grievance.sla.admin import PolicyData

UNITS = (("days", _l("Working days")), ("hours", _l("Working hours")))


class ClosureForm(FlaskForm):
    start = DateField(_l("First day closed"), validators=[InputRequired()])
    end = DateField(_l("Last day closed"), validators=[InputRequired()])
    provinces = SelectMultipleField(
        _l("Provinces (choose none for the whole country)"), choices=[], validate_choice=False
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class RemoveForm(FlaskForm):
    """Only the CSRF token: removing needs a POST from our own page."""


def _target(label: object, required: bool = True) -> FloatField:
    checks = [InputRequired() if required else Optional(), NumberRange(min=0.25, max=3650)]
    return FloatField(label, validators=checks)


class PolicyForm(FlaskForm):
    unit = SelectField(_l("Unit"), choices=UNITS)
    acknowledge = _target(_l("Acknowledge within"))
    resolve = _target(_l("Resolve within"))
    # The ladder, in the order of SlaPolicy.escalation (LADDER): one target per level.
    level1 = _target(_l("Escalation level 1: province office"))
    level2 = _target(_l("Escalation level 2: national grievance unit"))
    level3 = _target(_l("Escalation level 3: oversight body"))

    def data_for_service(self) -> PolicyData:
        levels = (self.level1, self.level2, self.level3)
        return PolicyData(
            unit=str(self.unit.data),
            acknowledge=float(self.acknowledge.data or 0),
            resolve=float(self.resolve.data or 0),
            escalation=[float(level.data or 0) for level in levels],
        )


class NewPolicyForm(PolicyForm):
    scope = SelectField(_l("Applies to"), choices=[], validate_choice=True)
    priority = SelectField(_l("Priority"), choices=[(k, _l(v)) for k, v in PRIORITIES.items()])


class PriorityForm(FlaskForm):
    priority = SelectField(_l("New priority"), choices=[])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])
