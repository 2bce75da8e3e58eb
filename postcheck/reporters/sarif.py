"""``--format sarif``: SARIF 2.1.0 for code-scanning dashboards (GitHub, GitLab, Azure DevOps)."""
from __future__ import annotations

import hashlib
import json
import os
from collections import Counter
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote

from postcheck import __version__
from postcheck.model import Finding, Report, Severity
from postcheck.redact import mask

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
LEVEL = {Severity.ERROR: "error", Severity.WARNING: "warning", Severity.INFO: "note"}
FINGERPRINT = "postcheckMatch/v2"


def _fix_text(fix: str) -> str:
    return fix.replace(": {suggestion}", "").replace("{suggestion}", "…")


def rule_descriptor(rule, clauses: dict[str, str]) -> dict[str, Any]:
    policy = [f"{c}: {clauses.get(c, '')}".rstrip(": ") for c in rule.clauses]
    help_text = _fix_text(rule.fix) + "\n\nPolicy:\n" + "\n".join(f"- {p}" for p in policy)
    return {
        "id": rule.id,
        "shortDescription": {"text": rule.title or rule.message},
        "fullDescription": {"text": rule.why},
        "help": {"text": help_text, "markdown": help_text.replace("&", "&amp;").replace("<", "&lt;")},
        "defaultConfiguration": {"level": LEVEL[rule.severity]},
        "properties": {"category": rule.category, "clauses": list(rule.clauses),
                       "tags": [rule.category, *(f"policy {c}" for c in rule.clauses)]},
    }


def fingerprint(finding: Finding, occurrence: int) -> str:
    """Stable across edits and runs, with or without --show-names: the match is hashed masked (any
    match may hold a name, e.g. a link's URL, and masking is idempotent)."""
    match = mask(" ".join(finding.match.casefold().split()))
    digest = hashlib.sha256("\0".join((finding.rule, _uri(finding.path), match)).encode("utf-8")).hexdigest()
    return f"{digest[:32]}:{occurrence}"


def _uri(path: str) -> str:
    return quote(path.replace(os.sep, "/"))


def _result(finding: Finding, index: dict[str, int], seen: Counter) -> dict[str, Any]:
    region: dict[str, int] = {}
    if finding.line is not None:
        region["startLine"] = finding.line
        if finding.column is not None:
            region["startColumn"] = finding.column
        if finding.end_line is not None and finding.end_column is not None:
            region["endLine"] = finding.end_line
            region["endColumn"] = finding.end_column
    artifact = {"uri": _uri(finding.path), "uriBaseId": "%SRCROOT%"}
    if os.path.isabs(finding.path):  # outside the folder postcheck ran in: no base to be relative to
        artifact = {"uri": Path(finding.path).as_uri()}
    location: dict[str, Any] = {"artifactLocation": artifact}
    if region:
        location["region"] = region
    key = (finding.rule, finding.path, finding.match)
    seen[key] += 1
    message = finding.message + (f"\nFix: {finding.suggestion}" if finding.suggestion else "")
    result: dict[str, Any] = {
        "ruleId": finding.rule,
        "level": LEVEL[finding.severity],
        "message": {"text": message},
        "locations": [{"physicalLocation": location}],
        "partialFingerprints": {FINGERPRINT: fingerprint(finding, seen[key])},
        "properties": {"category": finding.category, "clauses": list(finding.clauses),
                       "match": finding.match, "confidence": round(finding.confidence, 3)},
    }
    if finding.rule in index:
        result["ruleIndex"] = index[finding.rule]
    return result


def to_dict(report: Report, options) -> dict[str, Any]:
    pack = getattr(options, "pack", None)
    rules = list(pack.rules) if pack is not None else []
    clauses = (pack.clauses if pack is not None else None) or options.clauses or {}
    index = {rule.id: i for i, rule in enumerate(rules)}
    seen: Counter = Counter()
    results = []
    for post in report.posts:
        results += [_result(f, index, seen) for f in post.findings]
        for allowed in post.allowed:
            result = _result(allowed.finding, index, seen)
            result["suppressions"] = [{"kind": "inSource", "justification": allowed.reason}]
            results.append(result)
    run: dict[str, Any] = {
        "tool": {"driver": {"name": "postcheck", "version": __version__, "semanticVersion": __version__,
                            "rules": [rule_descriptor(rule, clauses) for rule in rules]}},
        "columnKind": "unicodeCodePoints",
        "results": results,
        "invocations": [{
            "executionSuccessful": True,
            "toolExecutionNotifications": [{"level": "note", "message": {"text": n}} for n in report.notices],
        }],
        "properties": {"summary": report.summary(), "baselined": report.baselined,
                       "redacted": not options.show_names},
    }
    return {"$schema": SCHEMA, "version": "2.1.0", "runs": [run]}


def render(report: Report, out: IO[str], options) -> None:
    json.dump(to_dict(report, options), out, indent=2, ensure_ascii=False)
    out.write("\n")
