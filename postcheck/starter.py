"""What `postcheck explain` and `postcheck init` write: a rule explained, a starter config, an example consent list."""
from __future__ import annotations

from pathlib import Path
from typing import Any


def explain_text(rule: Any, pack: Any, config: Any = None) -> str:
    """A rule explained: clauses, why, the fix and its examples."""
    lines = [f"{rule.id}: {rule.title or rule.message}",
             f"category: {rule.category}    severity: {rule.severity.value}    accounts: {', '.join(rule.accounts)}",
             "", "Policy:"]
    lines += [f"  {c}  {pack.clauses.get(c, '')}" for c in rule.clauses]
    lines += ["", f"Why: {rule.why}", f"Fix: {rule.fix.replace(': {suggestion}', '').replace('{suggestion}', '…')}"]
    lines += _judged_text(rule, pack, config)
    for kind in ("fail", "review", "pass"):
        examples = rule.examples.get(kind) or ()
        if examples:
            lines += ["", f"Examples that {kind}:" if kind != "review" else "Examples that need review:"]
            for example in examples:
                text = _example_text(example)
                lines.append("  " + text.strip().replace("\n", "\n  "))
    return "\n".join(lines)


def _judged_text(rule: Any, pack: Any, config: Any) -> list[str]:
    """How the category is judged: by the rules, the learned model, or both, and what a score means."""
    learned = [r for r in pack.rules if r.check == "learned" and r.category == rule.category]
    if not learned:
        return []
    if rule.check != "learned":
        ids = ", ".join(r.id for r in learned)
        lines = ["", f"Also judged by the learned model ({ids}): a sentence it scores high is flagged even in "
                     "wording no rule lists; when it agrees with this rule in a post, the finding is an error."]
        floor = rule.options.get("model_floor")
        if floor is not None:
            lines.append(f"A match in a sentence the model scores below {float(floor):.2f} for {rule.category} is "
                         "told as info, not a problem: these words are everyday words too (model: enabled: false "
                         "turns this off).")
        instead = rule.options.get("model_instead")
        if instead is not None:
            lines.append(f"A match in a sentence that names no learner or family, which the model reads as "
                         f"{instead} and not as {rule.category}, is told as info (an invitation to an employer, "
                         "say).")
        mean = rule.options.get("two_reader_floor")
        if mean is not None:
            lines.append(f"On the school's own account the second reader reads such a sentence too: a match whose "
                         f"two readers' mean score is below {float(mean):.2f} is told as info as well.")
        return lines
    from postcheck.checks.learned import Learned
    from postcheck.config import Config
    from postcheck.learned import LearnedModelError, load_model

    try:
        model = load_model()
    except LearnedModelError as exc:
        return ["", f"Model: not loaded ({exc}); the rules alone judge this category."]
    check = Learned(rule, config or Config())
    review, error = check.thresholds(model)
    rules = ", ".join(r.id for r in pack.rules if r.category == rule.category and r.check != "learned") or "none"
    state = "on" if check.enabled else "off (model: enabled: false)"
    named = (f" (one that names a school, such as \"X Primary\", from {min(review, check.named_review):.2f})"
             if check.names_school is not None else "")
    for account in sorted(check.account_review):
        at = check.thresholds(model, account)[0]
        if at < review:
            named += f" (on a {account} account from {at:.2f})"
    lines = ["", f"Model: {model.version}, {state}. A sentence scoring {review:.2f} or more needs review{named}; "
                 f"{error:.2f} or more fails. Rules of this category: {rules}."]
    from postcheck.checks.learned import two_readers

    school_accounts = tuple(getattr(model, "context_accounts", ()))
    for account in (*school_accounts, *getattr(model, "context_account_thresholds", {})):
        if two_readers(model, rule.category, account):
            at, to = check.thresholds(model, account)
            whose = f"the {account}'s own account" if account in school_accounts else f"a {account} account"
            lines.append(f"On {whose} two readers judge it (a fine-tuned MiniLM reads again each "
                         f"sentence the first scores high; the score is their mean): review from {at:.2f}, "
                         f"fails from {to:.2f}.")
            alone = getattr(model, "context_alone", {}).get(rule.category)
            if alone and "review" not in check.own and account in school_accounts:
                lines.append(f"There the second reader alone also asks for review when it scores a sentence "
                             f"{alone[1]:.2f} or more (among those the first scores {alone[0]:.2f} or more).")
    return lines


def _example_text(example) -> str:
    """A rule example as `explain` shows it: the draft text, or what the image example shows."""
    if not isinstance(example, dict):
        return str(example)
    text = str(example.get("describe") or example.get("text") or "")
    tags = [f"{example['account']} account"] if example.get("account", "school") != "school" else []
    if example.get("image") is not None and not example.get("describe"):
        tags.append("with a photo")
    return f"[{', '.join(tags)}] {text}" if tags else text


STARTER_CONFIG = """\
# postcheck configuration. Paths are relative to this file.
school: Our School
# website: https://www.example-school.org.uk   # your own site: trusted; lookalikes of it are not
# roster: roster.csv            # learners: CSV with first_name,last_name columns (an MIS export works)
# staff: staff.txt              # adults whose names are fine: one full name per line
# consent_list: consent_list.yaml   # learners whose parents/carers objected (see consent_list.example.yaml)
# photo_roster: pupil-photos/   # optional: one photo per pupil, named by admission number (MIS export)
account: school                 # default account for drafts without front matter: school | personal
rules: {}                       # per-rule overrides, e.g. {unsafe-link: {severity: warning}}
"""


EXAMPLE_CONSENT_LIST = "consent_list.example.yaml"


def example_consent_list() -> str:
    """The documented example consent list: shipped in the package, or beside it in a source checkout."""
    from importlib import resources

    shipped = resources.files("postcheck") / EXAMPLE_CONSENT_LIST
    if shipped.is_file():
        return shipped.read_text(encoding="utf-8")
    return (Path(__file__).resolve().parent.parent / EXAMPLE_CONSENT_LIST).read_text(encoding="utf-8")
