"""Intake forms. Every message is translated and shown beside its field; typed text stays."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import StopValidation, ValidationError

from grievance.domain import SEXES
from grievance.formats import number
from grievance.i18n import label
from grievance.intake import uploads
from grievance.intake.checks import (
    MAX_AFFECTED,
    MAX_NARRATIVE,
    MAX_SHORT,
    has_control_chars,
    parse_count,
)
from grievance.intake.services import (
    CONSENT_METHODS,
    Submission,
    category_choices,
    province_choices,
)
from grievance.phones import to_e164

NONCE = re.compile(r"^[A-Za-z0-9_-]{8,64}$")
LANGUAGE_CHOICES = [("km", "ខ្មែរ"), ("en", "English")]


def text_of(field: Field) -> str:
    return (field.data or "").strip() if isinstance(field.data, str) else ""


class Required:
    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not text_of(field):
            raise StopValidation(str(self.message))


class PlainText:
    """No control characters, and not longer than `limit` characters."""

    def __init__(self, limit: int, multiline: bool = False) -> None:
        self.limit = limit
        self.multiline = multiline

    def __call__(self, form: FlaskForm, field: Field) -> None:
        text = field.data or ""
        if len(text) > self.limit:
            raise ValidationError(
                _(
                    "This is too long: %(count)s characters. Please keep it under %(max)s.",
                    count=number(len(text)),
                    max=number(self.limit),
                )
            )
        if has_control_chars(text, self.multiline):
            raise ValidationError(
                _("This contains invisible control characters. Please type it again.")
            )


class OneOf:
    def __init__(self, message: Any) -> None:
        self.message = message

    def __call__(self, form: FlaskForm, field: Field) -> None:
        if not field.data or field.data not in {value for value, _label in field.choices or []}:
            raise ValidationError(str(self.message))


class PhoneNumber:
    def __call__(self, form: FlaskForm, field: Field) -> None:
        if text_of(field) and to_e164(text_of(field)) is None:
            raise ValidationError(
                _(
                    "This is not a phone number we can use. "
                    "Write it like 012 345 678 or +855 12 345 678."
                )
            )


def narrative_field(label: Any, missing: Any, **render: Any) -> Any:
    """A required free-text field of up to MAX_NARRATIVE characters."""
    return TextAreaField(
        label,
        validators=[Required(missing), PlainText(MAX_NARRATIVE, multiline=True)],
        render_kw=render or None,
    )


def category_field(label: Any = _l("Category"), kind: Any = SelectField) -> Any:
    return kind(
        label,
        validate_choice=False,
        validators=[OneOf(_l("Please choose what your complaint is about."))],
    )


def province_field() -> Any:
    return SelectField(
        _l("Province or city"),
        validate_choice=False,
        validators=[OneOf(_l("Please choose a province from the list."))],
    )


def mark_refused(form: Any, code: str) -> None:
    """The service refused what the form accepted (the lists changed in between)."""
    if code == "unknown_province":
        form.province.errors = [_("Please choose a province from the list.")]
    else:
        form.category.errors = [_("Please choose what your complaint is about.")]


def _sex_choices() -> list[tuple[str, str]]:
    return [(code, label(msgid)) for code, msgid in SEXES.items()]


class CaseFields(FlaskForm):
    """What every complaint form asks: the problem, where, and who (optional)."""

    description = narrative_field(_l("What happened?"), _l("Please tell us what happened."))
    category = category_field(_l("What is it about?"), RadioField)
    province = province_field()
    concerned_name = StringField(
        _l("Employer, health facility or office concerned (optional)"),
        validators=[PlainText(MAX_SHORT)],
    )
    name = StringField(
        _l("Name (optional)"), validators=[PlainText(MAX_SHORT)], render_kw={"autocomplete": "name"}
    )
    phone = StringField(
        _l("Phone number (optional)"),
        validators=[PlainText(40), PhoneNumber()],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
    sex = RadioField(_l("Sex"), validate_choice=False, default="not_stated")
    language = RadioField(_l("Language for our messages"), validate_choice=False)
    consent_to_contact = BooleanField(_l("You may contact me by phone or SMS about this complaint"))
    confidential = BooleanField(
        _l("Keep my name and phone number confidential (only the officer in charge sees them)")
    )
    prefers_woman_officer = BooleanField(_l("I would prefer a woman officer"))
    evidence = MultipleFileField(
        _l("Photos or documents (optional)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf"},
    )

    def __init__(self, lang: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(lang)
        self.province.choices = [("", _("Choose…")), *province_choices(lang)]
        self.sex.choices = _sex_choices()
        self.language.choices = LANGUAGE_CHOICES
        if not self.language.data:
            self.language.data = lang
        self.evidence_items: list[uploads.Evidence] = []

    def validate_sex(self, field: Field) -> None:
        if field.data not in SEXES:
            field.data = "not_stated"

    def validate_language(self, field: Field) -> None:
        if field.data not in ("km", "en"):
            field.data = "km"

    def validate_evidence(self, field: Field) -> None:
        self.evidence_items, problems = uploads.inspect_all(field.data or [])
        if problems:
            raise ValidationError(" ".join(problems))

    @property
    def files_chosen(self) -> bool:
        return any(getattr(f, "filename", "") for f in self.evidence.data or [])

    def affected(self) -> int:
        return 1

    def submission(self, channel: str) -> Submission:
        phone = text_of(self.phone)
        return Submission(
            description=(self.description.data or "").strip(),
            category_code=self.category.data,
            province_code=self.province.data,
            channel=channel,
            name=text_of(self.name) or None,
            phone=to_e164(phone) if phone else None,
            sex=self.sex.data or "not_stated",
            language=self.language.data or "km",
            consent_to_contact=bool(self.consent_to_contact.data),
            confidential=bool(self.confidential.data),
            prefers_woman_officer=bool(self.prefers_woman_officer.data),
            affected_count=self.affected(),
            concerned_name=text_of(self.concerned_name) or None,
            evidence=list(self.evidence_items),
        )


class GroupFields:
    """'Filing for others' with the number of workers affected."""

    def _group_count(self, on_behalf: Field, count: Field) -> int:
        # A number typed without ticking the box still says it is a group.
        return parse_count(count.data) or 1

    def _check_group(self, on_behalf: Field, count: Field) -> None:
        if not on_behalf.data and not text_of(count):
            return
        value = parse_count(count.data)
        if value is None or not 1 <= value <= MAX_AFFECTED:
            raise ValidationError(
                _("Write how many workers are affected, as a number (for example 25).")
            )


class PublicForm(CaseFields, GroupFields):
    on_behalf = BooleanField(_l("I am filing for a group of workers"))
    affected_count = StringField(
        _l("How many workers are affected?"), render_kw={"inputmode": "numeric"}
    )
    nonce = HiddenField()

    def validate_affected_count(self, field: Field) -> None:
        self._check_group(self.on_behalf, field)

    def validate_nonce(self, field: Field) -> None:
        if not NONCE.match(field.data or ""):
            field.data = ""

    def affected(self) -> int:
        return self._group_count(self.on_behalf, self.affected_count)


class RepresentativeForm(CaseFields, GroupFields):
    name = StringField(_l("Member's name (optional)"), validators=[PlainText(MAX_SHORT)])
    phone = StringField(
        _l("Member's phone number (optional)"),
        validators=[PlainText(40), PhoneNumber()],
        render_kw={"inputmode": "tel"},
    )
    affected_count = StringField(
        _l("How many workers are affected?"),
        default="1",
        render_kw={"inputmode": "numeric"},
    )
    consent_given = BooleanField(_l("The member agreed that we file this complaint for them"))
    consent_how = RadioField(_l("How did the member agree?"), validate_choice=False)

    def __init__(self, lang: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(lang, *args, **kwargs)
        self.consent_how.choices = [
            ("written", _("In writing")),
            ("verbal", _("By word of mouth")),
            ("thumbprint", _("By thumbprint")),
        ]

    def validate_affected_count(self, field: Field) -> None:
        value = parse_count(field.data)
        if value is None or not 1 <= value <= MAX_AFFECTED:
            raise ValidationError(
                _("Write how many workers are affected, as a number (for example 25).")
            )

    def validate_consent_given(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("You can file only when the member has agreed."))

    def validate_consent_how(self, field: Field) -> None:
        if field.data not in CONSENT_METHODS:
            raise ValidationError(_("Please choose how the member agreed."))

    def affected(self) -> int:
        return parse_count(self.affected_count.data) or 1


class InformationForm(FlaskForm):
    text = narrative_field(_l("Information to add"), _l("Please write the information to add."))


class HotlineForm(FlaskForm):
    """One screen for a live call, in the order the caller is asked."""

    phone = StringField(
        _l("Caller's phone"),
        validators=[PlainText(40), PhoneNumber()],
        render_kw={"inputmode": "tel", "autofocus": True, "autocomplete": "off"},
    )
    category = category_field()
    province = province_field()
    description = narrative_field(_l("What happened?"), _l("Please tell us what happened."))
    sex = SelectField(_l("Sex"), validate_choice=False, default="not_stated")
    name = StringField(_l("Caller's name (optional)"), validators=[PlainText(MAX_SHORT)])
    language = SelectField(_l("Language for our messages"), validate_choice=False)
    consent_to_contact = BooleanField(_l("The caller agrees to be contacted"))
    channel = SelectField(
        _l("How the complaint came in"),
        validate_choice=False,
    )

    def __init__(self, lang: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = [("", _("Choose…")), *category_choices(lang)]
        self.province.choices = [("", _("Choose…")), *province_choices(lang)]
        self.sex.choices = _sex_choices()
        self.language.choices = LANGUAGE_CHOICES
        self.channel.choices = [("hotline", _("Hotline")), ("walk_in", _("Walk-in"))]

    def validate_channel(self, field: Field) -> None:
        if field.data not in ("hotline", "walk_in"):
            field.data = "hotline"

    def submission(self) -> Submission:
        phone = text_of(self.phone)
        return Submission(
            description=(self.description.data or "").strip(),
            category_code=self.category.data,
            province_code=self.province.data,
            channel=self.channel.data or "hotline",
            name=text_of(self.name) or None,
            phone=to_e164(phone) if phone else None,
            sex=self.sex.data if self.sex.data in SEXES else "not_stated",
            language=self.language.data if self.language.data in ("km", "en") else "km",
            consent_to_contact=bool(self.consent_to_contact.data),
        )
