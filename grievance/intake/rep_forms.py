"""Forms of the representative's case page: the member's steps taken for the member."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    Field,
    Form,
    HiddenField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from grievance.i18n import label
from grievance.intake.checks import MAX_NARRATIVE
from grievance.intake.forms import PlainText, Required, text_of
from grievance.intake.representation import AGREEMENT_METHODS, Filters
from grievance.intake.services import category_choices
from workflows import WORKFLOWS


class RepStepForm(FlaskForm):
    class Meta:
        # CSRFProtect checks every POST before a view runs; the page carries its token.
        csrf = False

    version = HiddenField()

    def version_number(self) -> int | None:
        try:
            return int(self.version.data or "")
        except ValueError:
            return None

    def inputs(self) -> dict[str, object]:
        return {}

    def agreed_how(self) -> str | None:
        return None


class AnswerForMemberForm(RepStepForm):
    answer = TextAreaField(
        _l("The member's answer"),
        validators=[
            Required(_l("Please write the answer.")),
            PlainText(MAX_NARRATIVE, multiline=True),
        ],
    )

    def inputs(self) -> dict[str, object]:
        return {"answer": text_of(self.answer)}


class AgreementForm(RepStepForm):
    """Accepting or appealing for the member needs the member's agreement, as filing does."""

    agreed = BooleanField(_l("The member agreed to this"))
    how = RadioField(_l("How did the member agree?"), validate_choice=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.how.choices = [(value, label(text)) for value, text in AGREEMENT_METHODS.items()]

    def validate_agreed(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("You can do this only when the member has agreed."))

    def validate_how(self, field: Field) -> None:
        if field.data not in {value for value, _label in self.how.choices or []}:
            raise ValidationError(_("Please choose how the member agreed."))

    def agreed_how(self) -> str | None:
        return str(self.how.data)


class AcceptForMemberForm(AgreementForm):
    pass


class AppealForMemberForm(AgreementForm):
    reason = TextAreaField(
        _l("Why does the member disagree with the answer?"),
        validators=[
            Required(_l("Please write why.")),
            PlainText(MAX_NARRATIVE, multiline=True),
        ],
    )

    def inputs(self) -> dict[str, object]:
        return {"reason": text_of(self.reason)}


class AddForMemberForm(RepStepForm):
    text = TextAreaField(
        _l("Information to add"),
        validators=[
            Required(_l("Please write the information to add.")),
            PlainText(MAX_NARRATIVE, multiline=True),
        ],
    )


STEP_FORMS: dict[str, type[RepStepForm]] = {
    "provide_information": AnswerForMemberForm,
    "accept_resolution": AcceptForMemberForm,
    "accept_answer": AcceptForMemberForm,
    "appeal": AppealForMemberForm,
    "add_information": AddForMemberForm,
}


class RepFiltersForm(Form):
    """The organisation's cases, narrowed down (a GET form: nothing changes)."""

    member = StringField(_l("Member (name or phone)"))
    employer = StringField(_l("Employer or health facility"))
    category = SelectField(_l("Category"), validate_choice=False)
    state = SelectField(_l("Status"), validate_choice=False)
    deadline = SelectField(_l("Deadline"), validate_choice=False)

    def __init__(self, lang: str, formdata: Any) -> None:
        super().__init__(formdata)
        everything = ("", _("All"))
        self.category.choices = [everything, *category_choices(lang)]
        states: dict[str, str] = {}
        for workflow in WORKFLOWS.values():
            for state in workflow.states:
                states.setdefault(state.name, state.label)
        self.state.choices = [everything, *((k, label(v)) for k, v in states.items())]
        self.deadline.choices = [
            everything,
            ("late", _("Past the deadline")),
            ("week", _("Due within 7 days")),
        ]

    def filters(self) -> Filters:
        return Filters(
            member=str(self.member.data or "")[:100],
            employer=str(self.employer.data or "")[:100],
            category=str(self.category.data or ""),
            state=str(self.state.data or ""),
            deadline=str(self.deadline.data or ""),
        )
