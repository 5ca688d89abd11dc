"""Forms of the public status page. Each action form carries the case version it was
shown with, so a step taken on a stale page is refused instead of applied blindly."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    HiddenField,
    MultipleFileField,
    RadioField,
    SelectMultipleField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional
from wtforms.widgets import CheckboxInput, ListWidget

from grievance.intake import uploads
from grievance.security import reference_mistyped
from grievance.tracking.services import MAX_FILES, MAX_TEXT

TYPING = {"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false"}
RATINGS = [
    (1, _l("1 – very unhappy")),
    (2, _l("2 – unhappy")),
    (3, _l("3 – neither happy nor unhappy")),
    (4, _l("4 – happy")),
    (5, _l("5 – very happy")),
]
MISTYPED = _l(
    "This reference looks mistyped: one character is wrong or two are swapped. "
    "Check it against your paper or SMS."
)
RATING_LABEL = _l("How happy are you with how we handled your case?")


class PublicForm(FlaskForm):
    class Meta:
        # CSRFProtect checks every POST before a view runs; the templates carry its token.
        # A second token per form would only cost time on the busiest pages.
        csrf = False


class LookupForm(PublicForm):
    reference = StringField(
        _l("Tracking reference"),
        validators=[
            DataRequired(message=_l("Please type your tracking reference.")),
            Length(max=40),
        ],
        render_kw=TYPING,
    )
    secret = StringField(
        _l("Secret"),
        validators=[DataRequired(message=_l("Please type your secret.")), Length(max=60)],
        render_kw=TYPING,
    )

    def validate_reference(self, field: StringField) -> None:
        # Only the check character is consulted: nothing about whether a case exists.
        if reference_mistyped(field.data or ""):
            raise ValidationError(MISTYPED)


class StepForm(PublicForm):
    version = HiddenField()

    def version_number(self) -> int | None:
        try:
            return int(self.version.data or "")
        except ValueError:
            return None

    def inputs(self) -> dict[str, object]:
        return {}


def _files_field() -> Any:
    return MultipleFileField(
        _l("Photos, documents or a voice note (optional, at most 3)"),
        render_kw={"accept": "image/jpeg,image/png,image/webp,application/pdf,audio/*"},
    )


class AnswerForm(StepForm):
    answer = TextAreaField(_l("Your answer"), validators=[Length(max=MAX_TEXT)])
    files = _files_field()
    # Her answer may be a voice note alone (tracking.services.take_step says so).
    ANSWER_REQUIRED: Any = _l("Please write your answer or choose a voice note.")

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.evidence: list[uploads.Evidence] = []

    def validate(self, extra_validators: Any = None) -> bool:
        valid = bool(super().validate(extra_validators))
        spoken = any(item.is_voice for item in self.evidence)
        if valid and self.ANSWER_REQUIRED and not (self.answer.data or "").strip() and not spoken:
            self.answer.errors = [str(self.ANSWER_REQUIRED)]
            return False
        return valid

    def validate_files(self, field: MultipleFileField) -> None:
        chosen = [f for f in field.data or [] if f is not None and getattr(f, "filename", None)]
        if len(chosen) > MAX_FILES:
            raise ValidationError(_("Please choose at most %(n)s files.", n=MAX_FILES))
        items, problems = uploads.inspect_all(chosen)
        if problems:
            raise ValidationError(" ".join(problems))
        self.evidence = items

    def inputs(self) -> dict[str, object]:
        return {"answer": self.answer.data}


class AddInformationForm(AnswerForm):
    """More information or a photo, at any open stage."""

    answer = TextAreaField(
        _l("What do you want to add?"),
        validators=[Length(max=MAX_TEXT)],
    )
    files = _files_field()  # after her words, as on the answer form
    ANSWER_REQUIRED = None  # text, files or both: the service refuses nothing at all

    def inputs(self) -> dict[str, object]:
        return {"text": self.answer.data}


class AcceptForm(StepForm):
    rating = RadioField(RATING_LABEL, choices=RATINGS, coerce=int, validators=[Optional()])
    comment = TextAreaField(
        _l("Anything you want to tell us (optional)"), validators=[Length(max=MAX_TEXT)]
    )

    def inputs(self) -> dict[str, object]:
        return {"rating": self.rating.data, "comment": self.comment.data}


class AppealForm(StepForm):
    reason = TextAreaField(
        _l("Why do you disagree with our answer?"),
        validators=[DataRequired(message=_l("Please tell us why.")), Length(max=MAX_TEXT)],
    )

    def inputs(self) -> dict[str, object]:
        return {"reason": self.reason.data}


class FollowUpForm(StepForm):
    comment = TextAreaField(
        _l("What else do you need to know?"),
        validators=[DataRequired(message=_l("Please write your question.")), Length(max=MAX_TEXT)],
    )

    def inputs(self) -> dict[str, object]:
        return {"comment": self.comment.data}


class WithdrawForm(StepForm):
    confirm = BooleanField(
        _l("Yes, I want to withdraw. I understand that my case will be closed."),
        validators=[DataRequired(message=_l("Tick the box to confirm."))],
    )
    reason = TextAreaField(_l("Why? (optional)"), validators=[Length(max=MAX_TEXT)])

    def inputs(self) -> dict[str, object]:
        return {"reason": self.reason.data}


class RateForm(StepForm):
    rating = RadioField(
        RATING_LABEL,
        choices=RATINGS,
        coerce=int,
        validators=[InputRequired(message=_l("Choose a number from 1 to 5."))],
    )
    comment = TextAreaField(
        _l("Anything you want to tell us (optional)"), validators=[Length(max=MAX_TEXT)]
    )


STEP_FORMS: dict[str, type[StepForm]] = {
    "provide_information": AnswerForm,
    "ask_follow_up": FollowUpForm,
    "accept_resolution": AcceptForm,
    "accept_answer": AcceptForm,
    "appeal": AppealForm,
    "add_information": AddInformationForm,
    "withdraw": WithdrawForm,
}


class RecoveryCodeForm(FlaskForm):
    """The code the caller reads back from the SMS."""

    code = StringField(
        _l("Code the caller reads out"),
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 12},
    )


class RecoveryChecksForm(FlaskForm):
    """No phone on file: which identity checks the caller passed, and how."""

    checks = SelectMultipleField(
        _l("Checks the caller passed"),
        choices=[],
        widget=ListWidget(prefix_label=False),
        option_widget=CheckboxInput(),
    )
    note = TextAreaField(_l("How you checked (what the caller said or showed)"))


class NewSecretRequestForm(FlaskForm):
    """The public page: reference and the phone number given when filing."""

    reference = StringField(_l("Tracking reference"), render_kw={"autocomplete": "off"})
    phone = StringField(
        _l("The phone number you gave when you filed"),
        render_kw={"inputmode": "tel", "autocomplete": "tel"},
    )
