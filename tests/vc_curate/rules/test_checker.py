"""Checking rules against the record's declared fields: a comparison that can never be true is a one-line error."""

from __future__ import annotations

import pyarrow as pa
import pytest

from vc_curate.fields import DEFECTS, ENUM, FIELDS, FieldSpec
from vc_curate.rules import RuleError, compile_rule


def error_of(rule: str) -> str:
    with pytest.raises(RuleError) as err:
        compile_rule(rule, FIELDS)
    assert "\n" not in str(err.value)
    return str(err.value)


def test_an_enumeration_compared_with_a_value_it_never_holds():
    message = error_of('quality >= 50 and authenticity == "AI-generated"')
    assert message.startswith('authenticity is never "AI-generated" (did you mean "ai-generated"?) in ')
    assert message.endswith('its values: "ai-generated", "photographic", "unknown"')
    message = error_of('authenticity != "fake"')
    assert "did you mean" not in message and 'its values: "ai-generated", "photographic", "unknown"' in message
    assert 'authenticity is never "AI"' in error_of('"AI" == authenticity')


@pytest.mark.parametrize("rule", [
    'authenticity == "ai-generated"', 'authenticity != "photographic"', '"unknown" == authenticity',
    "authenticity == provenance", "authenticity is null",
])
def test_an_enumeration_compared_with_a_value_it_can_hold(rule):
    compile_rule(rule, FIELDS)


@pytest.mark.parametrize("rule, message", [
    ('quality > "50"', 'cannot compare text with a number (quality > "50")'),
    ("critique == 5", "cannot compare text with a number (critique == 5)"),
    ("authenticity == 1", "cannot compare text with a number (authenticity == 1)"),
    ("quality == critique", "cannot compare text with a number (quality == critique)"),
    ("critique > p50", "p50 needs a numeric field, not critique"),
    ('quality contains "blur"', "'contains' needs a field of ;-separated words (defects), not quality"),
])
def test_text_and_numbers_never_compare(rule, message):
    assert message in error_of(rule)


def test_only_the_fields_named_are_checked_and_every_field_is_known():
    assert compile_rule("width > 10 and height > 10 and ai_generated >= 0.5", FIELDS).fields == [
        "ai_generated", "height", "width"]
    assert "unknown field 'ai_generate'" in error_of("ai_generate > 0.5")


def test_tags_contain_only_words_of_their_vocabulary():
    compile_rule('defects contains "motion-blur" or defects == ""', FIELDS)
    message = error_of('defects contains "blurry"')
    assert message.startswith('defects never contains "blurry" in ')
    assert message.endswith("its words: " + ", ".join(f'"{word}"' for word in DEFECTS))


def test_a_field_declared_in_fields_is_known_to_the_checker(monkeypatch):
    monkeypatch.setitem(FIELDS, "season", FieldSpec("season", pa.string(), ENUM, "when", values=("summer", "winter")))
    compile_rule('season == "winter"', FIELDS)
    assert 'season is never "Autumn" in ' in error_of('season == "Autumn"')
    assert error_of('season == "Autumn"').endswith('its values: "summer", "winter"')
