"""The rules table and the message catalogues, checked without the app."""

from __future__ import annotations

import re

import pytest

from grievance.config import MAX_BASE_URL
from notifications import messages, rules
from notifications.segments import segments
from workflows import WORKFLOWS

REFERENCE, SECRET = "K7QM-4TX9", "ABCD-EFGH-JKMN"  # realistic lengths
# The texts that carry a secret or code: the ones she asked for, never another.
CARRY_CODES = frozenset({"filed", "codes_by_sms", "secret_check", "secret_reissued"})
# The longest link the texts are made for: a PUBLIC_BASE_URL of MAX_BASE_URL characters.
LINK = "https://" + "x" * (MAX_BASE_URL - len("https://")) + "/t/" + "T" * 16
# Every text but the information request's (whose question is cut to fit when sent).
LONGEST = {
    "reference": REFERENCE,
    "secret": SECRET,
    "link": LINK,
    "hotline": "023 999 999",  # eleven characters: a landline
    "question": "",
}


def test_every_notify_effect_of_every_workflow_has_a_decision() -> None:
    effects = {
        (e.template, e.target)
        for wf in WORKFLOWS.values()
        for t in wf.transitions
        for e in t.effects
        if e.kind == "notify"
    }
    undecided = sorted(pair for pair in effects if not rules.is_known(*pair))
    assert undecided == []


@pytest.mark.parametrize(
    "template",
    [
        "filed",
        "acknowledged",
        "information_requested",
        "resolution_proposed",
        "closed",
        "appeal_revised",
        "appeal_upheld",
    ],
)
def test_complainant_is_told_by_sms_on_the_issue_events(template: str) -> None:
    assert rules.channels_for(template, "complainant") == (rules.SMS,)


def test_staff_rules() -> None:
    assert rules.IN_APP in rules.channels_for("assigned", "assignee")
    assert rules.IN_APP in rules.channels_for("sla_at_risk", "assignee")
    assert set(rules.channels_for("sla_breach", "supervisor")) == {rules.IN_APP, rules.EMAIL}
    assert set(rules.channels_for("break_glass", "supervisor")) == {rules.IN_APP, rules.EMAIL}
    assert rules.IN_APP in rules.channels_for("weekly_digest", "oversight")


def test_only_complainants_get_sms_and_they_get_nothing_else() -> None:
    # A member listed on a collective complaint is a complainant too: the filed codes only.
    assert [t for (t, target) in rules.RULES if target == "member"] == ["filed"]
    for (_template, target), channels in rules.RULES.items():
        if target in ("complainant", "member"):
            assert channels == (rules.SMS,)
        else:
            assert rules.SMS not in channels


def test_silent_pairs_send_nothing() -> None:
    assert rules.channels_for("withdrawn", "complainant") == ()
    assert rules.channels_for("no_such_thing", "complainant") == ()
    assert not rules.is_known("no_such_thing", "complainant")


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_every_rule_has_its_texts_in_every_language(language: str) -> None:
    missing = [
        f"{template}:{part}"
        for (template, _target), channels in rules.RULES.items()
        for channel in channels
        for part in rules.PARTS[channel]
        if not messages.has(template, part, language)
    ]
    assert missing == []


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_sms_carry_only_reference_and_status_and_the_secret_only_when_filed(
    language: str,
) -> None:
    for template in rules.templates_for(rules.SMS):
        for part, raw in messages.catalogue(language)[template].items():
            if not part.startswith("sms"):
                continue
            fields = set(re.findall(r"{(\w+)}", raw))
            allowed = {"reference", "link", "hotline"}
            allowed |= {"secret"} if template in CARRY_CODES else set()
            asks = ("information_requested", "officer_message")  # the officer's own words
            allowed |= {"question"} if template in asks else set()
            assert fields <= allowed, (template, part, fields)
            assert {"link", "hotline"} <= fields, (template, part)  # every SMS leads somewhere


@pytest.mark.parametrize("language", messages.LANGUAGES)
def test_every_sms_fits_in_two_segments(language: str) -> None:
    for template in rules.templates_for(rules.SMS):
        for part in messages.catalogue(language)[template]:
            values = {**LONGEST, "secret": "123456"} if template == "secret_check" else LONGEST
            text = messages.text(template, part, language, **values)
            assert segments(text) <= 2, (template, part, text)


def test_khmer_sms_are_in_khmer() -> None:
    text = messages.text("filed", "sms", "km", **LONGEST)
    assert any("\u1780" <= c <= "\u17ff" for c in text)
    assert REFERENCE in text and SECRET in text


def test_a_case_texted_in_gets_its_reference_in_the_reply_not_a_second_sms() -> None:
    assert rules.channels_for("filed", "complainant", "sms") == ()
    assert rules.channels_for("filed", "complainant", "hotline") == (rules.SMS,)
    assert rules.channels_for("acknowledged", "complainant", "sms") == (rules.SMS,)
