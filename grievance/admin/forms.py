"""Administration forms."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, SelectMultipleField, StringField
from wtforms.validators import DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget


class UserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=80)])
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    roles = SelectMultipleField(
        _l("Roles"),
        choices=[],
        validators=[DataRequired()],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    province = SelectField(_l("Province (empty: nationwide)"), choices=[])
    language = SelectField(_l("Language"), choices=[])
    password = PasswordField(
        _l("First password (at least 10 characters)"), validators=[DataRequired()]
    )
