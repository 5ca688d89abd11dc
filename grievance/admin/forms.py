"""Administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    Field,
    IntegerField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError
from wtforms.widgets import CheckboxInput, ListWidget


class Checkboxes(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class AccountForm(FlaskForm):
    """Editing an account: everything but the username."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    sex = SelectField(
        _l("Sex (cases where a woman officer was asked for need it)"),
        choices=[],
        default="not_stated",
    )
    roles = Checkboxes(_l("Roles"), choices=[], validators=[DataRequired()])
    province = SelectField(_l("Province of the roles"), choices=[])
    language = SelectField(_l("Language"), choices=[])
    queues = Checkboxes(_l("Queues"), choices=[], coerce=int)
    capacity = IntegerField(
        _l("Open cases at most"),
        validators=[Optional(), NumberRange(min=0, max=500)],
        render_kw={"inputmode": "numeric"},
    )


class NewAccountForm(AccountForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])


class ActionForm(FlaskForm):
    """Deactivation, reactivation and resets: a reason, always."""

    reason = TextAreaField(
        _l("Reason (kept in the admin log)"), validators=[DataRequired(), Length(max=500)]
    )


class StaffSheetForm(FlaskForm):
    sheet = FileField(_l("Sheet of new accounts (CSV or XLSX)"))

    def validate_sheet(self, field: Field) -> None:
        if not getattr(field.data, "filename", ""):
            raise ValidationError(_l("Please choose a CSV or XLSX file."))
