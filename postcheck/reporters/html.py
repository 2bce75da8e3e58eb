"""``--format html``: one self-contained page — verdicts, highlighted text, photos with face boxes.

Photos are embedded as small JPEG thumbnails (EXIF orientation applied, no metadata kept) in
``data:`` URIs, so the file opens offline and never leaks a photo's GPS position. Face boxes and
bands come from image findings' ``details`` (``box`` = [left, top, width, height] in the upright
full-size photo, ``band`` = match | possible, optional ``faces`` = every detected face); anything
missing is simply not drawn.
"""
from __future__ import annotations

import base64
import html
import io
from pathlib import Path
from typing import IO, Any, Iterable

from postcheck import __version__
from postcheck.model import Finding, PostResult, Report, Severity, Verdict
from postcheck.posts import VIDEO_SUFFIXES

THUMB = 480  # px, longest side
VERDICT_COLOURS = {Verdict.FAIL: "#c62828", Verdict.REVIEW: "#f9a825", Verdict.PASS: "#2e7d32"}
BANDS = {  # band -> (colour, legend)
    "match": ("#ff1744", "objector matched"),
    "possible": ("#ff9100", "possible match — check by eye"),
    "other": ("#2979ff", "other face"),
}
GPS_COLOUR = "#7b1fa2"
_BAND_ORDER = {"match": 0, "possible": 1, "other": 2}

CSS = """
body{font:15px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;margin:0;background:#f4f5f7;color:#1d1f23}
header{background:#1d2733;color:#fff;padding:18px 28px}header h1{margin:0 0 4px;font-size:22px}
main{padding:18px 28px;max-width:1200px}
.badge{display:inline-block;min-width:64px;text-align:center;font-weight:700;color:#fff;border-radius:4px;padding:2px 8px;margin-right:8px}
.badge.fail{background:%(fail)s}.badge.review{background:%(review)s;color:#111}.badge.pass{background:%(pass)s}
.counts span{margin-right:14px}
nav table{border-collapse:collapse;margin:8px 0 18px}nav td{padding:2px 10px 2px 0;vertical-align:top}
nav td.n{white-space:nowrap;color:#444}nav td.reasons{color:#444;font-size:13px}
.notices{color:#555;font-size:13px}
.post{background:#fff;border-radius:8px;box-shadow:0 1px 3px #0002;margin:0 0 22px;padding:14px 20px;border-left:8px solid #999}
.post.fail{border-left-color:%(fail)s}.post.review{border-left-color:%(review)s}.post.pass{border-left-color:%(pass)s}
.post h2{font-size:17px;margin:4px 0 10px}.facts{color:#666;font-weight:400;font-size:13px}
.text{white-space:pre-wrap;font:14px/1.5 ui-monospace,Menlo,Consolas,monospace;background:#fafafa;border:1px solid #e3e3e3;border-radius:4px;padding:10px 12px;overflow-wrap:anywhere}
mark{border-radius:2px;padding:0 1px}mark.error{background:#ffcdd2;outline:2px solid %(fail)s}mark.warning{background:#fff3c4;outline:2px solid %(review)s}mark.info{background:#d7ecff}
sup.ref{font:700 11px system-ui,sans-serif;color:#444}
.photos{display:flex;flex-wrap:wrap;gap:14px;margin:12px 0}
figure{margin:0;width:320px}figcaption{font-size:12px;color:#444;margin-top:4px;overflow-wrap:anywhere}
.frame{position:relative;line-height:0;background:#ddd}.frame img{width:100%%;height:auto;display:block}
.frame svg{position:absolute;inset:0;width:100%%;height:100%%}
.frame .none{line-height:1.4;padding:30px 10px;text-align:center;color:#555;font-size:13px}
.gps{position:absolute;top:8px;right:8px;background:%(gps)s;color:#fff;font:700 14px/1 system-ui,sans-serif;padding:6px 10px;border-radius:4px}
ol.findings{padding-left:22px;margin:10px 0 2px}ol.findings li{margin-bottom:8px}
.where{font-weight:600}.sev{font-weight:700;text-transform:uppercase;font-size:12px;margin:0 6px}
.sev.error{color:%(fail)s}.sev.warning{color:#b26a00}.sev.info{color:#1565c0}
.rule{color:#777;font-size:12px}.clause{color:#333;font-size:13px;margin-left:4px}.clause b{color:#1565c0}
.fix{font-size:13px;color:#2e5e2e;margin-left:4px}
ul.allowed,ul.checked{padding-left:22px;margin:6px 0 2px;font-size:13px}.sev.allowed{color:#2e7d32}.reason{color:#444;margin-left:4px}
ul.checked{color:#555;list-style:circle}
.compare{display:flex;gap:8px;margin:6px 0 2px 4px}.compare figure{width:128px}.compare img{width:128px;height:128px;display:block}
.legend{font-size:13px;margin:6px 0 14px}.legend i{display:inline-block;width:14px;height:14px;border:3px solid;vertical-align:-3px;margin:0 4px 0 12px}
""" % {"fail": VERDICT_COLOURS[Verdict.FAIL], "review": VERDICT_COLOURS[Verdict.REVIEW],
       "pass": VERDICT_COLOURS[Verdict.PASS], "gps": GPS_COLOUR}

# The page loads nothing from anywhere: images are data: URIs, styles inline, no scripts.
CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'"


def render(report: Report, out: IO[str], options: Any) -> None:
    e = html.escape
    clauses = getattr(options, "clauses", None) or {}
    quiet = getattr(options, "quiet", False)
    # failures first, then reviews, then passes; file order within each
    posts = sorted((p for p in report.posts if not (quiet and p.verdict is Verdict.PASS)), key=lambda p: -p.verdict.rank)
    photos = [(post, _photos(post)) for post in posts]
    bands_used = sorted({box[1] for _, figs in photos for fig in figs for box in fig["boxes"]}, key=_BAND_ORDER.get)
    counts = report.summary()

    w = out.write
    w(f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
      f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
      f'<meta name="viewport" content="width=device-width,initial-scale=1">'
      f'<title>postcheck report — {counts["fail"]} fail, {counts["review"]} review</title><style>{CSS}</style></head>\n<body>\n')
    w(f'<header><h1>postcheck report</h1><div class="counts" id="counts">'
      f'<span>{counts["posts"]} post{"s" if counts["posts"] != 1 else ""}</span>'
      f'<span class="n-fail">{counts["fail"]} fail</span><span class="n-review">{counts["review"]} review</span>'
      f'<span class="n-pass">{counts["pass"]} pass</span><span>postcheck {e(__version__)}</span></div></header>\n<main>\n')
    if report.notices:
        w('<ul class="notices">' + "".join(f"<li>{e(n)}</li>" for n in report.notices) + "</ul>\n")
    if len(posts) > 1:
        w('<nav><table>')
        for index, post in enumerate(posts):
            _index_row(w, index + 1, post)
        w('</table></nav>\n')
    if bands_used:
        w('<div class="legend">Face boxes:' + "".join(
            f'<span class="band-{b}"><i style="border-color:{BANDS[b][0]}"></i>{e(BANDS[b][1])}</span>'
            for b in bands_used) + "</div>\n")
    for index, (post, figures) in enumerate(photos):
        _post(w, index + 1, post, figures, clauses)
    w("</main>\n</body></html>\n")


def problems(post: PostResult) -> list[Finding]:
    """The findings that need something done (errors and warnings; info lines only report)."""
    return [f for f in post.findings if f.severity is not Severity.INFO]


def _index_row(w, number: int, post: PostResult) -> None:
    """One line of the index: verdict, post, and its reasons (categories with their clauses)."""
    e = html.escape
    label = post.verdict.value
    found = problems(post)
    reasons: dict[str, list[str]] = {}
    for f in sorted(found, key=lambda f: -f.severity.rank):
        clauses = reasons.setdefault(f.category, [])
        clauses += [c for c in f.clauses if c not in clauses]
    text = "; ".join(f"{category} ({', '.join(clauses)})" if clauses else category for category, clauses in reasons.items())
    count = f'{len(found)} problem{"s" if len(found) != 1 else ""}' if found else "nothing found"
    w(f'<tr><td><span class="badge {label}">{label.upper()}</span></td>'
      f'<td><a href="#post-{number}">{e(post.path)}</a></td><td class="n">{count}</td>'
      f'<td class="reasons">{e(text)}</td></tr>')


def shown_text(post: PostResult) -> str:
    """The post's own text: without the photo file names that the analysed text ends with."""
    text = post.text
    for image in reversed(post.images):
        stem = Path(image).stem
        if text.endswith("\n\n" + stem):
            text = text[:-len(stem) - 2]
        elif text == stem:
            text = ""
        else:
            break
    return text


def _post(w, number: int, post: PostResult, figures: list[dict], clauses: dict[str, str]) -> None:
    e = html.escape
    label = post.verdict.value
    facts = [post.account] + ([post.platform] if post.platform else [])
    if post.images:
        facts.append(f"{len(post.images)} image{'s' if len(post.images) != 1 else ''}")
    w(f'<section class="post {label}" id="post-{number}" data-verdict="{label}">'
      f'<h2><span class="badge {label}">{label.upper()}</span>{e(post.path)} '
      f'<span class="facts">({e(" · ".join(facts))})</span></h2>\n')
    numbered = list(enumerate(post.findings, 1))
    text = shown_text(post)
    if text.strip():  # names in it are already masked when the report hides them
        w(f'<div class="text">{_highlight(text, numbered, number)}</div>\n')
    if figures:
        w('<div class="photos">')
        for fig in figures:
            _figure(w, fig)
        w("</div>\n")
    if numbered:
        w('<ol class="findings">')
        for n, finding in numbered:
            _finding(w, f"f-{number}-{n}", finding, clauses)
        w("</ol>\n")
    if post.allowed:  # never silent: what an inline allow let through, and why
        w('<ul class="allowed">' + "".join(
            f'<li class="allowed"><span class="where">{e(_where(a.finding))}</span><span class="sev allowed">allowed</span>'
            f'{e(a.finding.message)} <span class="rule">{e(a.finding.rule)}</span>'
            f'<div class="reason">reason: {e(a.reason)}</div></li>' for a in post.allowed) + "</ul>\n")
    if post.checked:  # what was looked at and found clear: not findings
        w('<ul class="checked">' + "".join(
            f'<li class="checked"><span class="where">{e(c.path)}</span> checked: {e(c.message)}</li>'
            for c in post.checked) + "</ul>\n")
    w("</section>\n")


def _where(f: Finding) -> str:
    return f.path + (f":{f.line}" if f.line is not None else "") + (f":{f.column}" if f.line is not None and f.column is not None else "")


def _finding(w, anchor: str, f: Finding, clauses: dict[str, str]) -> None:
    e = html.escape
    where = _where(f)
    w(f'<li id="{anchor}" class="finding {f.severity.value}" data-category="{e(f.category)}">'
      f'<span class="where">{e(where)}</span><span class="sev {f.severity.value}">{f.severity.value}</span>'
      f'{e(f.message)} <span class="rule">{e(f.rule)}</span>')
    for clause in f.clauses:
        w(f'<div class="clause">policy <b>{e(clause)}</b> {e(clauses.get(clause, ""))}</div>')
    if f.suggestion:
        w(f'<div class="fix">fix: {e(f.suggestion)}</div>')
    from postcheck.reporters.crops import comparison

    w(comparison(f))  # a possible match beside the learner's reference, to decide at a glance
    w("</li>")


def _highlight(text: str, numbered: list[tuple[int, Finding]], number: int = 1) -> str:
    """The post text with each finding's span marked; overlapping spans are clipped, not nested."""
    e = html.escape
    spans = sorted(((f.span[0], f.span[1], n, f) for n, f in numbered if f.span and 0 <= f.span[0] <= len(text)),
                   key=lambda s: (s[0], -s[1], s[2]))
    parts, pos = [], 0
    for start, end, n, f in spans:
        start, end = max(start, pos), min(max(end, start), len(text))
        if end <= start and f.span[1] > f.span[0]:
            continue
        parts.append(e(text[pos:start]))
        shown = text[start:end]
        title = f"{f.message} — " + ", ".join(f.clauses)
        parts.append(f'<mark class="{f.severity.value}" title="{e(title)}">{e(shown)}</mark>'
                     f'<sup class="ref"><a href="#f-{number}-{n}">{n}</a></sup>')
        pos = end
    parts.append(e(text[pos:]))
    return "".join(parts)


def _photos(post: PostResult) -> list[dict]:
    figures = []
    for image in post.images:
        own = [f for f in post.findings if f.path == image] + [a.finding for a in post.allowed if a.finding.path == image]
        faces = [face for c in post.checked if c.path == image for face in (c.details.get("faces") or ())]
        if Path(image).suffix.lower() in VIDEO_SUFFIXES:  # a clip: a strip of the frames with findings
            from postcheck.reporters.html_video import video_figures

            figures.extend(video_figures(image, own, faces))
            continue
        thumb = thumbnail(Path(image))
        figures.append({"path": image, "thumb": thumb, "boxes": _boxes(own, faces), "gps": any(_is_gps(f) for f in own)})
    return figures


def _figure(w, fig: dict) -> None:
    e = html.escape
    w(f'<figure class="photo" data-faces="{len(fig["boxes"])}" data-gps="{str(fig["gps"]).lower()}"><div class="frame">')
    thumb = fig["thumb"]
    if thumb is None:
        w('<div class="none">photo could not be shown</div>')
    else:
        uri, width, height = thumb
        w(f'<img alt="{e(Path(fig["path"]).name)}" src="{uri}">')
        if fig["boxes"]:
            w(f'<svg viewBox="0 0 {width} {height}" preserveAspectRatio="none" aria-hidden="true">')
            for (top, right, bottom, left), band, label in sorted(fig["boxes"], key=lambda b: -_BAND_ORDER[b[1]]):
                w(f'<rect class="face {band}" x="{left}" y="{top}" width="{right - left}" height="{bottom - top}" '
                  f'fill="none" stroke="{BANDS[band][0]}" stroke-width="4" vector-effect="non-scaling-stroke">'
                  f'<title>{e(BANDS[band][1] + (": " + label if label else ""))}</title></rect>')
            w("</svg>")
    if fig["gps"]:
        w('<span class="gps" title="The photo carries a GPS position">GPS</span>')
    w(f'</div><figcaption>{e(fig["path"])}')
    for _, band, label in fig["boxes"]:
        if band != "other":
            w(f'<br><span style="color:{BANDS[band][0]}">■</span> {e(BANDS[band][1])}{": " + e(label) if label else ""}')
    w("</figcaption></figure>")


def _box(value: Any) -> tuple[int, int, int, int] | None:
    """A face box as (top, right, bottom, left), from ``[left, top, width, height]`` (as the face
    checks write it, in pixels of the upright photo), or None when it is not one."""
    if isinstance(value, dict):
        value = value.get("box")
    try:
        left, top, width, height = (int(round(float(v))) for v in value)
    except (TypeError, ValueError):
        return None
    if width <= 0 or height <= 0:
        return None
    return top, left + width, top + height, left


def _boxes(findings: Iterable[Finding], other_faces: Iterable[Any] = ()) -> list[tuple[tuple[int, int, int, int], str, str]]:
    """(box, band, label) for every face the findings (and checked records) mention; the strongest band wins per box."""
    best: dict[tuple[int, int, int, int], str] = {}
    labels: dict[tuple[int, int, int, int], str] = {}

    def add(box: tuple[int, int, int, int] | None, band: str, label: str = "") -> None:
        if box is not None and (box not in best or _BAND_ORDER[band] < _BAND_ORDER[best[box]]):
            best[box] = band
            labels[box] = label or labels.get(box, "")

    for f in findings:
        details = f.details if isinstance(f.details, dict) else {}
        band = str(details.get("band", "")).lower()
        if band not in BANDS:
            band = "match" if f.severity.value == "error" else "possible"
        if f.category == "objected-image" or "band" in details:
            add(_box(details.get("box")), band, _label(details))
        faces = details.get("faces")
        for face in faces if isinstance(faces, list) else ():
            face_band = str(face.get("band", "other")).lower() if isinstance(face, dict) else "other"
            add(_box(face), face_band if face_band in BANDS else "other")
    for face in other_faces:
        add(_box(face), "other")
    return sorted((box, band, labels.get(box, "")) for box, band in best.items())


def _label(details: dict) -> str:
    """Initials, learner id and distance: enough to check by eye, never a full name."""
    who = " ".join(str(details[k]) for k in ("initials", "learner") if details.get(k))
    distance = details.get("distance")
    if isinstance(distance, (int, float)):
        who += f" (distance {distance:.2f})"
    return who.strip()


def _is_gps(f: Finding) -> bool:
    if f.category != "image-metadata":
        return False
    keys = " ".join(str(k) for k in (f.details or {})).lower()
    return "gps" in f.rule.lower() or "gps" in f.message.lower() or "gps" in keys or "latitude" in keys


def thumbnail(path: Path, size: int = THUMB) -> tuple[str, int, int] | None:
    """(data URI of a small JPEG, full width, full height) after EXIF orientation; None if unreadable.

    The JPEG is re-encoded from pixels only, so no EXIF (GPS, camera, owner) survives into the page.
    """
    try:
        from PIL import Image, ImageOps
    except ImportError:
        return None
    try:
        import pillow_heif  # iPhone photos

        pillow_heif.register_heif_opener()
    except Exception:  # noqa: BLE001 - HEIC support is optional for thumbnails
        pass
    from postcheck.images.loader import ImageError, open_image, strict_pillow

    try:
        with strict_pillow(), open_image(path) as image:
            width, height = image.size
            if image.getexif().get(0x0112) in (5, 6, 7, 8):  # rotated 90°: width and height swap
                width, height = height, width
            image.draft("RGB", (size * 2, size * 2))  # JPEG: decode at a fraction of full size
            oriented = ImageOps.exif_transpose(image)
            oriented.thumbnail((size, size))
            if oriented.mode in ("RGBA", "LA", "P", "PA"):
                rgba = oriented.convert("RGBA")
                flat = Image.new("RGB", rgba.size, (255, 255, 255))
                flat.paste(rgba, mask=rgba.getchannel("A"))
                oriented = flat
            else:
                oriented = oriented.convert("RGB")
            buffer = io.BytesIO()
            oriented.save(buffer, "JPEG", quality=82, optimize=True)
    except (Exception, ImageError):  # noqa: BLE001 - a photo that cannot be shown still leaves its findings listed
        return None
    return "data:image/jpeg;base64," + base64.b64encode(buffer.getvalue()).decode("ascii"), width, height
