"""Agreement with people: join a labels table with a scores table and measure Spearman, Pearson,
accuracy and ROC AUC per field, overall and per group, with bootstrap intervals and a scatter plot."""

from vc_curate.evaluate.agreement import Evaluation, Joined, Metric, Skipped, evaluate, join
from vc_curate.evaluate.labels import LabelsError, read_labels, read_table, resolve_uri
from vc_curate.evaluate.plot import agreement_plot, scatter_png
from vc_curate.evaluate.text import format_evaluation

__all__ = [
    "Evaluation", "Joined", "LabelsError", "Metric", "Skipped", "agreement_plot", "evaluate",
    "format_evaluation", "join", "read_labels", "read_table", "resolve_uri", "scatter_png",
]
