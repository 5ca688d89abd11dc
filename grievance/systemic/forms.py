"""Forms of the registry, case-entity and cluster pages; messages through gettext."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import BooleanField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class EntityForm(FlaskForm):
    """The officer picks the entry the case concerns, types its code, or says none."""

    entry_id = SelectField(_l("Employer or facility"), choices=[], validate_choice=False)
    code = StringField(
        _l("Or its NSSF employer id or facility code"), validators=[Optional(), Length(max=40)]
    )


class OpenSystemicForm(FlaskForm):
    description = TextAreaField(
        _l("What the systemic case is about"),
        validators=[DataRequired(), Length(max=10000)],
    )


class ButtonForm(FlaskForm):
    """A form that is only a button: the CSRF token is its one field."""


class EntryForm(FlaskForm):
    name_km = StringField(_l("Name in Khmer"), validators=[Optional(), Length(max=200)])
    name_latin = StringField(_l("Name in Latin script"), validators=[Optional(), Length(max=200)])
    aliases = TextAreaField(
        _l("Other names, one per line"), validators=[Optional(), Length(max=4000)]
    )
    province_code = SelectField(_l("Province"), choices=[], validate_choice=False)
    district = StringField(_l("District"), validators=[Optional(), Length(max=100)])
    sector = StringField(_l("Sector"), validators=[Optional(), Length(max=100)])
    size = IntegerField(_l("Number of workers"), validators=[Optional(), NumberRange(min=0)])
    contract_status = SelectField(_l("Contract with NSSF"), choices=[], validate_choice=False)
    active = BooleanField(_l("Active"))


class ImportForm(FlaskForm):
    kind = SelectField(_l("Registry"), choices=[], validate_choice=False)
    sheet = FileField(_l("Sheet (CSV or XLSX)"), validators=[FileRequired()])
