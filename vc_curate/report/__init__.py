"""The HTML report of a scores table: histograms, highest and lowest quality, likely AI, defects, duplicates, errors."""

from vc_curate.report.page import ReportError, build_report, read_scores, write_report

__all__ = ["ReportError", "build_report", "read_scores", "write_report"]
