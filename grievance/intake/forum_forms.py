"""Forms of the forum screens."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import Field, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from grievance.domain import FORUM_LEVELS, SEXES
from grievance.i18n import label
from grievance.intake import pipeline
from grievance.intake.checks import MAX_NARRATIVE, parse_count
from grievance.intake.forms import (
    PlainText,
    SubmissionForm,
    category_field,
    narrative_field,
    province_field,
    text_of,
)
from grievance.intake.forums import ForumData
from grievance.intake.services import category_choices, province_choices
from grievance.intake.submission import Submission

BILINGUAL = ("title", "venue", "organisers")


def _date(field: Field) -> date | None:
    try:
        return date.fromisoformat(text_of(field))
    except ValueError:
        return None


class ForumForm(FlaskForm):
    """A forum's title, venue and organisers in Khmer and in English: at least one of
    each pair (the public pages show the reader's language, else the other)."""

    title_km = StringField(_l("Title in Khmer"), validators=[PlainText(300)])
    title = StringField(_l("Title in English"), validators=[PlainText(300)])
    level = SelectField(_l("Kind of forum"), validate_choice=False)
    start_date = StringField(_l("Date"), render_kw={"type": "date"})
    end_date = StringField(_l("Last day (if more than one day)"), render_kw={"type": "date"})
    province = province_field()
    venue_km = StringField(_l("Venue in Khmer"), validators=[PlainText(200)])
    venue = StringField(_l("Venue in English"), validators=[PlainText(200)])
    organisers_km = StringField(_l("Organisers in Khmer"), validators=[PlainText(300)])
    organisers = StringField(_l("Organisers in English"), validators=[PlainText(300)])
    participants_female = StringField(_l("Women taking part"), render_kw={"inputmode": "numeric"})
    participants_male = StringField(_l("Men taking part"), render_kw={"inputmode": "numeric"})
    participants_total = StringField(
        _l("All participants (if some did not say)"), render_kw={"inputmode": "numeric"}
    )
    notes = TextAreaField(_l("Notes"), validators=[PlainText(MAX_NARRATIVE, multiline=True)])

    def __init__(self, lang: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.level.choices = [(k, label(v)) for k, v in FORUM_LEVELS.items()]
        self.province.choices = [("", _("Choose…")), *province_choices(lang)]

    def validate_province(self, field: Field) -> None:
        # The choices are the user's own provinces: a forum elsewhere could not be opened.
        if not field.data or field.data not in {code for code, _name in field.choices or []}:
            raise ValidationError(_("Please choose a province from the list."))

    def validate_title(self, field: Field) -> None:
        if not text_of(field) and not text_of(self.title_km):
            raise ValidationError(_("Please give the forum a title."))

    def validate_venue(self, field: Field) -> None:
        if not text_of(field) and not text_of(self.venue_km):
            raise ValidationError(_("Please say where it took place."))

    def validate_level(self, field: Field) -> None:
        if field.data not in FORUM_LEVELS:
            raise ValidationError(_("Please choose the kind of forum."))

    def validate_start_date(self, field: Field) -> None:
        if _date(field) is None:
            raise ValidationError(_("Please give the date, for example 2026-03-08."))

    def validate_end_date(self, field: Field) -> None:
        if not text_of(field):
            return
        end, start = _date(field), _date(self.start_date)
        if end is None:
            raise ValidationError(_("Please give the date, for example 2026-03-08."))
        if start is not None and end < start:
            raise ValidationError(_("The last day cannot be before the first."))

    def _count(self, field: Field) -> None:
        if text_of(field) and parse_count(field.data) is None:
            raise ValidationError(_("Please write a whole number."))

    def validate_participants_female(self, field: Field) -> None:
        self._count(field)

    def validate_participants_male(self, field: Field) -> None:
        self._count(field)

    def validate_participants_total(self, field: Field) -> None:
        self._count(field)
        total = parse_count(field.data) if text_of(field) else None
        counted = (parse_count(self.participants_female.data) or 0) + (
            parse_count(self.participants_male.data) or 0
        )
        if total is not None and total < counted:
            raise ValidationError(_("The total cannot be less than women and men together."))

    def data_for_service(self) -> ForumData:
        start = _date(self.start_date) or date.today()

        def count(field: Field) -> int | None:
            return parse_count(field.data) if text_of(field) else None

        khmer = {name: text_of(getattr(self, f"{name}_km")) for name in BILINGUAL}
        return ForumData(
            # The English title is the forum's unique name: the Khmer one when not given.
            title=text_of(self.title) or khmer["title"],
            title_km=khmer["title"],
            venue_km=khmer["venue"],
            organisers_km=khmer["organisers"],
            level=self.level.data,
            province_code=self.province.data,
            venue=text_of(self.venue) or khmer["venue"],
            start_date=start,
            end_date=_date(self.end_date) or start,
            organisers=text_of(self.organisers),
            participants_female=count(self.participants_female),
            participants_male=count(self.participants_male),
            participants_total=count(self.participants_total),
            notes=(self.notes.data or "").strip(),
        )


class ConcernForm(SubmissionForm):
    """One concern raised at a forum, typed by intake staff (the forum's case adapter)."""

    REQUIRED = {"description": _l("Please write the concern.")}

    description = narrative_field(_l("Concern raised"), autofocus=True)
    category = category_field()
    province = province_field()
    sex = SelectField(_l("Sex of the speaker"), validate_choice=False, default="not_stated")
    affected_count = StringField(
        _l("Workers affected"), default="1", render_kw={"inputmode": "numeric"}
    )
    name = StringField(_l("Speaker's name (optional)"))
    phone = StringField(_l("Speaker's phone (optional)"), render_kw={"inputmode": "tel"})

    def __init__(self, lang: str, user: Any, forum_id: int, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.forum_id = forum_id
        self.category.choices = [("", _("Choose…")), *category_choices(lang)]
        self.province.choices = province_choices(lang)
        self.sex.choices = [(k, label(v)) for k, v in SEXES.items()]

    def filer(self) -> pipeline.Filer:
        return pipeline.Filer("intake", self.user)

    def submission(self) -> Submission:
        return Submission(
            description=text_of(self.description),
            category=text_of(self.category),
            province=text_of(self.province),
            channel="forum",
            name=text_of(self.name),
            phone=text_of(self.phone),
            sex=self.sex.data if self.sex.data in SEXES else "not_stated",
            affected_count=parse_count(self.affected_count.data) or 0,
            forum_id=self.forum_id,
        )


class ImportForm(FlaskForm):
    sheet = FileField(_l("Sheet (CSV or XLSX)"))

    def validate_sheet(self, field: Field) -> None:
        if not getattr(field.data, "filename", ""):
            raise ValidationError(_("Please choose a CSV or XLSX file."))
