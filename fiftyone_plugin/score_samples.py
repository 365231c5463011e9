"""`score_samples`: score the target view with a vc-curate scorer into `<prefix>_*` fields."""

import fiftyone.operators as foo
import fiftyone.operators.types as types

from vc_curate.fiftyone import iter_score_collection
from vc_curate.registry import list_scorers

from .forms import add_prefix, add_target, reload_app, report_progress

DELEGATE_ABOVE = 500  # samples; larger targets default to a delegated run


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
        if ctx.params.get("scorer") == "lmm":
            inputs.str("model", required=True, label="Model",
                       description="a local folder or Hugging Face model id of an instruction-following LMM")
        inputs.int("batch_size", label="Batch size", description="images per batch (default: the scorer's)")
        add_prefix(inputs, ctx)
        inputs.bool("skip_scored", default=False, label="Skip samples already scored",
                    description="leave out samples that have <prefix>_quality")
        inputs.view("summary", types.Notice(label=f"{len(target)} samples in the target view"))
        return types.Property(inputs, view=types.View(label="VisualCritic: score samples"))

    def execute(self, ctx):
        params = ctx.params
        options = {"model": params.get("model")} if params.get("scorer") == "lmm" else {}
        for progress in iter_score_collection(
            ctx.target_view(), params.get("scorer") or "classic", prefix=params.get("prefix") or "vc",
            batch_size=params.get("batch_size") or None, skip_scored=bool(params.get("skip_scored")), **options,
        ):
            message = report_progress(ctx, progress.fraction, progress.label)
            if message is not None:
                yield message
        message = reload_app(ctx)
        if message is not None:
            yield message


_SCORER_HELP = {
    "classic": "pixel measurements on the CPU or GPU; no downloaded weights",
    "lmm": "VisualCritic-style scoring with a multimodal model (needs vc-curate[lmm] and a model)",
}
