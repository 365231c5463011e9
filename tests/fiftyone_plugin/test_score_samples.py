"""The `score_samples` operator, immediate through execute_operator and delegated through the service."""

import fiftyone.operators as foo
import fiftyone.plugins as fop
from fiftyone.operators.delegated import DelegatedOperationService
from fiftyone.operators.executor import ExecutionRunState

from vc_curate.scorers.classic import ClassicScorer

URI = "@vc-curate/visualcritic/score_samples"


def test_plugin_is_discovered_with_its_operators():
    assert "@vc-curate/visualcritic" in [p.name for p in fop.list_plugins(enabled="all")]
    names = {op.uri for op in foo.list_operators(enabled="all")}
    assert {URI, "@vc-curate/visualcritic/tag_samples", "@vc-curate/visualcritic/save_best_view"} <= names


def test_defaults_score_the_whole_dataset_with_classic(dataset, bad_paths):
    result = foo.execute_operator(URI, dataset=dataset)
    assert result.error is None
    assert dataset.count("vc_scorer") == len(dataset)
    assert set(dataset.distinct("vc_scorer")) == {ClassicScorer.version}
    assert sorted(dataset.exists("vc_error").values("filepath")) == sorted(bad_paths)
    triggered = [r.operator_uri for r in result.executor._requests]
    assert "set_progress" in triggered and triggered[-1] == "reload_dataset"


def test_selected_samples_only_with_options(dataset):
    chosen = dataset.limit(2).values("id")
    result = foo.execute_operator(URI, dataset=dataset, selected=chosen,
                                  params={"view_target": "SELECTED_SAMPLES", "prefix": "sel", "batch_size": 1})
    assert result.error is None
    assert sorted(dataset.exists("sel_scorer").values("id")) == sorted(chosen)


def test_delegated_run_through_the_service(dataset):
    queued = foo.execute_operator(URI, dataset=dataset, request_delegation=True, params={"prefix": "dl"})
    assert queued.delegated and "dl_scorer" not in dataset.get_field_schema()

    service = DelegatedOperationService()
    service.execute_queued_operations(operator=URI, dataset_name=dataset.name)
    doc = service.get(queued.result["id"])
    assert doc.run_state == ExecutionRunState.COMPLETED, doc.result
    assert doc.status.progress == 1.0 and "could not be scored" in doc.status.label
    assert dataset.count("dl_scorer") == len(dataset)
    assert dataset.count("dl_quality") == len(dataset) - 3
