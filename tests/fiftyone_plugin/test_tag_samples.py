"""`tag_samples` and `save_best_view` through execute_operator, with the CLI's rule language."""

import fiftyone.operators as foo
import pytest

from vc_curate.fiftyone import score_collection

TAG = "@vc-curate/visualcritic/tag_samples"


@pytest.fixture
def scored(dataset):
    score_collection(dataset)
    dataset.set_values("kind", ["photo" if "animals" in p else "generated" for p in dataset.values("filepath")])
    return dataset


def test_tags_matching_samples_and_removes_them(scored):
    rule = 'quality < 101 and authenticity != "ai-generated"'
    result = foo.execute_operator(TAG, dataset=scored, params={"rule": rule})
    matched = scored.match_tags("vc:reject")
    assert result.result["matched"] == len(matched) == scored.count("vc_quality") - 1  # the SD WebUI PNG is AI
    assert matched.count("vc_error") == 0  # an error record matches no comparison

    foo.execute_operator(TAG, dataset=scored, params={"rule": "error is not null", "tag": "broken"})
    assert scored.match_tags("broken").count() == 3

    foo.execute_operator(TAG, dataset=scored, params={"rule": rule, "mode": "remove"})
    assert scored.match_tags("vc:reject").count() == 0


def test_percentiles_are_over_the_target_view(scored):
    worst = min(scored.values("vc_quality", missing_value=999))
    foo.execute_operator(TAG, dataset=scored, params={"rule": "quality <= p0"})
    assert scored.match_tags("vc:reject").values("vc_quality") == [worst]


def test_bad_rule_is_an_error(scored):
    with pytest.raises(Exception, match="unknown field|bogus"):
        foo.execute_operator(TAG, dataset=scored, params={"rule": "bogus > 3"})


def test_save_best_view(scored):
    result = foo.execute_operator("@vc-curate/visualcritic/save_best_view", dataset=scored,
                                  params={"group_field": "kind", "n": 1, "name": "best"})
    view = scored.load_saved_view("best")
    assert result.result["samples"] == len(view) == 2
    assert sorted(view.values("kind")) == ["generated", "photo"]
    best_generated = max(scored.match({"kind": "generated", "vc_quality": {"$ne": None}}).values("vc_quality"))
    assert best_generated in view.values("vc_quality")
