"""The score_samples form is generated from each scorer's declared options, and every given option reaches it."""

import fiftyone.operators as foo
import pytest
from fiftyone.operators.executor import ExecutionContext

from vc_curate.options import option_specs
from vc_curate.registry import list_scorers, scorer_class

URI = "@vc-curate/visualcritic/score_samples"


def form(dataset, **params):
    ctx = ExecutionContext({"dataset_name": dataset.name, "params": params}, operator_uri=URI)
    return foo.get_operator(URI).resolve_input(ctx).type.properties


@pytest.mark.parametrize("scorer", list_scorers())
def test_the_form_offers_every_declared_option_of_each_scorer(dataset, scorer):
    properties = form(dataset, scorer=scorer)
    for spec in option_specs(scorer_class(scorer).Options):
        prop = properties[spec.name]
        kind = type(prop.type).__name__
        if spec.choices:
            assert kind == "Enum" and list(prop.type.values) == list(spec.choices)
        else:
            assert kind == {bool: "Boolean", int: "Number", float: "Number", str: "String"}[spec.type], spec.name
        if spec.type is int and not spec.choices:
            assert prop.type.int and prop.type.min == spec.minimum
        assert prop.required == spec.required and prop.view.description == spec.describe()
        if spec.default is not None:
            assert prop.default == spec.default


def test_lmm_form_requires_a_model_and_offers_the_adapter(dataset):
    properties = form(dataset, scorer="lmm")
    assert properties["model"].required and not properties["adapter"].required
    assert "adapter" not in form(dataset, scorer="classic")


def test_classic_options_from_the_form_reach_the_scorer(dataset, good_paths):
    params = {"scorer": "classic", "prefix": "opt", "max_pixels": 1000.0, "batch_size": 2}  # JSON numbers
    assert foo.execute_operator(URI, dataset=dataset, params=params).error is None
    refused = dataset.values("opt_error")
    assert sum("exceeds the limit of 1,000" in (e or "") for e in refused) == len(good_paths)


@pytest.fixture(scope="module")
def llava_with_adapter(tmp_path_factory):
    """A tiny random LLaVA checkpoint and a LoRA adapter on its language model, both saved as a user has them."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForImageTextToText

    from tests.support.lmm_checkpoints import build_checkpoint
    from vc_curate.training.trainer import language_model_layers

    root = tmp_path_factory.mktemp("lmm")
    model = build_checkpoint("llava", root / "llava")
    base = AutoModelForImageTextToText.from_pretrained(model, dtype=torch.float32)
    peft_model = get_peft_model(base, LoraConfig(r=2, target_modules=language_model_layers(base)))
    adapter = root / "my-adapter"
    peft_model.save_pretrained(adapter)
    return str(model), str(adapter)


@pytest.mark.slow
def test_lmm_adapter_and_critique_from_the_form_reach_the_scorer(dataset, good_paths, llava_with_adapter):
    model, adapter = llava_with_adapter
    params = {"scorer": "lmm", "model": model, "adapter": adapter, "critique": True, "device": "cpu",
              "dtype": "float32", "prefix": "lmm", "view_target": "CURRENT_VIEW"}
    view = dataset.select_by("filepath", good_paths[:1])
    result = foo.execute_operator(URI, dataset=dataset, view=view, params=params)
    assert result.error is None, result.error
    sample = dataset.exists("lmm_scorer").first()
    assert dataset.count("lmm_scorer") == 1
    assert sample.lmm_scorer.startswith("lmm/") and "+my-adapter" in sample.lmm_scorer  # the adapter was loaded
    assert sample.lmm_critique  # critique=True was passed on
