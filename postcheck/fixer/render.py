"""What `postcheck fix` prints: a readable list of changes, or JSON of every change; names masked when asked."""
from __future__ import annotations

import json
from typing import Any, Iterable, TextIO

from postcheck.fixer.run import FixReport, PhotoChange, PostFix
from postcheck.model import Finding, PostResult, Report
from postcheck.redact import NAME_CATEGORIES, Scrubber, is_personal, mask, redact_report


class _Names:
    """Masks every learner's name (known or detected) in what is shown about one post, when names are hidden."""

    def __init__(self, fix: PostFix, hidden: bool, known: tuple = ()) -> None:
        self.hidden = hidden
        self.known = known
        detected = {f.match for f in fix.before.findings if f.category in NAME_CATEGORIES}
        detected |= {piece for e in fix.edits if e.kind == "name" for piece in (e.before, e.after)}
        literals = {f.match for f in fix.before.findings if is_personal(f)}
        self.scrub = Scrubber(known, {" ".join(n.replace("…", " ").split()) for n in detected}, literals) if hidden else None
        self.findings = _redacted(fix.before, known) if hidden else {}

    def text(self, value: str) -> str:
        return (self.scrub(value) or value) if self.scrub is not None else value

    def name(self, value: str) -> str:
        return mask(value) if self.hidden else value

    def finding(self, finding: Finding) -> Finding:
        return self.findings.get(id(finding), finding)

    def after(self, result: PostResult | None) -> PostResult | None:
        if result is None or not self.hidden:
            return result
        return redact_report(Report((result,)), self.known).posts[0]


def _redacted(result: PostResult, known: tuple) -> dict[int, Finding]:
    (redacted,) = redact_report(Report((result,)), known).posts
    return {id(original): new for original, new in zip(result.findings, redacted.findings)}


def _notices(report: FixReport, hidden: bool) -> list[str]:
    if not hidden:
        return list(report.notices)
    detected = {f.match for p in report.posts for f in p.before.findings if f.category in NAME_CATEGORIES}
    scrub = Scrubber(report.known, detected)
    return [scrub(n) or n for n in report.notices]


def _where(finding: Finding) -> str:
    if finding.line is None:
        return finding.path
    return f"{finding.path}:{finding.line}:{finding.column or 1}"


def _photo_line(photo: PhotoChange) -> str:
    if photo.error:
        return f"{photo.source}: {photo.error}"
    result = photo.result
    if photo.copy is None or result is None:
        return f"{photo.source}: already clean (no metadata, nothing to obscure)"
    what = []
    if result.removed:
        what.append("metadata removed (" + ", ".join(result.removed) + ")")
    else:
        what.append("no metadata")
    if result.turned:
        what.append("turned upright")
    if photo.faces:
        count = len(photo.faces)
        what.append(f"{count} face{'s' if count != 1 else ''} obscured"
                    + (f" in {len({r[0] for r in result.regions})} frames" if result.frames > 1 else ""))
    if photo.renamed:
        what.append("neutral file name (the original's held a learner's name)")
    return f"{photo.source} -> {photo.copy_display}: " + "; ".join(what)


def render_human(report: FixReport, out: TextIO, hidden: bool) -> None:
    for fix in report.posts:
        names = _Names(fix, hidden, report.known)
        target = fix.copy_display or ("(draft unchanged)" if fix.kind == "draft" and fix.changed else "")
        out.write(f"{fix.path}" + (f" -> {target}" if target else "") + "\n")
        if fix.problem:
            out.write(f"  not written: {fix.problem}\n")
        for edit in fix.edits:
            if edit.kind == "name":
                before, after = (" ".join(names.name(v).split()) for v in (edit.before, edit.after))
                out.write(f"  {edit.line}:{edit.column}  name: {before} -> {after}\n")
        for photo in fix.photos:
            out.write(f"  {_photo_line(photo)}\n")
        if not fix.changed and not fix.by_hand:
            out.write("  nothing to fix\n")
        if fix.by_hand:
            out.write("  still to fix by hand:\n")
            for finding in fix.by_hand:
                shown = names.finding(finding)
                out.write(f"    {_where(shown)}  {shown.rule}: {shown.message}\n")
        if report.dry_run and fix.diff:
            out.write(names.text(fix.diff))
        after = names.after(fix.after)
        if after is not None:
            left = [f for f in after.findings if f.severity.rank > 0]
            copy = fix.copy_display or fix.path
            out.write(f"  check of the copy: {after.verdict.value.upper()}"
                      + (f" ({len(left)} finding{'s' if len(left) != 1 else ''} left in {copy})" if left else "") + "\n")
    for skipped in report.skipped:
        out.write(f"{skipped}: a clean copy; not fixed again\n")
    for notice in _notices(report, hidden):
        out.write(f"note: {notice}\n")
    changed = sum(1 for p in report.posts if p.changed)
    if report.dry_run:
        out.write(f"dry run: {changed} of {len(report.posts)} posts would get clean copies; nothing written\n")
    else:
        passing = sum(1 for p in report.posts if p.after is not None and p.after.verdict.rank == 0)
        out.write(f"{changed} of {len(report.posts)} posts fixed; {passing} of those pass as fixed\n")


def _finding_dicts(findings: Iterable[Finding]) -> list[dict[str, Any]]:
    return [f.to_dict() for f in findings]


def post_dict(fix: PostFix, hidden: bool, dry_run: bool, known: tuple = ()) -> dict[str, Any]:
    names = _Names(fix, hidden, known)
    changes: list[dict[str, Any]] = []
    for edit in fix.edits:
        if edit.kind == "name":
            changes.append({"type": "name", "path": fix.path, "line": edit.line, "column": edit.column,
                            "rule": edit.rule, "before": names.name(edit.before), "after": names.name(edit.after)})
        else:
            changes.append({"type": "image-link", "path": fix.path, "line": edit.line, "column": edit.column,
                            "before": edit.before, "after": edit.after})
    for photo in fix.photos:
        result = photo.result
        entry: dict[str, Any] = {"type": "photo", "path": photo.source, "copy": photo.copy_display}
        if photo.error:
            entry["error"] = photo.error
        elif result is not None:
            entry.update({"metadata_removed": result.removed, "orientation_applied": result.turned,
                          "faces_obscured": photo.faces, "regions": [list(r) for r in result.regions],
                          "frames": result.frames, "renamed": photo.renamed, "picture_copied_losslessly": result.lossless,
                          "other_blocks_kept": result.blocks_kept})
        changes.append(entry)
    after = names.after(fix.after)
    data: dict[str, Any] = {
        "path": fix.path,
        "kind": fix.kind,
        "copy": fix.copy_display,
        "verdict_before": fix.before.verdict.value,
        "verdict_after": after.verdict.value if after is not None else None,
        "changes": changes,
        "by_hand": _finding_dicts(names.finding(f) for f in fix.by_hand),
        "findings_after": _finding_dicts(after.findings) if after is not None else None,
        "checked_after": [c.to_dict() for c in after.checked] if after is not None else None,
    }
    if dry_run:
        data["diff"] = names.text(fix.diff)
    if fix.problem:
        data["problem"] = fix.problem
    return data


def render_json(report: FixReport, out: TextIO, hidden: bool) -> None:
    data = {
        "dry_run": report.dry_run,
        "verdict": report.verdict.value,
        "posts": [post_dict(p, hidden, report.dry_run, report.known) for p in report.posts],
        "skipped": report.skipped,
        "notices": _notices(report, hidden),
    }
    json.dump(data, out, indent=2, ensure_ascii=False)
    out.write("\n")
