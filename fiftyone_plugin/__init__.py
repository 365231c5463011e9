"""The `@vc-curate/visualcritic` FiftyOne plugin: thin operators over `vc_curate.fiftyone`.

Needs the `vc-curate[fiftyone]` package installed in the environment that runs FiftyOne.
"""

from .save_best_view import SaveBestView
from .score_samples import ScoreSamples
from .tag_samples import TagSamples


def register(p):
    p.register(ScoreSamples)
    p.register(TagSamples)
    p.register(SaveBestView)
