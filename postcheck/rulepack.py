"""The rule pack: one YAML file per rule plus the policy's clause list, validated at load time."""
from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from postcheck import yamlio
from postcheck.checks import CHECK_KINDS
from postcheck.config import ConfigError
from postcheck.model import CATEGORIES, Severity

CLAUSES_FILE = "_clauses.yaml"
ACCOUNTS = ("school", "personal")
_RULE_KEYS = {"check", "category", "severity", "clauses", "message", "why", "fix", "examples",
              "options", "accounts", "title"}


@dataclass(frozen=True, slots=True)
class Rule:
    """One rule: what to check (``check`` + ``options``), and what to say about it."""

    id: str
    check: str
    category: str
    severity: Severity
    clauses: tuple[str, ...]
    message: str
    why: str
    fix: str
    title: str = ""
    accounts: tuple[str, ...] = ACCOUNTS
    options: dict[str, Any] = field(default_factory=dict)
    examples: dict[str, tuple[Any, ...]] = field(default_factory=dict)
    source: Path | None = None


@dataclass(frozen=True, slots=True)
class RulePack:
    rules: tuple[Rule, ...]
    clauses: dict[str, str]  # clause -> one-line summary

    def get(self, rule_id: str) -> Rule | None:
        return next((r for r in self.rules if r.id == rule_id), None)


def builtin_pack_dir() -> Path:
    """The rules shipped with postcheck: inside the wheel, or at the top of a source checkout."""
    packaged = resources.files("postcheck") / "rules"
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "rules"


def load_pack(extra: tuple[Path, ...] = (), overrides: dict[str, dict[str, Any]] | None = None,
              config_path: Path | None = None) -> RulePack:
    """Load the built-in pack, then extra pack folders (a rule with the same id replaces it)."""
    folders = (builtin_pack_dir(), *extra)
    clauses: dict[str, str] = {}
    for folder in folders:
        clauses_file = folder / CLAUSES_FILE
        if clauses_file.is_file():
            data = _load_yaml(clauses_file)
            if not isinstance(data, dict) or not isinstance(data.get("clauses"), dict):
                raise ConfigError(clauses_file, "expected 'clauses:' mapping clause -> summary", 1)
            clauses.update({str(k): str(v) for k, v in data["clauses"].items()})
    rules: dict[str, Rule] = {}
    for folder in folders:
        for file in sorted(folder.glob("*.yaml")):
            if file.name.startswith("_"):
                continue
            rule = _load_rule(file, clauses)
            rules[rule.id] = rule
    overrides = overrides or {}
    for rule_id in overrides:
        if rule_id not in rules:
            from postcheck.allows import did_you_mean

            close = did_you_mean(rule_id, rules)
            hint = f"did you mean `{close}`?" if close else "see `postcheck rules`"
            raise ConfigError(config_path or "postcheck.yaml", f"rules: no rule named {rule_id!r}; {hint}",
                              yamlio.line_of(overrides, rule_id), key=f"rules.{rule_id}")
    final = []
    for rule in rules.values():
        override = overrides.get(rule.id, {})
        if override.get("enabled", True) is False:
            continue
        if override.get("severity"):
            rule = _replace(rule, severity=Severity(override["severity"]))
        final.append(rule)
    return RulePack(tuple(sorted(final, key=lambda r: r.id)), clauses)


def _replace(rule: Rule, **changes: Any) -> Rule:
    from dataclasses import replace

    return replace(rule, **changes)


def _load_yaml(file: Path) -> Any:
    """A rule file's YAML; unreadable, invalid or oversized files are configuration errors."""
    try:
        return yamlio.load(file)
    except ConfigError:
        raise
    except yamlio.SourceError as exc:
        raise ConfigError(exc.path, exc.message, exc.line, exc.key) from None


def _load_rule(file: Path, clauses: dict[str, str]) -> Rule:
    data = _load_yaml(file)
    if not isinstance(data, dict):
        raise ConfigError(file, "a rule file must be a mapping", 1)

    def fail(key: str, message: str) -> ConfigError:
        return ConfigError(file, message, yamlio.line_of(data, key), key)

    unknown = set(data) - _RULE_KEYS
    if unknown:
        key = sorted(unknown)[0]
        raise fail(key, f"unknown rule key {key!r} (known: {', '.join(sorted(_RULE_KEYS))})")
    for key in ("check", "category", "severity", "clauses", "message", "why", "fix"):
        if key not in data:
            raise ConfigError(file, f"missing required key {key!r}", 1, key)
    if data["check"] not in CHECK_KINDS:
        raise fail("check", f"unknown check kind {data['check']!r} (valid: {', '.join(sorted(CHECK_KINDS))})")
    if data["category"] not in CATEGORIES:
        raise fail("category", f"unknown category {data['category']!r} (valid: {', '.join(CATEGORIES)})")
    try:
        severity = Severity(data["severity"])
    except ValueError:
        raise fail("severity", "severity must be error, warning or info") from None
    rule_clauses = data["clauses"]
    if not isinstance(rule_clauses, list) or not rule_clauses:
        raise fail("clauses", "clauses must be a non-empty list such as [\"6.3(f)\"]")
    for clause in rule_clauses:
        if str(clause) not in clauses:
            raise fail("clauses", f"clause {clause!r} is not in the policy clause list ({CLAUSES_FILE})")
    accounts = data.get("accounts", list(ACCOUNTS))
    if not isinstance(accounts, list) or any(a not in ACCOUNTS for a in accounts):
        raise fail("accounts", "accounts must be a list of school and/or personal")
    options = data.get("options") or {}
    if not isinstance(options, dict):
        raise fail("options", "options must be a mapping")
    examples = data.get("examples") or {}
    if not isinstance(examples, dict) or set(examples) - {"fail", "pass", "review"}:
        raise fail("examples", "examples must be a mapping with fail/review/pass lists")
    return Rule(
        id=file.stem,
        check=data["check"],
        category=data["category"],
        severity=severity,
        clauses=tuple(str(c) for c in rule_clauses),
        message=str(data["message"]),
        why=str(data["why"]).strip(),
        fix=str(data["fix"]).strip(),
        title=str(data.get("title") or ""),
        accounts=tuple(accounts),
        options=dict(options),
        examples={k: tuple(v or ()) for k, v in examples.items()},
        source=file,
    )
