"""The `lmm` scorer: quality, attributes, authenticity and critique from a multimodal model (Q-Align scheme)."""

from vc_curate.scorers.lmm.scorer import LMMScorer

__all__ = ["LMMScorer"]
