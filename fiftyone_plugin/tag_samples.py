"""`tag_samples`: add (or remove) a tag on the samples of the target view that match a rule of the CLI."""

import fiftyone.operators as foo
import fiftyone.operators.types as types

from vc_curate.fiftyone import tag_matching
from vc_curate.record import SCHEMA
from vc_curate.rules import RuleError, compile_rule

from .forms import add_prefix, add_target, reload_app

EXAMPLE = 'quality < 40 or authenticity == "ai-generated"'


class TagSamples(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="tag_samples",
            label="VisualCritic: tag samples by rule",
            description="Tag the samples whose scores match a rule, e.g. " + EXAMPLE,
            icon="sell",
            dynamic=True,
        )

    def resolve_input(self, ctx):
        inputs = types.Object()
        add_target(inputs, ctx, "Tag")
        rule = inputs.str("rule", required=True, label="Rule",
                          description=f"the CLI's rule language over record fields, e.g. {EXAMPLE}; "
                                      "percentiles (quality < p10) are over the target view")
        if ctx.params.get("rule"):
            try:
                compile_rule(ctx.params["rule"], SCHEMA.names)
            except RuleError as exc:
                rule.invalid = True
                rule.error_message = str(exc)
        inputs.str("tag", default="vc:reject", label="Tag")
        modes = types.RadioGroup()
        modes.add_choice("add", label="Add the tag to matching samples")
        modes.add_choice("remove", label="Remove the tag from matching samples")
        inputs.enum("mode", modes.values(), default="add", view=modes, label="Mode")
        add_prefix(inputs, ctx)
        return types.Property(inputs, view=types.View(label="VisualCritic: tag samples by rule"))

    def execute(self, ctx):
        tag = ctx.params.get("tag") or "vc:reject"
        remove = ctx.params.get("mode") == "remove"
        matched = tag_matching(ctx.target_view(), ctx.params["rule"], tag,
                               prefix=ctx.params.get("prefix") or "vc", remove=remove)
        reload_app(ctx)
        return {"matched": matched, "tag": tag, "removed": remove}

    def resolve_output(self, ctx):
        outputs = types.Object()
        outputs.int("matched", label="Matching samples")
        outputs.str("tag", label="Tag")
        return types.Property(outputs)
