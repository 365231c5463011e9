"""The HTML report of a scores table: one self-contained page (inline CSS, SVG and base64 thumbnails).

Every axis, range and number format comes from the field declarations (`vc_curate.fields`); thumbnails link
to the image files they were made from.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections import Counter, defaultdict
from html import escape
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq

from vc_curate.columns import float_column
from vc_curate.errors import first_line
from vc_curate.fields import AMOUNT, ATTRIBUTES, DEFECTS, FIELDS, GRADE, PROBABILITY, SCORES
from vc_curate.report.errors import common_errors
from vc_curate.report.histogram import histogram_svg
from vc_curate.report.thumbnails import thumbnail_data_uri
from vc_curate.wording import plural

NEEDED = ("uri", "error") + SCORES
SHOWN = NEEDED + ("sha256", "width", "height", "ai_generated", "authenticity", "provenance", "defects",
                  "critique", "scorer")
CHARTED = tuple(name for name, spec in FIELDS.items() if spec.kind in (GRADE, AMOUNT, PROBABILITY))
AI_LIKELY = 0.5  # the ai_generated value from which authenticity reads ai-generated (vc_curate.record)
DUPLICATE_URIS_SHOWN = 6


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
        raise ReportError(f"cannot read {path} as Parquet: {first_line(exc)}") from None



def value_text(name: str, value: float | None) -> str:
    """A field's value as the report prints it: one decimal for scores, two for probabilities."""
    if value is None or not np.isfinite(value):
        return "–"
    return f"{value:.2f}" if FIELDS[name].kind == PROBABILITY else f"{value:.1f}"


def _strings(table: pa.Table, name: str) -> list[str | None]:
    return table.column(name).to_pylist() if name in table.column_names else [None] * len(table)


def _quality_colour(quality: float | None) -> str:
    spec = FIELDS["quality"]
    if quality is None:
        return "hsl(0, 0%, 45%)"
    share = (min(spec.high, max(spec.low, quality)) - spec.low) / (spec.high - spec.low)
    return f"hsl({share * 120:.0f}, 62%, 38%)"


def image_link(uri: str) -> str | None:
    """Where a thumbnail links to: the URL, or the local file; None for a member of a shard or Parquet file."""
    if re.match(r"https?://", uri):
        return uri
    if os.path.isfile(uri):
        return Path(uri).resolve().as_uri()
    return None


class _Thumbnails:
    """Each image's thumbnail (or why it cannot be shown) made once, however many sections show it."""

    def __init__(self, side: int):
        self.side, self._made = side, {}

    def picture(self, row: dict) -> str:
        uri = row["uri"]
        if uri not in self._made:
            try:
                self._made[uri] = thumbnail_data_uri(uri, self.side)
            except Exception as exc:  # noqa: BLE001 - any unreadable image is shown as its reason, not a crash
                self._made[uri] = exc
        made = self._made[uri]
        if isinstance(made, Exception):
            return f'<div class="missing">cannot show the image: {escape(first_line(made)[:200])}</div>'
        tiny = ' class="tiny"' if max(row.get("width") or 0, row.get("height") or 0) < 64 else ""
        img = f'<img{tiny} src="{made}" alt="{escape(os.path.basename(uri))}">'
        link = image_link(uri)
        return f'<a href="{escape(link)}" title="open the image">{img}</a>' if link else img


def _badges(row: dict) -> str:
    authenticity = row.get("authenticity") or "unknown"
    badges = []
    if authenticity != "unknown":
        badges.append(f'<span class="auth auth-{escape(authenticity)}">{escape(authenticity)}</span>')
    if row.get("ai_generated") is not None:
        badges.append(f'<span class="pai" title="probability that the image is AI-generated">'
                      f'P(AI) {value_text("ai_generated", row["ai_generated"])}</span>')
    return "".join(badges)


def _card(row: dict, thumbs: _Thumbnails) -> str:
    quality = row["quality"]
    bars = "".join(
        f'<tr><th>{name}</th><td><div class="bar"><span style="width:{row[name]:.0f}%"></span></div></td>'
        f'<td class="num">{value_text(name, row[name])}</td></tr>' for name in ATTRIBUTES if row.get(name) is not None)
    size = f"{row['width']}×{row['height']}" if row.get("width") else ""
    lines = [
        '<figure class="card">',
        f'<div class="thumb">{thumbs.picture(row)}</div>',
        "<figcaption>",
        f'<div class="head"><span class="q" style="background:{_quality_colour(quality)}">'
        f'{value_text("quality", quality)}</span><span class="qlabel">quality</span>{_badges(row)}</div>',
        f'<table class="attrs">{bars}</table>',
    ]
    if row.get("defects"):
        lines.append(f'<p class="defects">defects: {escape(row["defects"].replace(";", ", "))}</p>')
    if row.get("critique"):
        lines.append(f'<p class="critique">{escape(row["critique"])}</p>')
    if row.get("provenance"):
        lines.append(f'<p class="prov">provenance: {escape(row["provenance"])}</p>')
    lines.append(f'<p class="uri" title="{escape(row["uri"])}">{escape(row["uri"])}'
                 + (f' <span class="size">{size}</span>' if size else "") + "</p>")
    lines.append("</figcaption></figure>")
    return "".join(lines)


def _tile(row: dict, thumbs: _Thumbnails) -> str:
    """A small example: the picture, its quality and its name."""
    return (f'<figure class="tile"><div class="thumb small">{thumbs.picture(row)}</div>'
            f'<figcaption><span class="q" style="background:{_quality_colour(row["quality"])}">'
            f'{value_text("quality", row["quality"])}</span> <span class="uri" title="{escape(row["uri"])}">'
            f'{escape(os.path.basename(row["uri"]))}</span></figcaption></figure>')


def _section(title: str, note: str, body: str = "") -> str:
    return f'<section><h2>{escape(title)}</h2><p class="note">{note}</p>{body}</section>'


def _rows(table: pa.Table, rows) -> list[dict]:
    return table.take(pa.array(list(rows), pa.int64())).to_pylist()


def _gallery(title: str, note: str, table: pa.Table, rows: np.ndarray, thumbs: _Thumbnails) -> str:
    cards = "".join(_card(row, thumbs) for row in _rows(table, rows))
    return _section(title, note, f'<div class="gallery">{cards}</div>')


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


def _charts(table: pa.Table, ok: np.ndarray) -> str:
    scored = int(ok.sum())
    charts = []
    for name in CHARTED:
        spec = FIELDS[name]
        values = float_column(table, name)[ok]
        known = int(np.isfinite(values).sum())
        if spec.kind == PROBABILITY and not known:
            continue  # nothing is known about it: no empty chart
        title = name if known == scored else f"{name} ({known:,} of {plural(scored, 'image')} have a value)"
        probability = spec.kind == PROBABILITY
        svg = histogram_svg(values, low=spec.low, high=spec.high, bins=10 if probability else 20,
                            colour="#8e44ad" if probability else "#3b6ea8", decimals=2 if probability else 1,
                            label=f"{name} ({spec.low:g}–{spec.high:g}"
                                  + (", higher is better)" if spec.higher_is_better else ")"))
        charts.append(f'<div class="chart"><h3>{escape(title)}</h3>{svg}</div>')
    note = (f"How the {plural(scored, 'scored image')} spread over each score (hover a bar for its count); "
            "the dashed line is the median.")
    return _section("Scores", note, f'<div class="charts">{"".join(charts)}</div>')


def _extremes(table: pa.Table, ok: np.ndarray, quality: np.ndarray, top: int, thumbs: _Thumbnails) -> list[str]:
    scored = np.flatnonzero(ok & np.isfinite(quality))
    order = scored[np.argsort(-quality[scored], kind="stable")]
    highest = order[: min(top, (len(order) + 1) // 2)]  # few images: highest and lowest split them
    lowest = order[::-1][: min(top, len(order) - len(highest))]
    spec = FIELDS["quality"]
    sections = []
    for title, rows in (("Highest quality scores", highest), ("Lowest quality scores", lowest)):
        if len(rows):
            values = quality[rows]
            note = (f"{plural(len(rows), 'image')} of {len(scored):,}, quality {value_text('quality', values.max())}"
                    + (f" to {value_text('quality', values.min())}" if len(rows) > 1 else "")
                    + f" ({spec.low:g}–{spec.high:g}, higher is better).")
            sections.append(_gallery(title, note, table, rows, thumbs))
    return sections


def _likely_ai(table: pa.Table, ok: np.ndarray, top: int, thumbs: _Thumbnails) -> list[str]:
    """The images whose evidence says AI-generated; nothing when no image's does."""
    ai = float_column(table, "ai_generated")
    likely = np.flatnonzero(ok & np.isfinite(ai) & (ai >= AI_LIKELY))
    if not len(likely):
        return []
    shown = likely[np.argsort(-ai[likely], kind="stable")][:top]
    note = (f"{plural(len(likely), 'image')} with an <code>ai_generated</code> probability of at least "
            f"{AI_LIKELY:.2f} (from provenance evidence or a model's estimate); the {len(shown):,} highest.")
    return [_gallery("Likely AI-generated", note, table, shown, thumbs)]


def _by_defect(table: pa.Table, ok: np.ndarray, top: int, thumbs: _Thumbnails) -> str:
    """Images per defect, most common first, each with an example grid (lowest quality first)."""
    defects = _strings(table, "defects")
    named = [i for i in np.flatnonzero(ok) if defects[i] is not None]
    if not named:
        return _section("By defect", "The scorer named no defects for these records (their <code>defects</code> "
                                     "field is empty).")
    images: dict[str, list[int]] = defaultdict(list)
    for i in named:
        for word in filter(None, defects[i].split(";")):
            images[word].append(i)
    clean = sum(defects[i] == "" for i in named)
    note = (f"Of {plural(len(named), 'image')} checked for defects, {clean:,} had none. "
            "Each defect with its count and the lowest-quality examples (an image can have several).")
    if not images:
        return _section("By defect", note)
    order = sorted(images, key=lambda d: (-len(images[d]), DEFECTS.index(d) if d in DEFECTS else len(DEFECTS)))
    quality = float_column(table, "quality")
    header = '<tr><th>defect</th><th class="num">images</th><th class="num">share</th></tr>'
    rows = "".join(f'<tr><td><a href="#defect-{escape(d)}">{escape(d)}</a></td><td class="num">'
                   f'{len(images[d]):,}</td><td class="num">{len(images[d]) / len(named):.1%}</td></tr>'
                   for d in order)
    grids = []
    for d in order:
        rows_d = sorted(images[d], key=lambda i: (np.nan_to_num(quality[i], nan=np.inf), i))[:top]
        tiles = "".join(_tile(row, thumbs) for row in _rows(table, rows_d))
        grids.append(f'<h3 id="defect-{escape(d)}">{escape(d)} · {plural(len(images[d]), "image")}</h3>'
                     f'<div class="tiles">{tiles}</div>')
    return _section("By defect", note, f'<table class="counts">{header}{rows}</table>{"".join(grids)}')


def _duplicates(table: pa.Table) -> str:
    """Inputs whose bytes are identical (the same sha256), largest groups first."""
    groups: dict[str, list[str]] = defaultdict(list)
    for uri, digest in zip(table.column("uri").to_pylist(), _strings(table, "sha256")):
        if digest:
            groups[digest].append(uri)
    repeated = sorted(((d, uris) for d, uris in groups.items() if len(uris) > 1),
                      key=lambda group: (-len(group[1]), group[1][0]))
    if not repeated:
        return _section("Exact duplicates", f"None: no two of the {plural(sum(map(len, groups.values())), 'input')} "
                                            "with readable bytes have the same sha256.")
    extra = sum(len(uris) - 1 for _, uris in repeated)
    note = (f"{plural(len(repeated), 'group')} of inputs with identical bytes (the same sha256): "
            f"{plural(extra, 'copy', 'copies')} beyond the first of each.")
    rows = "".join(
        f'<tr><td class="num">{len(uris):,}</td><td><code>{escape(digest[:12])}…</code></td><td>'
        + "<br>".join(escape(u) for u in uris[:DUPLICATE_URIS_SHOWN])
        + (f"<br>… and {len(uris) - DUPLICATE_URIS_SHOWN:,} more" if len(uris) > DUPLICATE_URIS_SHOWN else "")
        + "</td></tr>" for digest, uris in repeated)
    header = '<tr><th class="num">copies</th><th>sha256</th><th>inputs</th></tr>'
    return _section("Exact duplicates", note, f'<table class="errors">{header}{rows}</table>')


def _errors(uris: list[str], errors: list[str | None]) -> str:
    failed = sum(e is not None for e in errors)
    if not failed:
        return _section("Errors", f"None: all {plural(len(errors), 'input')} were scored."
                        if len(errors) != 1 else "None: the input was scored.")
    rows = "".join(f'<tr><td class="num">{k.count:,}</td><td><code>{escape(k.kind)}</code>'
                   f'<div class="eg">e.g. {escape(k.example_uri)}: {escape(k.example_error)}</div></td></tr>'
                   for k in common_errors(uris, errors))
    note = f"{failed:,} of {plural(len(errors), 'input')} could not be scored. The most common kinds:"
    header = "<tr><th>count</th><th>error</th></tr>"
    return _section("Errors", note, f'<table class="errors">{header}{rows}</table>')


def build_report(table: pa.Table, *, source: str = "", top: int = 8, thumb_side: int = 360) -> str:
    """The report page as a string: summary, a histogram per score, the highest and lowest quality and the
    likely AI-generated images (`top` each) with their critiques, images by defect, exact duplicates and the
    most common errors."""
    uris = table.column("uri").to_pylist()
    errors = table.column("error").to_pylist()
    ok = np.array([e is None for e in errors], dtype=bool)
    quality = float_column(table, "quality")
    thumbs = _Thumbnails(thumb_side)
    sections = [_charts(table, ok), *_extremes(table, ok, quality, top, thumbs), *_likely_ai(table, ok, top, thumbs),
                _by_defect(table, ok, top, thumbs), _duplicates(table), _errors(uris, errors)]

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
.auth,.pai{font-size:12px;border-radius:10px;padding:1px 8px;background:#eee;color:#555;white-space:nowrap}
.auth{margin-left:auto}.auth+.pai{margin-left:0}.pai:first-of-type{margin-left:auto}
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
.defects{margin:6px 0 2px;font-size:12.5px;color:#8a4b08}
table.counts{border-collapse:collapse;background:#fff;border:1px solid #ddd;margin-bottom:8px}
table.counts th,table.counts td{text-align:left;padding:4px 14px;border-bottom:1px solid #eee}
table.counts .num,table.errors th.num{text-align:right}
.tiles{display:grid;grid-template-columns:repeat(auto-fill,minmax(150px,1fr));gap:10px}
.tile{margin:0;background:#fff;border:1px solid #ddd;border-radius:6px;overflow:hidden}
.tile figcaption{padding:6px 8px;font-size:12px;display:flex;gap:6px;align-items:center;min-width:0}
.tile .q{font-size:13px;min-width:0;padding:0 6px}
.tile .uri{margin:0;overflow:hidden;text-overflow:ellipsis;white-space:nowrap}
.thumb.small{height:120px}
.eg{color:#777;font-size:12px;margin-top:2px;word-break:break-all}
"""
