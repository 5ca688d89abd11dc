"""Intake forms: adapters from a form to a `Submission`.

The rules are the pipeline's (`grievance.intake.submission`); a form only parses what was
typed (a count, a ticked box), adds what is its own (the CSRF token, "filing for a group",
the member's agreement) and shows each `Problem` as a translated message beside its field.
Typed text stays in the fields."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    FileField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, StopValidation, ValidationError

from grievance.domain import SEXES
from grievance.formats import number
from grievance.i18n import label
from grievance.intake import pipeline, uploads
from grievance.intake.checks import has_control_chars, parse_count
from grievance.intake.services import category_choices, province_choices
from grievance.intake.submission import LANGUAGES, Problem, Submission
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
    """No control characters, and not longer than `limit` characters (for the text of
    forms that are not complaints: forum details, answers)."""

    def __init__(self, limit: int, multiline: bool = False) -> None:
        self.limit = limit
        self.multiline = multiline

    def __call__(self, form: FlaskForm, field: Field) -> None:
        text = field.data or ""
        if len(text) > self.limit:
            raise ValidationError(too_long(len(text), self.limit))
        if has_control_chars(text, self.multiline):
            raise ValidationError(control_chars())


def too_long(count: int, limit: int) -> str:
    return _(
        "This is too long: %(count)s characters. Please keep it under %(max)s.",
        count=number(count),
        max=number(limit),
    )


def control_chars() -> str:
    return _("This contains invisible control characters. Please type it again.")


def problem_message(problem: Problem, required: Any = None) -> str:
    """A submission rule's refusal in the reader's language. `required`: the form's own
    wording for a missing required text."""
    field, code = problem.field, problem.code
    if field == "category":
        return _("Please choose what your complaint is about.")
    if field == "province":
        return _("Please choose a province from the list.")
    if code == "too_long":
        return too_long(problem.given or 0, problem.limit or 0)
    if code == "control_chars":
        return control_chars()
    if code == "required" and required is not None:
        return str(required)
    messages = {
        "description": _("Please tell us what happened."),
        "phone": _(
            "This is not a phone number we can use. Write it like 012 345 678 or +855 12 345 678."
        ),
        "affected_count": _("Write how many workers are affected, as a number (for example 25)."),
        "consent_how": _("Please choose how the member agreed."),
        "evidence": _("Please choose at most %(n)s files.", n=problem.limit or 0),
    }
    return messages.get(field, _("Please choose one of the options."))


class SubmissionForm(FlaskForm):
    """A form whose answers are a Submission: validated by the pipeline's rules."""

    REQUIRED: dict[str, Any] = {}  # field -> the form's wording when it is left empty

    def submission(self) -> Submission:
        raise NotImplementedError

    def filer(self) -> pipeline.Filer:
        return pipeline.COMPLAINANT

    def validate(self, extra_validators: Any = None) -> bool:
        fields_ok = super().validate(extra_validators)
        _cleaned, problems = pipeline.validate(self.submission(), self.filer())
        self.show(problems)
        return fields_ok and not problems

    def show(self, problems: list[Problem]) -> None:
        """Each problem beside its field (the first message only: one thing to fix)."""
        for problem in problems:
            field = getattr(self, problem.field, None)
            if not isinstance(field, Field) or field.errors:
                continue
            field.errors = [problem_message(problem, self.REQUIRED.get(problem.field))]


def narrative_field(label: Any, **render: Any) -> Any:
    """The free text of a complaint (the pipeline checks it)."""
    return TextAreaField(label, render_kw=render or None)


def category_field(label: Any = _l("Category"), kind: Any = SelectField) -> Any:
    return kind(label, validate_choice=False)


def province_field() -> Any:
    return SelectField(_l("Province or city"), validate_choice=False)


def _sex_choices() -> list[tuple[str, str]]:
    return [(code, label(msgid)) for code, msgid in SEXES.items()]


def _sex(field: Field) -> str:
    return field.data if field.data in SEXES else "not_stated"


def _language(field: Field) -> str:
    return field.data if field.data in LANGUAGES else "km"


def _count(field: Field) -> int:
    """A typed worker count; 0 (refused by the rules) when it is not a whole number."""
    return parse_count(field.data) or 0


def voice_field(label: Any) -> Any:
    return FileField(label, render_kw={"accept": "audio/*"})


class VoiceNote:
    """A form's `voice` field: one recording, checked by content like every upload (a
    renamed photo is refused), kept as evidence and played like the public form's."""

    voice: Any
    voice_items: list[uploads.Evidence]

    def validate_voice(self, field: Field) -> None:
        self.voice_items, problems = uploads.inspect_all([field.data])
        if problems:
            raise ValidationError(" ".join(problems))
        if any(not item.is_voice for item in self.voice_items):
            self.voice_items = []
            raise ValidationError(
                _("This is not a voice note. Please choose a recording (Ogg, M4A, MP3, AMR, WAV).")
            )


class CaseFields(VoiceNote, SubmissionForm):
    """What every complaint form asks: the problem, where, and who (optional)."""

    description = narrative_field(_l("What happened?"))
    category = category_field(_l("What is it about?"), RadioField)
    province = province_field()
    concerned_name = StringField(_l("Employer, health facility or office concerned (optional)"))
    name = StringField(_l("Name (optional)"), render_kw={"autocomplete": "name"})
    phone = StringField(
        _l("Phone number (optional)"), render_kw={"inputmode": "tel", "autocomplete": "tel"}
    )
    sex = RadioField(_l("Sex"), validate_choice=False, default="not_stated")
    language = RadioField(_l("Language for our messages"), validate_choice=False)
    consent_to_contact = BooleanField(_l("You may contact me by phone or SMS about this complaint"))
    confidential = BooleanField(
        _l("Keep my name and phone number confidential (only the officer in charge sees them)")
    )
    prefers_woman_officer = BooleanField(_l("I would prefer a woman officer"))
    voice = voice_field(_l("Or say it in a voice note (optional)"))
    evidence = MultipleFileField(
        _l("Photos or documents (optional)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf,audio/*"},
    )
    channel = "web"

    def __init__(self, lang: str, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.category.choices = category_choices(lang)
        self.province.choices = [("", _("Choose…")), *province_choices(lang)]
        self.sex.choices = _sex_choices()
        self.language.choices = LANGUAGE_CHOICES
        if not self.language.data:
            self.language.data = lang
        self.evidence_items: list[uploads.Evidence] = []
        self.voice_items = []

    def validate_evidence(self, field: Field) -> None:
        self.evidence_items, problems = uploads.inspect_all(field.data or [])
        if problems:
            raise ValidationError(" ".join(problems))

    @property
    def files_chosen(self) -> bool:
        chosen = [*(self.evidence.data or []), self.voice.data]
        return any(getattr(f, "filename", "") for f in chosen)

    def affected(self) -> int:
        return 1

    def submission(self) -> Submission:
        return Submission(
            description=text_of(self.description),
            category=text_of(self.category),
            province=text_of(self.province),
            channel=self.channel,
            name=text_of(self.name),
            phone=text_of(self.phone),
            sex=_sex(self.sex),
            language=_language(self.language),
            consent_to_contact=bool(self.consent_to_contact.data),
            confidential=bool(self.confidential.data),
            prefers_woman_officer=bool(self.prefers_woman_officer.data),
            affected_count=self.affected(),
            concerned_name=text_of(self.concerned_name),
            evidence=[*self.voice_items, *self.evidence_items],
        )


class PublicForm(CaseFields):
    REQUIRED = {"description": _l("Please tell us what happened, in writing or in a voice note.")}
    on_behalf = BooleanField(_l("I am filing for a group of workers"))
    affected_count = StringField(
        _l("How many workers are affected?"), render_kw={"inputmode": "numeric"}
    )
    nonce = HiddenField()

    def validate_affected_count(self, field: Field) -> None:
        # Ticking "for a group" asks for the number: an empty one is a mistake here.
        if self.on_behalf.data and not text_of(field):
            raise ValidationError(
                _("Write how many workers are affected, as a number (for example 25).")
            )

    def validate_nonce(self, field: Field) -> None:
        if not NONCE.match(field.data or ""):
            field.data = ""

    def affected(self) -> int:
        # A number typed without ticking the box still says it is a group.
        return _count(self.affected_count) if text_of(self.affected_count) else 1


class CodesBySmsForm(FlaskForm):
    """On the success page: send me the codes by SMS."""

    phone = StringField(
        _l("Phone number for the SMS"),
        validators=[Required(_l("Please write a phone number.")), PlainText(40)],
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )

    def validate_phone(self, field: Field) -> None:
        if to_e164(text_of(field)) is None:
            raise ValidationError(
                _(
                    "This is not a phone number we can use. "
                    "Write it like 012 345 678 or +855 12 345 678."
                )
            )

    def e164(self) -> str:
        return to_e164(text_of(self.phone)) or ""


class CallerLookupForm(FlaskForm):
    caller = StringField(
        _l("Find the caller's earlier cases by phone"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"inputmode": "tel", "autocomplete": "off"},
    )


def typeable(
    choices: list[tuple[str, str]], latin: dict[str, str] | None = None
) -> list[tuple[str, str]]:
    """Labels a Latin keyboard can choose in a closed list: each starts with its number in
    the list, or with its Latin name, before the Khmer."""
    if latin is None:
        return [(value, f"{n}. {text}") for n, (value, text) in enumerate(choices, start=1)]
    labelled = [(value, f"{latin.get(value, value)} · {text}") for value, text in choices]
    return sorted(labelled, key=lambda c: c[1])


class HotlineForm(VoiceNote, SubmissionForm):
    """One screen for a live call, in the order the caller is asked."""

    phone = StringField(
        _l("Caller's phone"),
        render_kw={"inputmode": "tel", "autofocus": True, "autocomplete": "off"},
    )
    category = category_field()
    province = province_field()
    description = narrative_field(_l("What happened?"))
    sex = SelectField(_l("Sex"), validate_choice=False, default="not_stated")
    name = StringField(_l("Caller's name (optional)"))
    language = SelectField(_l("Language for our messages"), validate_choice=False)
    consent_to_contact = BooleanField(_l("The caller agrees to be contacted"))
    channel = SelectField(
        _l("How the complaint came in"),
        validate_choice=False,
    )
    concerned_name = StringField(_l("Employer or health facility concerned (optional)"))
    confidential = BooleanField(_l("The caller wants name and phone kept confidential"))
    prefers_woman_officer = BooleanField(_l("The caller prefers a woman officer"))
    voice = voice_field(_l("A voice note the caller recorded (optional)"))

    def __init__(self, lang: str, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.voice_items = []
        categories, provinces = category_choices(lang), province_choices(lang)
        if lang == "km":  # typed on a Latin keyboard: numbers and Latin names choose
            categories = typeable(categories)
            provinces = typeable(provinces, dict(province_choices("en")))
        self.category.choices = [("", _("Choose…")), *categories]
        self.province.choices = [("", _("Choose…")), *provinces]
        self.sex.choices = _sex_choices()
        self.language.choices = LANGUAGE_CHOICES
        self.channel.choices = [("hotline", _("Hotline")), ("walk_in", _("Walk-in"))]

    def filer(self) -> pipeline.Filer:
        return pipeline.Filer("intake", self.user)

    def submission(self) -> Submission:
        return Submission(
            description=text_of(self.description),
            category=text_of(self.category),
            province=text_of(self.province),
            channel=self.channel.data if self.channel.data in ("hotline", "walk_in") else "hotline",
            name=text_of(self.name),
            phone=text_of(self.phone),
            sex=_sex(self.sex),
            language=_language(self.language),
            consent_to_contact=bool(self.consent_to_contact.data),
            concerned_name=text_of(self.concerned_name),
            confidential=bool(self.confidential.data),
            prefers_woman_officer=bool(self.prefers_woman_officer.data),
            evidence=list(self.voice_items),
        )
