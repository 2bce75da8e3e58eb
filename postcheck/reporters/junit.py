"""``--format junit``: JUnit XML for CI test reports (GitLab, Jenkins, Azure): one test case per post."""
from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from typing import IO

from postcheck.model import Finding, PostResult, Report, Verdict

# Characters XML 1.0 cannot carry at all, even escaped.
_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(text: str) -> str:
    return _INVALID_XML.sub("\ufffd", text)


def _line(finding: Finding) -> str:
    where = finding.path
    if finding.line is not None:
        where += f":{finding.line}" + (f":{finding.column}" if finding.column is not None else "")
    text = f"{where}: {finding.severity.value} {finding.rule} [policy {', '.join(finding.clauses)}] {finding.message}"
    if finding.match and finding.match not in finding.message and finding.rule != "allow-comment":
        text += f": {finding.match}"
    if finding.suggestion:
        text += f"\n    fix: {finding.suggestion}"
    return text


def _fails(post: PostResult, fail_on: str) -> bool:
    threshold = Verdict.REVIEW if fail_on == "review" else Verdict.FAIL
    return post.verdict.rank >= threshold.rank


def render(report: Report, out: IO[str], options) -> None:
    fail_on = getattr(options, "fail_on", "fail")
    failures = sum(1 for post in report.posts if _fails(post, fail_on))
    counts = {"tests": str(len(report.posts)), "failures": str(failures), "errors": "0", "skipped": "0"}
    suites = ET.Element("testsuites", {"name": "postcheck", **{k: counts[k] for k in ("tests", "failures", "errors")}})
    suite = ET.SubElement(suites, "testsuite", {"name": "postcheck", **counts})
    for post in report.posts:
        case = ET.SubElement(suite, "testcase", {"classname": "postcheck", "name": _clean(post.path),
                                                 "file": _clean(post.path)})
        details = "\n".join(_line(f) for f in post.findings)
        if _fails(post, fail_on):
            rules = sorted({f.rule for f in post.findings})
            failure = ET.SubElement(case, "failure", {
                "type": post.verdict.value,
                "message": _clean(f"{post.verdict.value}: {len(post.findings)} finding"
                                  f"{'s' if len(post.findings) != 1 else ''} ({', '.join(rules)})"),
            })
            failure.text = _clean(details)
        extra = [details] if details and not _fails(post, fail_on) else []
        extra += [f"allowed {a.finding.rule} at {a.finding.path}:{a.finding.line or '-'} (reason: {a.reason})"
                  for a in post.allowed]
        if extra:
            ET.SubElement(case, "system-out").text = _clean("\n".join(extra))
    if report.notices:
        ET.SubElement(suite, "system-out").text = _clean("\n".join(report.notices))
    ET.indent(suites, space="  ")
    out.write('<?xml version="1.0" encoding="UTF-8"?>\n')
    out.write(ET.tostring(suites, encoding="unicode"))
    out.write("\n")
