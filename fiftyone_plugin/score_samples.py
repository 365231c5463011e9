"""`score_samples`: score the target view with a vc-curate scorer into `<prefix>_*` fields.

The scorer's options in the form are generated from its declared `Options`, so every option the command line
takes (the lmm `adapter`, `critique`, ...) is here too, and reaches the scorer as given.
"""

import fiftyone.operators as foo
import fiftyone.operators.types as types

from vc_curate.fiftyone import iter_score_collection
from vc_curate.options import option_specs
from vc_curate.registry import list_scorers, scorer_class

from .forms import add_prefix, add_scorer_options, add_target, reload_app, report_progress, scorer_options

DELEGATE_ABOVE = 500  # samples; larger targets default to a delegated run
OWN_INPUTS = ("view_target", "scorer", "prefix", "skip_scored", "keep_other_versions", "summary")


class ScoreSamples(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="score_samples",
            label="VisualCritic: score samples",
            description="Quality, attributes, critique and authenticity for each image, in <prefix>_* fields",
            icon="auto_awesome",
            dynamic=True,
            allow_immediate_execution=True,
            allow_delegated_execution=True,
        )

    def resolve_execution_options(self, ctx):
        big = len(ctx.target_view()) > DELEGATE_ABOVE if ctx.dataset is not None else False
        return foo.ExecutionOptions(allow_immediate_execution=True, allow_delegated_execution=True,
                                    default_choice_to_delegated=big)

    def resolve_input(self, ctx):
        inputs = types.Object()
        target = add_target(inputs, ctx, "Score")
        choices = types.RadioGroup()
        for name in list_scorers():
            choices.add_choice(name, label=name, description=_SCORER_HELP.get(name))
        inputs.enum("scorer", choices.values(), default="classic", label="Scorer", view=choices)
        try:
            add_scorer_options(inputs, _option_specs(ctx.params.get("scorer") or "classic"))
        except ImportError as exc:
            inputs.view("unavailable", types.Error(label=f"this scorer cannot be loaded here: {exc}"))
        add_prefix(inputs, ctx)
        inputs.bool("skip_scored", default=False, label="Skip samples already scored",
                    description="leave out samples whose <prefix>_quality comes from this version of the scorer")
        inputs.bool("keep_other_versions", default=False, label="Keep scores from other scorer versions",
                    description="with skip: also leave out samples scored by another version or scorer")
        inputs.view("summary", types.Notice(label=f"{len(target)} samples in the target view"))
        return types.Property(inputs, view=types.View(label="VisualCritic: score samples"))

    def execute(self, ctx):
        params = ctx.params
        scorer = params.get("scorer") or "classic"
        for progress in iter_score_collection(
            ctx.target_view(), scorer, prefix=params.get("prefix") or "vc",
            skip_scored=bool(params.get("skip_scored")), keep_other_versions=bool(params.get("keep_other_versions")),
            **scorer_options(params, _option_specs(scorer)),
        ):
            message = report_progress(ctx, progress.fraction, progress.label)
            if message is not None:
                yield message
        message = reload_app(ctx)
        if message is not None:
            yield message


def _option_specs(scorer):
    specs = option_specs(scorer_class(scorer).Options)
    clash = {spec.name for spec in specs} & set(OWN_INPUTS)
    if clash:
        raise ValueError(f"scorer {scorer!r} declares options the form already uses: {', '.join(sorted(clash))}")
    return specs


_SCORER_HELP = {
    "classic": "pixel measurements on the CPU or GPU; no downloaded weights",
    "lmm": "VisualCritic-style scoring with a multimodal model (needs vc-curate[lmm] and a model)",
}
