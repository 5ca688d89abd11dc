"""The text rules every intake channel applies."""

from __future__ import annotations

import unicodedata

from grievance.intake.checks import has_control_chars


def test_control_characters_are_unicodes_and_only_those() -> None:
    """Refused: every character Unicode calls a control (NUL, escape, ...), and line breaks
    and tabs outside multi-line text; kept: everything else, Khmer's zero-width space and
    the joiners included."""
    for point in range(0x3000):  # Latin, controls, Khmer (U+1780-U+19FF), punctuation
        char = chr(point)
        control = unicodedata.category(char) == "Cc"
        assert has_control_chars(f"ក{char}ខ", multiline=False) is control, hex(point)
        assert has_control_chars(f"ក{char}ខ") is (control and char not in "\n\r\t"), hex(point)
    assert not has_control_chars("ប្រាក់ខែ\u200bមិនបានបង់\u200d")
