from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import Length, NumberRange, Optional


class TransitionForm(FlaskForm):
    """Every input a transition may ask for; a page renders only the ones it needs.
    Which are required is the workflow's business, checked by the engine."""

    version = HiddenField()
    seen = HiddenField()
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])
    comment = TextAreaField(_l("Message"), validators=[Optional(), Length(max=5000)])
    resolution = TextAreaField(
        _l("Proposed resolution"), validators=[Optional(), Length(max=10000)]
    )
    public_outcome = TextAreaField(
        _l("What was done, for the forum's public report (no names, nothing that shows who)"),
        validators=[Optional(), Length(max=1000)],
    )
    answer = TextAreaField(_l("Answer"), validators=[Optional(), Length(max=10000)])
    agency = StringField(
        _l("Agency the case is referred to"), validators=[Optional(), Length(max=200)]
    )
    merged_into = StringField(
        _l("Reference of the case to merge into"), validators=[Optional(), Length(max=20)]
    )
    assignee_id = SelectField(_l("Officer"), choices=[], validate_choice=False)
    rating = IntegerField(_l("Rating (1 to 5)"), validators=[Optional(), NumberRange(1, 5)])

    INPUTS = (
        "reason",
        "comment",
        "resolution",
        "public_outcome",
        "answer",
        "agency",
        "merged_into",
        "assignee_id",
        "rating",
    )

    def inputs(self) -> dict[str, object]:
        return {
            name: getattr(self, name).data
            for name in self.INPUTS
            if getattr(self, name).data not in (None, "")
        }


class CommentForm(FlaskForm):
    text = TextAreaField(_l("Comment"), validators=[Length(max=5000)])
    public = BooleanField(_l("Visible to the complainant"))


class MessageForm(FlaskForm):
    text = TextAreaField(
        _l("Message to the complainant (also sent by SMS)"),
        validators=[Length(max=1000)],
    )


class CallForm(FlaskForm):
    direction = SelectField(
        _l("Call"),
        choices=[("in", _l("The complainant called us")), ("out", _l("We called the complainant"))],
    )
    note = TextAreaField(_l("What was said"), validators=[Length(max=5000)])


class ReplyTemplateForm(FlaskForm):
    template_id = HiddenField()
    title = StringField(_l("Title (what it answers)"), validators=[Length(max=120)])
    purpose = SelectField(_l("Used for"), choices=[], validate_choice=False)
    body_km = TextAreaField(_l("Text in Khmer"), validators=[Length(max=5000)])
    body_en = TextAreaField(_l("Text in English"), validators=[Length(max=5000)])
    active = BooleanField(_l("Offered to officers"), default=True)


class DecisionForm(FlaskForm):
    """A supervisor's answer to a request that needs a second person."""

    decision = SelectField(
        _l("Decision"),
        choices=[("approve", _l("Approve")), ("refuse", _l("Refuse"))],
    )
    reason = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=5000)])
    confirm = BooleanField(_l("I have read the reason."))
    back = HiddenField()
