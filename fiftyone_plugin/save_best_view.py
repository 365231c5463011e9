"""`save_best_view`: save a view of the N highest-quality samples of each class."""

import fiftyone as fo
import fiftyone.operators as foo
import fiftyone.operators.types as types

from vc_curate.fiftyone import best_per_group

from .forms import add_prefix, add_target


class SaveBestView(foo.Operator):
    @property
    def config(self):
        return foo.OperatorConfig(
            name="save_best_view",
            label="VisualCritic: save best N per class",
            description="Save a view with the highest-quality samples of each class",
            icon="workspace_premium",
            dynamic=True,
        )

    def resolve_input(self, ctx):
        inputs = types.Object()
        target = add_target(inputs, ctx, "Choose from")
        groups = [path for path, field in target.get_field_schema().items()
                  if isinstance(field, fo.StringField) and path not in ("filepath",)
                  or isinstance(field, fo.EmbeddedDocumentField) and issubclass(field.document_type, fo.Classification)]
        choices = types.DropdownView()
        for path in groups:
            choices.add_choice(path, label=path)
        inputs.enum("group_field", groups, required=True, label="Class field", view=choices,
                    description="a Classification field or a text field whose values are the classes")
        inputs.int("n", default=10, min=1, label="Samples per class")
        inputs.str("name", default="vc-best", required=True, label="View name")
        add_prefix(inputs, ctx)
        return types.Property(inputs, view=types.View(label="VisualCritic: save best N per class"))

    def execute(self, ctx):
        view = best_per_group(ctx.target_view(), ctx.params["group_field"], int(ctx.params.get("n") or 10),
                              prefix=ctx.params.get("prefix") or "vc")
        name = ctx.params.get("name") or "vc-best"
        ctx.dataset.save_view(name, view, overwrite=True)
        if not ctx.delegated:
            ctx.ops.set_view(name=name)
        return {"name": name, "samples": len(view)}
