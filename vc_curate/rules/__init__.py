"""The rule language of `--keep-if`, Beam's `--keep_if` and FiftyOne tagging; parsed, never `eval`ed.

    quality >= 50 and authenticity != "ai-generated"
    (sharpness < 30 or noisiness > p90) and not (critique is null)
    defects contains "blur" and quality < p20

Comparisons use three-valued logic: a comparison with null (or NaN), or on an error record, is unknown;
`not unknown` stays unknown, and a rule that ends unknown does not match. `pNN` is the NNth percentile of
the field on the other side of the comparison over the records at hand (non-null values of records without
an error). `is null` is a test, not a comparison: `error is not null` selects the error records.
"""

from vc_curate.rules.compiler import Rule
from vc_curate.rules.parser import MAX_DEPTH, MAX_TESTS, RuleError

__all__ = ["MAX_DEPTH", "MAX_TESTS", "Rule", "RuleError", "compile_rule"]


def compile_rule(text: str, columns) -> Rule:
    """The rule `text` over fields named in `columns`; raises RuleError (one line) for a bad rule."""
    return Rule(text, columns)
