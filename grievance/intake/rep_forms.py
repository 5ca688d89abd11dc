"""Forms of the representative's case page: the member's steps taken for the member."""

from __future__ import annotations

from typing import Any

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from wtforms import (
    BooleanField,
    Field,
    FieldList,
    Form,
    FormField,
    RadioField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import ValidationError

from grievance.i18n import label
from grievance.intake import pipeline
from grievance.intake.checks import MAX_NARRATIVE
from grievance.intake.forms import (
    CaseFields,
    PlainText,
    Required,
    _count,
    _sex,
    _sex_choices,
    text_of,
    voice_field,
)
from grievance.intake.rep_page import MEMBER_WORDS
from grievance.intake.representation import AGREEMENT_METHODS, Filters, OtherMember
from grievance.intake.services import category_choices
from grievance.intake.submission import Submission
from grievance.phones import to_e164
from grievance.tracking.forms import StepForm
from workflows import WORKFLOWS


class RepStepForm(StepForm):
    """A step the representative takes for the member: the member's own step form, plus how
    the member agreed."""

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
                states.setdefault(state.name, MEMBER_WORDS.get(state.label, state.label))
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


class OtherMemberForm(Form):
    """Another member of the same workplace, in a complaint filed for several members."""

    name = StringField(_l("Name"))
    phone = StringField(_l("Phone number (optional)"), render_kw={"inputmode": "tel"})
    sex = SelectField(_l("Sex"), validate_choice=False, default="not_stated")
    how = SelectField(_l("How did the member agree?"), validate_choice=False)
    contact = BooleanField(_l("The member may be contacted by SMS"))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.sex.choices = _sex_choices()
        self.how.choices = [("", _("Choose…"))] + [
            (value, label(text)) for value, text in AGREEMENT_METHODS.items()
        ]

    def filled(self) -> bool:
        return bool(text_of(self.name) or text_of(self.phone))

    def check(self) -> bool:
        """Marks what is missing or wrong on a filled row; True when it is right."""
        if not text_of(self.name):
            self.name.errors = [_("Please write the member's name.")]
        if self.how.data not in AGREEMENT_METHODS:
            self.how.errors = [_("Please choose how the member agreed.")]
        if text_of(self.phone) and to_e164(text_of(self.phone)) is None:
            self.phone.errors = [_("This phone number does not look right.")]
        return not (self.name.errors or self.how.errors or self.phone.errors)

    def member(self) -> OtherMember:
        phone = to_e164(text_of(self.phone)) if text_of(self.phone) else None
        return OtherMember(
            name=text_of(self.name),
            phone=phone,
            sex=_sex(self.sex),
            how=str(self.how.data),
            contact=bool(self.contact.data) and phone is not None,
        )


OTHER_MEMBER_ROWS = 5


class RepresentativeForm(CaseFields):
    name = StringField(_l("Member's name (optional)"))
    phone = StringField(_l("Member's phone number (optional)"), render_kw={"inputmode": "tel"})
    affected_count = StringField(
        _l("How many workers are affected?"),
        default="1",
        render_kw={"inputmode": "numeric"},
    )
    voice = voice_field(_l("A voice note the member recorded (optional)"))
    consent_given = BooleanField(_l("The member agreed that we file this complaint for them"))
    consent_how = RadioField(_l("How did the member agree?"), validate_choice=False)

    def __init__(self, lang: str, user: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(lang, *args, **kwargs)
        self.user = user
        self.consent_how.choices = [
            ("written", _("In writing")),
            ("verbal", _("By word of mouth")),
            ("thumbprint", _("By thumbprint")),
        ]

    others = FieldList(
        FormField(OtherMemberForm), min_entries=OTHER_MEMBER_ROWS, max_entries=OTHER_MEMBER_ROWS
    )
    separately = RadioField(
        _l("Cases for several members"),
        choices=[
            ("", _l("One case, with every member listed as affected")),
            ("y", _l("One case per member (their problems differ), linked together")),
        ],
        default="",
        validate_choice=False,
    )

    def validate_consent_given(self, field: Field) -> None:
        if not field.data:
            raise ValidationError(_("You can file only when the member has agreed."))

    def validate_others(self, field: Field) -> None:
        rows = [row.form for row in self.others if row.form.filled()]
        if not all([row.check() for row in rows]):  # every row marked, not only the first
            raise ValidationError(_("Please correct the other members below."))

    def other_members(self) -> list[OtherMember]:
        return [row.form.member() for row in self.others if row.form.filled()]

    def separate(self) -> bool:
        return self.separately.data == "y"

    def affected(self) -> int:
        return _count(self.affected_count)

    def filer(self) -> pipeline.Filer:
        return pipeline.Filer("representative", self.user)

    def submission(self) -> Submission:
        sub = super().submission()
        sub.consent_how = text_of(self.consent_how)
        return sub
