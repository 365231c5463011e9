"""The HTML report of a scores table: histograms, the best, worst and most-likely-AI images, and errors."""

from vc_curate.report.page import ReportError, build_report, read_scores, write_report

__all__ = ["ReportError", "build_report", "read_scores", "write_report"]
