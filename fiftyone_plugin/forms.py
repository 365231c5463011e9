"""Form pieces the operators share: the target view choice, the field prefix and a scorer's options."""

import fiftyone.operators.types as types

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


def add_scorer_options(inputs, specs):
    """One form input per declared scorer option (`vc_curate.options`), named as in Python."""
    for spec in specs:
        common = dict(label=spec.name.replace("_", " ").capitalize(), description=spec.describe(),
                      required=spec.required)
        if spec.default is not None:
            common["default"] = spec.default
        if spec.choices:
            choices = types.DropdownView()
            for value in spec.choices:
                choices.add_choice(value, label=value)
            inputs.enum(spec.name, list(spec.choices), view=choices, **common)
        elif spec.type is bool:
            inputs.bool(spec.name, **common)
        elif spec.type is int:
            inputs.int(spec.name, min=spec.minimum, **common)
        elif spec.type is float:
            inputs.float(spec.name, min=spec.minimum, **common)
        else:
            inputs.str(spec.name, **common)


def scorer_options(params, specs):
    """The options the form was given, as the scorer's types (the App sends numbers as JSON numbers)."""
    options = {}
    for spec in specs:
        value = params.get(spec.name)
        if value is None or value == "":
            continue
        if spec.type is int and isinstance(value, float) and value.is_integer():
            value = int(value)
        options[spec.name] = value
    return options
