"""Lists follow the reader's collation (ICU, CLDR's Khmer tailoring), not codes or code
points: provinces, categories (with "other" last) and officers' names."""

from __future__ import annotations

import re

from flask.testing import FlaskClient

from grievance.khmer import sort_key, sorted_by
from grievance.queues.rules import eligible_members
from tests.factories import make_user

PLACES_KM = ("ភ្នំពេញ", "កណ្ដាល", "បាត់ដំបង", "តាកែវ", "កំពត", "ឫស្សីកែវ", "រតនគិរី", "សៀមរាប")


def _options(html: str, name: str) -> list[tuple[str, str]]:
    """A select's options or a radio group's choices, as (value, label)."""
    select = re.search(rf'<select[^>]*name="{name}".*?</select>', html, re.S)
    if select:
        return re.findall(r'<option[^>]*value="([^"]*)"[^>]*>([^<]*)</option>', select.group(0))
    radios = re.findall(
        rf'<input type="radio" name="{name}" value="([^"]*)"[^>]*> <span>([^<]*)</span>', html
    )
    assert radios, name
    return radios


def test_khmer_collation_puts_consonants_in_alphabet_order() -> None:
    ordered = sorted(PLACES_KM, key=sort_key("km"))
    assert ordered[:4] == ["កណ្ដាល", "កំពត", "តាកែវ", "បាត់ដំបង"]
    # The independent vowel RY sorts with RO, as in the Chuon Nath dictionary; in
    # code-point order it would come last.
    assert ordered.index("រតនគិរី") < ordered.index("ឫស្សីកែវ") < ordered.index("សៀមរាប")
    assert sorted(PLACES_KM)[-1] == "ឫស្សីកែវ"
    # A spelling in another code-point order sorts where its canonical spelling does.
    assert sort_key("km")("ស្រ្តី") == sort_key("km")("ស្ត្រី")


def test_the_public_form_lists_provinces_and_categories_in_khmer_order(
    client: FlaskClient,
) -> None:
    html = client.get("/file?lang=km").get_data(as_text=True)
    for field in ("province", "category"):
        options = [(v, label) for v, label in _options(html, field) if v]
        labels = [label for v, label in options if v != "other"]
        assert labels == sorted(labels, key=sort_key("km")), field
        assert len(labels) > 5
    categories = [v for v, _label in _options(html, "category") if v]
    assert categories[-1] == "other"


def test_english_lists_follow_english_order(client: FlaskClient) -> None:
    html = client.get("/file?lang=en").get_data(as_text=True)
    labels = [label for v, label in _options(html, "province") if v]
    assert labels == sorted(labels, key=sort_key("en"))
    assert labels.index("Kampong Cham") < labels.index("Kandal") < labels.index("Phnom Penh")


def test_officers_are_listed_by_name_in_the_readers_order() -> None:
    for name in ("សុខា", "ចាន់ធី", "កញ្ញា", "Bopha", "vuthy"):
        make_user("officer", name=name)
    names = [u.name for u in eligible_members()]
    ours = [n for n in names if n in {"សុខា", "ចាន់ធី", "កញ្ញា", "Bopha", "vuthy"}]
    assert ours == sorted_by(ours, lambda n: n, "km")
    assert ours.index("កញ្ញា") < ours.index("ចាន់ធី") < ours.index("សុខា")
