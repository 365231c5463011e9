"""Form pieces the operators share: the target view choice and the field prefix."""

from vc_curate.fiftyone import field_names


def add_target(inputs, ctx, action):
    """Dataset, current view or selected samples (FiftyOne's standard choice); defaults to the whole view."""
    inputs.view_target(ctx, action_description=action)
    return ctx.target_view()


def add_prefix(inputs, ctx):
    """The `<prefix>_*` fields to write or read; flags a prefix that is not a valid field name."""
    prop = inputs.str("prefix", default="vc", label="Field prefix",
                      description="scores go to <prefix>_quality, <prefix>_critique, ...")
    try:
        field_names(ctx.params.get("prefix") or "vc")
    except ValueError as exc:
        prop.invalid = True
        prop.error_message = str(exc)


def report_progress(ctx, fraction, label):
    """Delegated runs store progress on the run; immediate runs stream it to the App (yield the result)."""
    if ctx.delegated:
        ctx.set_progress(progress=fraction, label=label)
        return None
    return ctx.ops.set_progress(progress=fraction, label=label)


def reload_app(ctx):
    """Refresh the App's sidebar and grid after writing fields; nothing to refresh in a delegated run."""
    return None if ctx.delegated else ctx.ops.reload_dataset()
