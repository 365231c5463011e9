"""The embedded default scorer: perceptual measurements in batched torch, no downloaded weights."""

from vc_curate.scorers.classic.scorer import ClassicScorer

__all__ = ["ClassicScorer"]
