"""Judgement learned from labelled posts: a model scores each sentence of a post for a category.

The rules catch wording someone has written down; the model (postcheck/learned/, trained by
scripts/train.py on corpus/) judges meaning, so it also sees wording nobody listed. Each
``check: learned`` rule judges its own category:

- the model alone, a sentence scoring at least ``review``: a warning, the sentence highlighted
  and its score in ``details``;
- a score of at least ``error``: an error;
- the model and a rule of the same category in one post: the engine makes them one error
  (``combine``), so a breach a rule finds is never weakened and a rule's warning the model
  agrees with becomes an error.

Thresholds come from the model (chosen on held-out posts) unless postcheck.yaml sets them:

    model:
      enabled: true                 # false: the rules alone
      thresholds:
        disparaging: {review: 0.7, error: 0.97}
"""
from __future__ import annotations

import re
from pathlib import Path
from typing import AbstractSet, Any, Iterable

from postcheck.config import ConfigError
from postcheck.model import Finding, Hit, Severity
from postcheck.text.phrases import Matcher, compile_phrases
from postcheck.text.tokens import tokens_for

# The categories the model may judge. Full names and links are left to the roster and the exact
# rules: a model cannot know who is on the roster, and a link's safety is a fact, not a reading.
MODEL_CATEGORIES = ("disparaging", "confidential", "personal-info", "learner-contact", "reference", "disclaimer")
_MIN_WORDS = 4  # "Well done!" or "What a joke." is too short for the model to judge on its own
_SETTING_KEYS = {"enabled", "thresholds"}


def model_settings(section: Any, path: Path | None) -> dict[str, Any]:
    """The ``model:`` section of postcheck.yaml, checked: bad values fail as one line."""
    from postcheck import yamlio

    section = section or {}
    where = str(path) if path else "postcheck.yaml"

    def fail(message: str, key: str) -> ConfigError:
        line = yamlio.line_of(section, key.split(".")[-1]) if isinstance(section, dict) else None
        return ConfigError(where, message, line, f"model.{key}")

    unknown = set(section) - _SETTING_KEYS
    if unknown:
        raise fail(f"unknown key {sorted(unknown)[0]!r} (known: {', '.join(sorted(_SETTING_KEYS))})", sorted(unknown)[0])
    enabled = section.get("enabled", True)
    if not isinstance(enabled, bool):
        raise fail("enabled must be true or false", "enabled")
    thresholds = section.get("thresholds") or {}
    if not isinstance(thresholds, dict):
        raise fail("thresholds must map a category to {review: N, error: N}", "thresholds")
    out: dict[str, dict[str, float]] = {}
    for category, value in thresholds.items():
        if category not in MODEL_CATEGORIES:
            raise fail(f"the model does not judge {category!r} (it judges: {', '.join(MODEL_CATEGORIES)})",
                       f"thresholds.{category}")
        if not isinstance(value, dict) or not value or set(value) - {"review", "error"}:
            raise fail("give review and/or error, each a score between 0 and 1", f"thresholds.{category}")
        for key, number in value.items():
            if isinstance(number, bool) or not isinstance(number, (int, float)) or not 0 <= number <= 1:
                raise fail(f"{key} must be a number between 0 and 1", f"thresholds.{category}.{key}")
        if "review" in value and "error" in value and value["review"] > value["error"]:
            raise fail("review must not be above error", f"thresholds.{category}")
        out[category] = {k: float(v) for k, v in value.items()}
    return {"enabled": enabled, "thresholds": out}


def scores_for(post: Any, ctx: Any) -> tuple[Any, list[tuple[int, int]], Any, list[str], dict] | None:
    """(model, units, static scores, unit texts, second reader's rows by unit) for a post, computed once per
    post and shared by every learned rule (the second reader's rows are filled in by `judged` as needed)."""
    memo = ctx.cache.setdefault("learned", {})
    cached = memo.get(id(post))
    if cached is not None and cached[0] is post:
        return cached[1]
    result = None
    if not ctx.cache.get("learned-off"):
        try:
            from postcheck.learned import LearnedModelError, load_model, split_units
        except ImportError as exc:  # a broken install: say so, and let the rules judge
            ctx.notice(f"learned model not loaded ({exc}): the rules alone judged the text")
            ctx.cache["learned-off"] = True
            return None
        try:
            model = load_model()
        except LearnedModelError as exc:
            ctx.notice(f"learned model not loaded ({exc}): the rules alone judged the text")
            ctx.cache["learned-off"] = True
        else:
            # every unit is scored, in order (a unit's neighbours are part of what the model reads);
            # findings are made only on units long enough to judge (Learned.run)
            units = list(_units(post, split_units))
            if units:
                known = _school_contacts(ctx)
                texts = [known(post.prose[start:end]) for start, end in units]
                result = (model, units, model.score(texts, post.account, post.platform or ""), texts, {})
    if len(memo) > 64:  # posts are checked one after another: keep the memo small
        memo.clear()
    memo[id(post)] = (post, result)
    return result


_PHONE = re.compile(r"\+?\(?\d[\d ()-]{7,}\d")


def _school_contacts(ctx: Any) -> Any:
    """A function that rewrites the school's own numbers and addresses (``contacts:`` and the
    website's domain in postcheck.yaml) as "the school office": the model cannot know them, the
    configuration does, and the rules already treat them as public."""
    memo = ctx.cache.get("learned-contacts")
    if memo is not None:
        return memo
    contacts = ctx.config.section("contacts")
    phones = {re.sub(r"\D", "", str(p))[-10:] for p in contacts.get("phones", []) or ()} - {""}
    emails = {str(e).casefold() for e in contacts.get("emails", []) or ()}
    from postcheck.checks.links import belongs, host_of
    from postcheck.checks.personal_info import _EMAIL  # the address shape the contact rule reads

    own = host_of(ctx.config.website).removeprefix("www.") if ctx.config.website else None

    def school_email(m: re.Match) -> bool:
        return m.group().casefold() in emails or bool(own) and belongs(m.group(1).lower(), own)

    def known(text: str) -> str:
        if phones:
            text = _PHONE.sub(lambda m: "the school office" if re.sub(r"\D", "", m.group())[-10:] in phones
                              else m.group(), text)
        if emails or own:
            text = _EMAIL.sub(lambda m: "the school office" if school_email(m) else m.group(), text)
        return text

    ctx.cache["learned-contacts"] = known
    return known


def _units(post: Any, split_units: Any) -> Iterable[tuple[int, int]]:
    """Sentences of the words a reader sees: not image file names, not link addresses."""
    prose = post.prose
    for segment in post.segments:
        if segment.field == "image-name":
            continue
        for start, end in split_units(prose[segment.start:segment.end]):
            yield segment.start + start, segment.start + end


def gate(threshold: float) -> float:
    """The static score a unit needs for the mean of the two readers to reach `threshold` at all (the second
    reader scores at most 1): a unit below it keeps its static score, which is below `threshold` too."""
    return 2.0 * threshold - 1.0


def two_readers(model: Any, category: str, account: str | None) -> bool:
    """Whether the mean of the two readers judges `category` on `account` (else the static reader alone)."""
    finder = getattr(model, "context_thresholds_for", None)  # a model without a second reader has none
    return finder is not None and finder(category, account) is not None


def judged(post: Any, scored: tuple, category: str, lowest: float, alone: bool = True) -> tuple[Any, set[int]]:
    """Each unit's score for `category` as the findings use it, and the units the second reader alone asks
    review for. Where the second reader judges the category (postcheck/learned/context.py): the mean of the
    two readers' scores for the units whose static score could lift that mean to `lowest` (the lowest threshold
    in use), the static score elsewhere (below `lowest` either way). Where context.json also lets it judge
    alone (and `alone`), it reads the units whose static score reaches that floor too, and a unit it scores at
    or above its own threshold needs review whatever the mean. It runs only on those units, once per post."""
    model, _, scores, texts, rows = scored
    column = scores[:, model.categories.index(category)]
    if not two_readers(model, category, post.account):
        return column, set()
    # the second reader alone asks for review only where it was chosen to (context_accounts: the school's own)
    floor, own = getattr(model, "context_alone", {}).get(category, (2.0, 2.0)) \
        if alone and post.account in getattr(model, "context_accounts", ()) else (2.0, 2.0)
    needed = [i for i in range(len(column)) if column[i] >= min(gate(lowest), floor)]
    _read_second(model, post, texts, rows, needed)
    out = column.copy()
    second = model.context_categories.index(category)
    for i in needed:
        out[i] = (column[i] + rows[i][second]) / 2
    return out, {i for i in needed if column[i] >= floor and rows[i][second] >= own and out[i] < lowest}


def _read_second(model: Any, post: Any, texts: list[str], rows: dict, units: Iterable[int]) -> None:
    """Have the second reader score those of `units` it has not read yet for this post (into `rows`, kept per
    post in the scores' cache); it raises as ContextReader does."""
    missing = [i for i in units if i not in rows]
    if missing:
        rows.update(zip(missing, model.context_score([texts[i] for i in missing], post.account, post.platform or "")))


def second_reader_failed(ctx: Any, exc: Exception) -> None:
    """Say once that the second reader failed; from then on the static reader judges alone."""
    ctx.notice(f"learned model's second reader failed ({str(exc).splitlines()[0]}): "
               "the static model alone judged the text, at its own thresholds")
    ctx.cache["learned-second-off"] = True


class Learned:
    """One category as the model judges it (rule option ``category`` is the rule's own)."""

    needs_doc = False

    def __init__(self, rule: Any, config: Any) -> None:
        if rule.category not in MODEL_CATEGORIES:
            raise ValueError(f"the model does not judge {rule.category!r}")
        settings = model_settings(config.section("model"), config.path)
        self.rule = rule
        self.category = rule.category
        self.enabled = settings["enabled"]
        self.own = settings["thresholds"].get(rule.category, {})
        self.named_review, self.names_school = _named_school(rule)
        self.account_review = _account_review(rule)
        self.static_only = _static_only(rule)

    def thresholds(self, model: Any, account: str | None = None, second: bool = True) -> tuple[float, float]:
        """(review, error) for a post on `account` (those of the two readers' mean where they judge, unless
        `second` is False); a review threshold set in postcheck.yaml applies to every account, else the rule's
        ``account_review`` option may lower the model's own for one account."""
        if second and two_readers(model, self.category, account):
            review, error = model.context_thresholds_for(self.category, account)
        else:
            review, error = _static_thresholds(model, self.category, account)
        if "review" in self.own:
            review = self.own["review"]
        elif account in self.account_review:
            review = min(review, self.account_review[account])
        return review, max(review, self.own.get("error", error))

    def run(self, post: Any, ctx: Any) -> Iterable[Hit]:
        if not self.enabled or not any(s.field != "image-name" for s in post.segments):
            return
        scored = scores_for(post, ctx)
        if scored is None:
            return
        model, units = scored[0], scored[1]
        if self.category not in model.categories:
            return
        second = not ctx.cache.get("learned-second-off") and not self._static_only(post, ctx)
        review, error = self.thresholds(model, post.account, second)
        lowest = min(review, self.named_review) if self.names_school is not None else review
        alone: set[int] = set()
        try:
            # thresholds set in postcheck.yaml are the ones that judge: the second reader alone then asks nothing
            column, alone = judged(post, scored, self.category, lowest, alone="review" not in self.own) \
                if second else (None, set())
        except Exception as exc:  # LearnedModelError, or onnxruntime failing on a damaged install
            second_reader_failed(ctx, exc)
            column = None
        if column is None:
            review, error = self.thresholds(model, post.account, second=False)
            column = scored[2][:, model.categories.index(self.category)]
        for i, ((start, end), value) in enumerate(zip(units, column)):
            score = float(value)
            at = review
            if self.names_school is not None and self.named_review <= score < review \
                    and self.names_school.search(post.prose, start, end):
                at = self.named_review
            if (score < at and i not in alone) or len(re.findall(r"\w+", post.prose[start:end])) < _MIN_WORDS:
                continue
            text = post.prose[start:end].strip()
            reader, message = {}, None
            if i in alone:  # the mean is below review: say whose score asks for it
                from postcheck.engine import _format

                own = model.context_alone[self.category][1]
                read = round(float(scored[4][i][model.context_categories.index(self.category)]), 3)
                reader = {"second_reader": read, "second_reader_at": own}
                message = _format(self.rule.message, {"match": text, "score": f"{round(score, 3)}; the second reader "
                                                                         f"alone {read}"})
            lead = len(post.prose[start:end]) - len(post.prose[start:end].lstrip())
            yield Hit(match=text, start=start + lead, end=start + lead + len(text), message=message,
                      severity=Severity.ERROR if score >= error else Severity.WARNING,
                      confidence=score,
                      details={"score": round(score, 3), "review_at": round(at, 3), "error_at": round(error, 3),
                               "model": model.version, "judged_by": "model", **reader,
                               **({"names_a_school": True} if at < review else {})})

    def _static_only(self, post: Any, ctx: Any) -> bool:
        """Whether the rule's ``static_only`` option leaves this post to the static reader alone."""
        if self.static_only is None or post.account not in self.static_only[0]:
            return False
        matcher = Matcher(tokens_for(post, ctx))
        return matcher.any_in(self.static_only[1]) is not None and matcher.any_in(self.static_only[2]) is None


def _static_only(rule: Any) -> tuple[frozenset[str], tuple, tuple] | None:
    """Rule option ``static_only: {accounts: [personal], post: [...], post_not: [...]}``: on those accounts a post
    with one of ``post`` anywhere and none of ``post_not`` is judged by the static reader alone, at its own
    thresholds (a fan's post about professional football, which the second reader reads as a put-down of a
    colleague would be). The rule file says why."""
    option = rule.options.get("static_only")
    if not option:
        return None
    return (frozenset(str(a) for a in option.get("accounts") or ()), compile_phrases(option.get("post") or ()),
            compile_phrases(option.get("post_not") or ()))


def _account_review(rule: Any) -> dict[str, float]:
    """Rule option ``account_review: {school: N}``: on that account a sentence is judged from review threshold N
    (never above the model's own). The rule file says why."""
    option = rule.options.get("account_review") or {}
    return {str(account): float(value) for account, value in option.items()}


def _named_school(rule: Any) -> tuple[float, re.Pattern[str] | None]:
    """Rule option ``named_school: {review: N, heads: [Primary, Academy, ...]}``: a sentence that names a
    school ("at Inchview Primary", "everyone at Denham Green Academy") is judged at the lower review
    threshold N. Naming the workplace is what policy 5.4 is about; the model's score says whether the name
    is the author's workplace or, say, a child's school or a rival team. (The configured school's own name
    is the disclaimer rule's to find.)"""
    option = rule.options.get("named_school")
    heads = [re.escape(str(h)) for h in (option or {}).get("heads") or ()]
    if not heads:
        return 1.0, None
    # one to four capitalised words before a school word: "Denham Green Academy", "St Bede's Primary";
    # not "Great North Junior Run"
    name = r"(?:(?:St\.?|[A-Z][\w'’.&-]*)[ \t]+){1,4}(?:%s)\b(?![ \t]+[A-Z])" % "|".join(heads)
    # or run together in a hashtag or handle: "#AshbyHigh", "@StBedesPrimary", "#DenhamGreenAcademy2025";
    # not a tag about school life ("#BackToSchool", "#MySchool", "#PrimarySchoolTeacher")
    generic = r"(?:My|Our|Your|The|This|Back|Love|Proud|Best|New|Old|Home|Teacher|Teaching|%s)(?![a-z])" % "|".join(heads)
    tag = r"(?<![\w#@])[#@](?!%s)(?:[A-Z][a-z'’]*){1,4}(?:%s)(?![A-Za-z])" % (generic, "|".join(heads))
    return float(option.get("review", 1.0)), re.compile(f"{name}|{tag}")


def combine(findings: list[Finding], learned_rules: AbstractSet[str], disclaimed: bool) -> list[Finding]:
    """One answer per category: a model finding and a rule finding of the same category meet.

    - A rule finding of a category the model also found in the post becomes an error (rule and
      model agree), with the model's best score added; model findings overlapping it are dropped.
    - A model finding on its own stays as it is (a warning, or an error above the high threshold).
    - A model disclaimer finding is dropped when the post says the views are the author's own.
    """
    from dataclasses import replace

    model = [f for f in findings if f.rule in learned_rules]
    if not model:
        return findings
    if disclaimed:
        model_drop = {id(f) for f in model if f.category == "disclaimer"}
        findings = [f for f in findings if id(f) not in model_drop]
        model = [f for f in model if id(f) not in model_drop]
    rules = [f for f in findings if f.rule not in learned_rules and f.severity is not Severity.INFO]
    out: list[Finding] = []
    merged: set[int] = set()
    upgraded: dict[int, Finding] = {}
    for finding in rules:
        same = [m for m in model if m.category == finding.category]
        if not same:
            continue
        best = max(m.details.get("score", 0.0) for m in same)
        details = {**finding.details, "model_score": best, "judged_by": "rule and model"}
        upgraded[id(finding)] = replace(finding, severity=Severity.ERROR, details=details)
        merged.update(id(m) for m in same if _overlap(m, finding))
    for finding in findings:
        if id(finding) in merged:
            continue
        out.append(upgraded.get(id(finding), finding))
    return out


def _overlap(a: Finding, b: Finding) -> bool:
    if a.span is None or b.span is None:
        return False
    return a.span[0] < max(b.span[1], b.span[0] + 1) and b.span[0] < max(a.span[1], a.span[0] + 1)


def model_floors(rules: Iterable[Any], config: Any) -> dict[str, tuple[float, float | None, str | None]]:
    """Rule options ``model_floor: N``, ``two_reader_floor: M`` and ``model_instead: C`` (rule id -> (N, M or None,
    C or None)): a finding of such a rule whose sentence the model scores below N for the rule's category is told
    as info, not as a problem; so is one whose sentence the mean of the two readers scores below M, where the
    second reader reads that category (the school's own account). For rules whose words are also everyday words
    ("unwell", "complained", "keep it secret", "police", "budget"): the model, trained on labelled posts, says
    whether the sentence is about the thing the rule is for. With C, a finding whose rule says its sentence names
    no learner or family (``details["audience"]`` false) and whose sentence the model reads as category C (at C's
    review threshold) and not as the rule's own (below its review threshold) is info too: "message me for a
    reference" speaks to an employer. Empty when the model is switched off."""
    floors: dict[str, tuple[float, float | None, str | None]] = {}
    for rule in rules:
        given = {key: rule.options.get(key) for key in ("model_floor", "two_reader_floor")
                 if rule.options.get(key) is not None}
        instead = rule.options.get("model_instead")
        if not given and instead is None:
            continue
        for key, value in given.items():
            if isinstance(value, bool) or not isinstance(value, (int, float)) or not 0 <= value <= 1:
                raise ConfigError(rule.source or rule.id, f"rule {rule.id}: {key} must be a number between 0 and 1",
                                  None, f"options.{key}")
        if instead is not None and (instead not in MODEL_CATEGORIES or instead == rule.category):
            raise ConfigError(rule.source or rule.id, f"rule {rule.id}: model_instead must name another category "
                              f"the model judges ({', '.join(MODEL_CATEGORIES)})", None, "options.model_instead")
        if rule.category not in MODEL_CATEGORIES:
            key = next(iter(given), "model_instead")
            raise ConfigError(rule.source or rule.id, f"rule {rule.id}: {key} given, but the model does not "
                              f"judge {rule.category!r}", None, f"options.{key}")
        mean = given.get("two_reader_floor")
        floors[rule.id] = (float(given.get("model_floor", 0.0)), None if mean is None else float(mean), instead)
    if floors and not model_settings(config.section("model"), config.path)["enabled"]:
        return {}
    return floors


def doubted(post: Any, ctx: Any, findings: list[Finding],
            floors: dict[str, tuple[float, float | None, str | None]]) -> list[Finding]:
    """Findings of rules with a model floor (model_floors) whose sentences all score below it, or that the model
    reads as another category (model_instead), as info: the model's scores and the floor go in ``details``."""
    from dataclasses import replace

    if not any(f.rule in floors and f.severity is not Severity.INFO and f.span for f in findings):
        return findings
    scored = scores_for(post, ctx)
    if scored is None:
        return findings
    model, units, scores = scored[:3]
    out = []
    for finding in findings:
        floor, mean_floor, instead = floors.get(finding.rule, (None, None, None))
        if floor is None or finding.severity is Severity.INFO or not finding.span \
                or finding.category not in model.categories:
            out.append(finding)
            continue
        column = model.categories.index(finding.category)
        inside = [i for i, (start, end) in enumerate(units)
                  if start < max(finding.span[1], finding.span[0] + 1) and finding.span[0] < end]
        score = max((float(scores[i][column]) for i in inside), default=None)
        doubt: dict[str, Any] = {}
        other = _read_as(model, post, scores, inside, instead) if finding.details.get("audience") is False else None
        if score is not None and score < floor:
            doubt = {"model_score": round(score, 3), "model_floor": floor, "judged_by": "rule, doubted by the model"}
        elif score is not None and other is not None and score < _static_thresholds(model, finding.category, post.account)[0]:
            doubt = {"model_score": round(score, 3), "model_reads_as": instead, "model_score_as": round(other, 3),
                     "judged_by": f"rule, read by the model as {instead}"}
        elif score is not None and mean_floor is not None:
            both = _two_reader_scores(post, ctx, scored, finding.category, inside)
            if both is not None and both[0] < mean_floor:
                doubt = {"model_score": round(both[0], 3), "model_floor": mean_floor, "second_reader": round(both[1], 3),
                         "judged_by": "rule, doubted by the model's two readers"}
        if not doubt:
            out.append(finding)
            continue
        out.append(replace(finding, severity=Severity.INFO, suggestion=None, details={**finding.details, **doubt}))
    return out


def _read_as(model: Any, post: Any, scores: Any, inside: list[int], category: str | None) -> float | None:
    """The model's highest score for `category` among the units `inside`, when it reaches that category's review
    threshold on this account; else None."""
    if category is None or category not in model.categories or not inside:
        return None
    best = max(float(scores[i][model.categories.index(category)]) for i in inside)
    return best if best >= _static_thresholds(model, category, post.account)[0] else None


def _static_thresholds(model: Any, category: str, account: str | None) -> tuple[float, float]:
    """The static model's own (review, error) thresholds for the category on this account."""
    if hasattr(model, "thresholds_for"):
        return model.thresholds_for(category, account)
    return model.thresholds.get(category, (0.5, 0.95))


def _two_reader_scores(post: Any, ctx: Any, scored: tuple, category: str,
                       inside: list[int]) -> tuple[float, float] | None:
    """The highest mean of the two readers' scores for `category` among the units `inside`, and the second reader's
    score there; None where the second reader does not read the category on this account (or failed)."""
    model, _, scores, texts, rows = scored
    if post.account not in getattr(model, "context_accounts", ()) or \
            category not in getattr(model, "context_categories", ()) or ctx.cache.get("learned-second-off"):
        return None
    try:
        _read_second(model, post, texts, rows, inside)
    except Exception as exc:  # LearnedModelError, or onnxruntime failing on a damaged install
        second_reader_failed(ctx, exc)
        return None
    second = model.context_categories.index(category)
    column = model.categories.index(category)
    pairs = [((float(scores[i][column]) + float(rows[i][second])) / 2, float(rows[i][second])) for i in inside]
    return max(pairs)
