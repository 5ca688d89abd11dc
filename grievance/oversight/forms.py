"""Filter forms of the oversight pages (GET, no CSRF) and the XLSX export form (POST)."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from sqlalchemy import select
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from grievance.cases.models import Category, Province
from grievance.extensions import db
from grievance.khmer import sorted_choices
from grievance.oversight.exports import Filters

STATE_FILTERS = (
    ("", _l("Any state")),
    ("overdue", _l("Overdue")),
    ("closed", _l("Resolved")),
    ("referred", _l("Referred")),
)


class FilterForm(FlaskForm):
    province = SelectField(_l("Province"), validators=[Optional()])
    category = SelectField(_l("Type of problem"), validators=[Optional()])
    start = DateField(_l("Filed from"), validators=[Optional()])
    end = DateField(_l("Filed until"), validators=[Optional()])

    def __init__(self, lang: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        provinces = db.session.scalars(select(Province)).all()
        self.province.choices = [("", _l("All provinces"))] + sorted_choices(
            ((p.code, p.name(lang)) for p in provinces), lang
        )
        categories = db.session.scalars(select(Category)).all()
        self.category.choices = [("", _l("All types"))] + sorted_choices(
            ((c.code, c.name(lang)) for c in categories), lang, last=("other",)
        )

    def filters(self) -> Filters:
        return Filters(
            province=self.province.data or None,
            category=self.category.data or None,
            start=self.start.data,
            end=self.end.data,
        )


class SearchForm(FilterForm):
    class Meta:
        csrf = False

    state = SelectField(_l("State"), choices=STATE_FILTERS, validators=[Optional()])


class CsvForm(FilterForm):
    class Meta:
        csrf = False  # a download link: reading only


class XlsxForm(FilterForm):
    pass
