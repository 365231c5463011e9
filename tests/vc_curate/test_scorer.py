"""The scorer API: one record per input, same order, errors isolated, streaming, declared fields."""

from __future__ import annotations

import pyarrow as pa
import pytest

import vc_curate
from tests.conftest import encode, scene
from tests.vc_curate.bad_inputs import bad_inputs
from vc_curate.inputs import ImageInput
from vc_curate.record import FIELDS, SCORES
from vc_curate.scorers.classic import ClassicScorer


@pytest.fixture(scope="module")
def scorer():
    return vc_curate.load_scorer("classic", device="cpu")


def test_front_door():
    assert "classic" in vc_curate.list_scorers() and "lmm" in vc_curate.list_scorers()
    with pytest.raises(ValueError, match="choose one of: classic"):
        vc_curate.load_scorer("nope")
    with pytest.raises(ValueError, match="does not take colour"):
        vc_curate.load_scorer("classic", colour=True)


def test_fields_are_declared_as_data(scorer):
    assert set(SCORES) <= set(scorer.fields) and "ai_generated" not in scorer.fields  # evidence only
    assert scorer.fields["quality"].higher_is_better is True
    assert scorer.fields["noisiness"].higher_is_better is None  # an amount, not a grade
    assert (FIELDS["ai_generated"].low, FIELDS["ai_generated"].high) == (0, 1)
    assert FIELDS["authenticity"].values == ("ai-generated", "photographic", "unknown")


def test_every_input_one_record_same_order(scorer, tmp_path, photos):
    good = [(f"good{i}.png", encode(scene((80, 60), seed=i))) for i in range(3)]
    bad = list(bad_inputs().items())
    mixed = [good[0], *bad[:3], good[1], *bad[3:], good[2]]
    inputs = [ImageInput(uri, data) for uri, data in mixed]
    inputs += [str(photos[0]), str(tmp_path / "missing.jpg"), (str(tmp_path / "pair.png"), good[0][1])]
    records = scorer.score(inputs, batch_size=4)
    assert [r.uri for r in records] == [i.uri if isinstance(i, ImageInput) else (i if isinstance(i, str) else i[0])
                                        for i in inputs]
    by_uri = {r.uri: r for r in records}
    for name, _ in bad:
        rec = by_uri[name]
        assert rec.error and rec.quality is None and rec.width is None and rec.authenticity is None
        assert rec.scorer == scorer.version
        assert rec.sha256 is not None  # bytes were read
    assert by_uri[str(tmp_path / "missing.jpg")].error.startswith("read failed")
    assert by_uri[str(tmp_path / "missing.jpg")].sha256 is None
    for rec in records:
        if rec.ok:
            assert all(0 <= getattr(rec, f) <= 100 for f in SCORES)
            assert rec.authenticity == "unknown" and rec.ai_generated is None
            assert rec.critique and rec.critique.endswith(".")


@pytest.mark.parametrize("size", [(1, 1), (8000, 4), (4, 8000), (64, 64)])
def test_odd_but_valid_sizes_get_scores(scorer, size):
    rec = scorer.score([("odd.png", encode(scene(size)))])[0]
    assert rec.ok, rec.error
    assert (rec.width, rec.height) == size


def test_flat_black_and_white_get_scores(scorer):
    from PIL import Image
    for colour in ((0, 0, 0), (255, 255, 255)):
        rec = scorer.score([("flat.png", encode(Image.new("RGB", (50, 50), colour)))])[0]
        assert rec.ok and all(0 <= getattr(rec, f) <= 100 for f in SCORES)


def test_scores_do_not_depend_on_batch_mates(scorer, photos):
    inputs = [str(p) for p in photos[:5]] + [("small.png", encode(scene((40, 90))))]
    alone = [scorer.score([i])[0] for i in inputs]
    together = scorer.score(inputs, batch_size=6)
    for a, b in zip(alone, together):
        for f in SCORES:
            assert getattr(a, f) == pytest.approx(getattr(b, f), abs=1e-3)


class _FailsOnTiny(ClassicScorer):
    """A classic scorer whose model step fails for 1-pixel-high images, to test failure isolation."""

    def score_batch(self, batch):
        if any(p.image.pixels.shape[0] == 1 for p in batch):
            raise RuntimeError("cannot score a 1-pixel-high image")
        return super().score_batch(batch)


def test_a_failing_batch_costs_only_its_culprit():
    scorer = _FailsOnTiny(device="cpu")
    inputs = [("a.png", encode(scene((30, 30)))), ("tiny.png", encode(scene((30, 1)))),
              ("b.png", encode(scene((30, 30), seed=2)))]
    records = scorer.score(inputs, batch_size=3)
    assert [r.ok for r in records] == [True, False, True]
    assert records[1].error.startswith("score failed: RuntimeError")


def test_unsupported_input_type_is_an_error_record(scorer):
    records = scorer.score([12345, ("ok.png", encode(scene()))])
    assert records[0].error.startswith("bad input") and records[1].ok


def test_score_iter_streams_lazily(scorer):
    pulled = []

    def source():
        for i in range(100):
            pulled.append(i)
            yield (f"{i}.png", encode(scene((32, 32), seed=i)))

    stream = scorer.score_iter(source(), batch_size=4)
    first = next(stream)
    assert first.uri == "0.png"
    assert len(pulled) <= 3 * max(4, scorer.workers) + 4  # bounded read-ahead, not the whole input
    stream.close()


def test_skip_drops_inputs_already_scored(scorer):
    inputs = [(f"{i}.png", encode(scene((32, 32), seed=i))) for i in range(4)]
    records = scorer.score_iter(inputs, skip=lambda uri, sha: uri in {"1.png", "3.png"})
    assert [r.uri for r in records] == ["0.png", "2.png"]


def test_records_to_arrow_with_source_columns(scorer):
    items = [ImageInput("a.png", encode(scene()), extra={"caption": "a cat", "uri": "http://x/a.png"}),
             ImageInput("b.png", b"", extra={"caption": None})]
    table = vc_curate.records_to_table(scorer.score(items))
    assert table.schema.names[: len(FIELDS)] == list(FIELDS)
    assert table.column("caption").to_pylist() == ["a cat", None]
    assert table.column("src_uri").to_pylist() == ["http://x/a.png", None]  # clash gets the src_ prefix
    assert table.schema.field("quality").type == pa.float32()
