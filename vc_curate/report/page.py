"""The HTML report of a scores table: one self-contained page (inline CSS, SVG and base64 thumbnails)."""

from __future__ import annotations

import datetime as _dt
import os
from collections import Counter
from html import escape

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vc_curate.record import ATTRIBUTES, SCORES
from vc_curate.report.errors import common_errors
from vc_curate.report.histogram import histogram_svg
from vc_curate.report.thumbnails import thumbnail_data_uri

NEEDED = ("uri", "error") + SCORES
SHOWN = NEEDED + ("width", "height", "ai_generated", "authenticity", "provenance", "critique", "scorer")


class ReportError(ValueError):
    """A scores table the report cannot use; the message is one line that says what to fix."""


def read_scores(path: str) -> pa.Table:
    """The record columns of a scores Parquet dataset (a file or a folder of parts)."""
    if not os.path.exists(path):
        raise ReportError(f"{path} does not exist")
    try:
        schema = pq.read_schema(path) if os.path.isfile(path) else pq.ParquetDataset(path).schema
        missing = [name for name in NEEDED if name not in schema.names]
        if missing:
            raise ReportError(f"{path} is not a scores table (no column {', '.join(missing)}); "
                              "write one with `vc-curate score`")
        return pq.read_table(path, columns=[name for name in SHOWN if name in schema.names])
    except (pa.ArrowInvalid, OSError) as exc:
        raise ReportError(f"cannot read {path} as Parquet: {str(exc).strip().splitlines()[0]}") from None


def _floats(table: pa.Table, name: str) -> np.ndarray:
    if name not in table.column_names:
        return np.full(len(table), np.nan)
    return table.column(name).cast(pa.float64()).to_numpy(zero_copy_only=False).astype(float)


def _quality_colour(quality: float | None) -> str:
    return "hsl(0, 0%, 45%)" if quality is None else f"hsl({max(0.0, min(100.0, quality)) * 1.2:.0f}, 62%, 38%)"


def _card(row: dict, thumb_side: int) -> str:
    try:
        tiny = ' class="tiny"' if max(row.get("width") or 0, row.get("height") or 0) < 64 else ""
        picture = (f'<img{tiny} src="{thumbnail_data_uri(row["uri"], thumb_side)}" '
                   f'alt="{escape(os.path.basename(row["uri"]))}">')
    except Exception as exc:  # noqa: BLE001 - any unreadable image is shown as its reason, not a crash
        reason = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
        picture = f'<div class="missing">cannot show the image: {escape(reason[:200])}</div>'
    quality = row["quality"]
    bars = "".join(
        f'<tr><th>{name}</th><td><div class="bar"><span style="width:{row[name]:.0f}%"></span></div></td>'
        f'<td class="num">{row[name]:.0f}</td></tr>' for name in ATTRIBUTES if row.get(name) is not None)
    ai = row.get("ai_generated")
    authenticity = row.get("authenticity") or "unknown"
    verdict = f"{authenticity} ({ai:.2f})" if ai is not None else authenticity
    size = f"{row['width']}×{row['height']}" if row.get("width") else ""
    lines = [
        '<figure class="card">',
        f'<div class="thumb">{picture}</div>',
        "<figcaption>",
        f'<div class="head"><span class="q" style="background:{_quality_colour(quality)}">'
        f'{"–" if quality is None else f"{quality:.0f}"}</span>'
        f'<span class="qlabel">quality</span><span class="auth auth-{escape(authenticity)}">{escape(verdict)}'
        "</span></div>",
        f'<table class="attrs">{bars}</table>',
    ]
    if row.get("critique"):
        lines.append(f'<p class="critique">{escape(row["critique"])}</p>')
    if row.get("provenance"):
        lines.append(f'<p class="prov">provenance: {escape(row["provenance"])}</p>')
    lines.append(f'<p class="uri" title="{escape(row["uri"])}">{escape(row["uri"])}'
                 + (f' <span class="size">{size}</span>' if size else "") + "</p>")
    lines.append("</figcaption></figure>")
    return "".join(lines)


def _section(title: str, note: str, body: str = "") -> str:
    return f'<section><h2>{escape(title)}</h2><p class="note">{note}</p>{body}</section>'


def _gallery(title: str, note: str, table: pa.Table, rows: np.ndarray, thumb_side: int) -> str:
    cards = "".join(_card(row, thumb_side) for row in table.take(pa.array(rows, pa.int64())).to_pylist())
    return _section(title, note, f'<div class="gallery">{cards}</div>')


def _plural(count: int, one: str, many: str) -> str:
    return one if count == 1 else f"{count:,} {many}"


def _summary(table: pa.Table, ok: np.ndarray, quality: np.ndarray) -> str:
    total, failed, scored = len(table), int((~ok).sum()), quality[ok & np.isfinite(quality)]
    facts = [("records", f"{total:,}"), ("scored", f"{len(scored):,}"),
             ("errors", f"{failed:,}" + (f" ({failed / total:.1%})" if total else ""))]
    if len(scored):
        low, high = np.percentile(scored, [10, 90])
        facts.append(("quality", f"mean {scored.mean():.1f}, median {np.median(scored):.1f}, "
                                 f"10th–90th percentile {low:.1f}–{high:.1f}"))
    if "authenticity" in table.column_names:
        counts = Counter(a for a, good in zip(table.column("authenticity").to_pylist(), ok) if good)
        if counts:
            facts.append(("authenticity", ", ".join(f"{k}: {v:,}" for k, v in counts.most_common())))
    if "scorer" in table.column_names:
        counts = Counter(table.column("scorer").to_pylist())
        facts.append(("scorer", ", ".join(f"{k or '(none)'}: {v:,}" for k, v in counts.most_common())))
    rows = "".join(f"<tr><th>{escape(k)}</th><td>{escape(v)}</td></tr>" for k, v in facts)
    return f'<table class="summary">{rows}</table>'


def _charts(table: pa.Table, ok: np.ndarray, ai: np.ndarray) -> str:
    charts = [(name, histogram_svg(_floats(table, name)[ok], low=0, high=100, label=f"{name} (0–100)"))
              for name in SCORES]
    if np.isfinite(ai[ok]).any():
        charts.append(("ai_generated", histogram_svg(ai[ok], low=0, high=1, bins=10, colour="#8e44ad",
                                                     label="probability AI-generated")))
    body = "".join(f'<div class="chart"><h3>{name}</h3>{svg}</div>' for name, svg in charts)
    note = (f"How the {int(ok.sum()):,} scored images spread over each score (hover a bar for its count); "
            "the dashed line is the median.")
    return _section("Scores", note, f'<div class="charts">{body}</div>')


def _errors(uris: list[str], errors: list[str | None]) -> str:
    failed = sum(e is not None for e in errors)
    if not failed:
        return _section("Errors", f"None: all {len(errors):,} inputs were scored.")
    rows = "".join(f'<tr><td class="num">{k.count:,}</td><td><code>{escape(k.kind)}</code>'
                   f'<div class="eg">e.g. {escape(k.example_uri)}: {escape(k.example_error)}</div></td></tr>'
                   for k in common_errors(uris, errors))
    note = f"{failed:,} of {len(errors):,} inputs could not be scored. The most common kinds:"
    header = "<tr><th>count</th><th>error</th></tr>"
    return _section("Errors", note, f'<table class="errors">{header}{rows}</table>')


def build_report(table: pa.Table, *, source: str = "", top: int = 8, thumb_side: int = 360) -> str:
    """The report page as a string: summary, a histogram per score, the best, worst and most-likely-AI
    images (`top` each) with their critiques, and the most common errors."""
    uris = table.column("uri").to_pylist()
    errors = table.column("error").to_pylist()
    ok = np.array([e is None for e in errors], dtype=bool)
    quality = _floats(table, "quality")
    ai = _floats(table, "ai_generated")
    sections = [_charts(table, ok, ai)]

    scored = np.flatnonzero(ok & np.isfinite(quality))
    order = scored[np.argsort(-quality[scored], kind="stable")]
    best = order[: min(top, (len(order) + 1) // 2)]  # few images: best and worst split them
    worst = order[::-1][: min(top, len(order) - len(best))]
    if len(best):
        note = f"The {_plural(len(best), 'highest quality score', 'highest quality scores')}."
        sections.append(_gallery("Best", note, table, best, thumb_side))
    if len(worst):
        note = f"The {_plural(len(worst), 'lowest quality score', 'lowest quality scores')}."
        sections.append(_gallery("Worst", note, table, worst, thumb_side))
    known = np.flatnonzero(ok & np.isfinite(ai))
    if len(known):
        likely = known[np.argsort(-ai[known], kind="stable")][:top]
        note = (f"The highest <code>ai_generated</code> probabilities of the "
                f"{_plural(len(known), 'one image', 'images')} with provenance evidence or a model's "
                "estimate.")
        sections.append(_gallery("Most likely AI-generated", note, table, likely, thumb_side))
    else:
        note = ("No scored image has an <code>ai_generated</code> value: the scorer found no provenance "
                "evidence and made no estimate of its own (authenticity is <code>unknown</code>).")
        sections.append(_section("Most likely AI-generated", note))
    sections.append(_errors(uris, errors))

    stamp = _dt.datetime.now().strftime("%Y-%m-%d %H:%M")
    title = f"vc-curate report: {os.path.basename(source.rstrip('/')) or 'scores'}"
    return (f'<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)}</title>'
            f'<meta name="viewport" content="width=device-width, initial-scale=1"><style>{CSS}</style></head>'
            f'<body><header><h1>{escape(title)}</h1><p class="note">{escape(source)} · made {stamp}</p>'
            f'{_summary(table, ok, quality)}</header>{"".join(sections)}</body></html>\n')


def write_report(scores_path: str, out_path: str, *, top: int = 8) -> int:
    """Read a scores Parquet dataset and write its report; returns the number of records."""
    table = read_scores(scores_path)
    page = build_report(table, source=scores_path, top=top)
    tmp = out_path + ".tmp"
    with open(tmp, "w", encoding="utf-8") as f:
        f.write(page)
    os.replace(tmp, out_path)
    return len(table)


CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:#1d1d1f;background:#f6f6f4;
margin:0;padding:24px 32px 48px}
h1{font-size:24px;margin:0 0 4px}h2{font-size:19px;margin:32px 0 4px}h3{font-size:14px;margin:0 0 2px}
.note{color:#666;margin:0 0 12px}code{font:13px ui-monospace,Menlo,Consolas,monospace}
table.summary{border-collapse:collapse;background:#fff;border:1px solid #ddd}
table.summary th,table.summary td{text-align:left;padding:4px 14px;border-bottom:1px solid #eee}
table.summary th{color:#555;font-weight:600}
.charts{display:grid;grid-template-columns:repeat(auto-fill,minmax(340px,1fr));gap:14px}
.chart{background:#fff;border:1px solid #ddd;border-radius:6px;padding:10px}
.chart svg{width:100%;height:auto;font:11px system-ui,sans-serif;fill:#333}
.chart svg text.axis{font-size:12px;fill:#555}
.gallery{display:grid;grid-template-columns:repeat(auto-fill,minmax(260px,1fr));gap:14px}
.card{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;overflow:hidden;display:flex;
flex-direction:column}
.thumb{background:#2b2b2b;height:220px;display:flex;align-items:center;justify-content:center}
.thumb img{width:100%;height:100%;object-fit:contain}
.thumb img.tiny{image-rendering:pixelated;width:96px;height:96px;outline:1px solid #888}
.missing{color:#eee;padding:16px;font-size:13px;text-align:center}
figcaption{padding:10px 12px}
.head{display:flex;align-items:center;gap:8px;margin-bottom:6px}
.q{color:#fff;font-weight:700;font-size:18px;border-radius:4px;padding:1px 8px;min-width:28px;
text-align:center}
.qlabel{color:#666;font-size:13px}
.auth{margin-left:auto;font-size:12px;border-radius:10px;padding:1px 8px;background:#eee;color:#555}
.auth-ai-generated{background:#f1e4f8;color:#6c2a8c}.auth-photographic{background:#e3f1e6;color:#1f6b33}
table.attrs{width:100%;border-collapse:collapse;font-size:12px}
table.attrs th{text-align:left;font-weight:400;color:#555;width:84px;padding:1px 0}
table.attrs td.num{text-align:right;width:26px;color:#333}
.bar{background:#eceff3;height:7px;border-radius:4px;overflow:hidden}
.bar span{display:block;height:100%;background:#3b6ea8}
.critique{margin:8px 0 4px;font-size:13.5px}
.prov{margin:4px 0;font-size:12px;color:#6c2a8c;word-break:break-all}
.uri{margin:6px 0 0;font-size:11.5px;color:#777;word-break:break-all}
.size{color:#999;white-space:nowrap}
table.errors{border-collapse:collapse;background:#fff;border:1px solid #ddd;width:100%}
table.errors th,table.errors td{text-align:left;padding:6px 12px;border-bottom:1px solid #eee;
vertical-align:top}
table.errors td.num{text-align:right;width:60px;font-weight:600}
.eg{color:#777;font-size:12px;margin-top:2px;word-break:break-all}
"""
