"""Who a person-like span is: a learned score, learner or not, from the span and its context (no roster).

The rules' cue lists and the tagger's output are features here, not the decision. The weights are a
logistic regression trained by scripts/train_names.py on labelled spans from ~6,400 written posts and
shipped as ``postcheck/data/names_model.npz`` (feature names, weights, bias, threshold), read with numpy.
"""
from __future__ import annotations

import bisect
import math
import re
from dataclasses import dataclass
from importlib import resources
from typing import Any

from postcheck.names.context import (
    Cues,
    achievement_bound,
    has_adult_cue,
    has_learner_cue,
    learner_noun_said_of,
    possessive,
    praise_just_before,
    praised,
    quoted_title,
    sentence_bounds,
)

MODEL_FILE = "names_model.npz"
_WORD = re.compile(r"[^\W\d_][\w'’-]*|\d+")
_POSSESSIVE = re.compile(r"['’]s?$")
_OLD_YEAR = re.compile(r"(?<!\d)(?:1[0-8]\d\d|19[0-8]\d)s?(?!\d)")
_SCORE = re.compile(r"\d+\s*[-–]\s*\d+")
_TITLED = r"(?<!\w)(?:mr|mrs|ms|miss|mx|dr|sir|dame|prof|rev|revd|coach|cllr)\.?[ \t]+"
_POST_NOMINAL = re.compile(r"[ \t]*,?[ \t]*[A-Z]{2,4}\b")
_BULLET = re.compile(r"[ \t]*(?:[-*+•]|\d+[.)])[ \t]+")


CONTEXT_CHARS = 100  # text read on each side of a name for its context vector


@dataclass(frozen=True)
class NameModel:
    """Feature name -> weight, plus weights for the context's vector; the score is the logistic of the
    bias, the weights of the features present and (scaled) the context vector's dot product with ``dense``."""

    weights: dict[str, float]
    bias: float
    threshold: float  # below this a name is taken as not a learner's
    dense: Any = None  # float32 (dims,): weights of the context vector (None: features only)
    dense_scale: float = 0.0

    def score(self, features: list[str], context: Any = None) -> float:
        z = self.bias + sum(self.weights.get(f, 0.0) for f in set(features))
        if self.dense is not None and context is not None:
            z += self.dense_scale * float(context @ self.dense)
        return 1.0 / (1.0 + math.exp(-max(-30.0, min(30.0, z))))


def context_text(text: str, start: int, end: int) -> str:
    """The words around a name without the name: what its context vector is made of."""
    return text[max(0, start - CONTEXT_CHARS):start] + " , " + text[end:end + CONTEXT_CHARS]


def context_vectors(texts: list[str]) -> Any:
    """Vectors of context texts from the learned text model's static token vectors (mean, L2-normalised).
    Raises postcheck.learned.LearnedModelError when that model cannot be loaded."""
    from postcheck.learned import token_vectors

    return token_vectors().features(texts, 0).dense


def load_model(data: bytes | None = None) -> NameModel:
    """The shipped model (or one saved by scripts/train_names.py, given as bytes)."""
    import io

    import numpy as np

    raw = data if data is not None else (resources.files("postcheck") / "data" / MODEL_FILE).read_bytes()
    with np.load(io.BytesIO(raw), allow_pickle=False) as npz:
        names = [str(n) for n in npz["features"]]
        weights = npz["weights"].astype(float)
        dense = npz["dense"].astype(np.float32) if "dense" in npz.files else None
        scale = float(npz["dense_scale"]) if "dense_scale" in npz.files else 0.0
        return NameModel(dict(zip(names, weights.tolist())), float(npz["bias"]), float(npz["threshold"]),
                         dense, scale)


def name_model(ctx: Any) -> NameModel | None:
    """The model once per run; None (with a notice) when its file is missing or unreadable."""
    if "names.model" not in ctx.cache:
        try:
            model = load_model()
            if model.dense is not None:
                context_vectors(["a name's context"])  # its context vectors come from the text model's
        except (OSError, KeyError, ValueError, RuntimeError, ImportError) as exc:  # RuntimeError: LearnedModelError
            ctx.notice(f"name model not loaded ({exc}): names with no roster are judged by the rules alone")
            model = None
        ctx.cache["names.model"] = model
    return ctx.cache["names.model"]


def _rank(rank: int | None) -> str:
    if rank is None:
        return "none"
    return next(str(b) for b in (50, 200, 1000, 3000, 10_000, 1 << 30) if rank <= b)


def _count(n: int) -> str:
    return str(n) if n < 3 else "3+"


def line_of(text: str, offset: int) -> str:
    """The whole line around text[offset]."""
    start = text.rfind("\n", 0, offset) + 1
    end = text.find("\n", offset)
    return text[start:len(text) if end < 0 else end]


_STARTS: list = [None, []]  # the last Doc seen and its tokens' start offsets (a post's spans share one Doc)


def _tokens(doc: Any, start: int, end: int) -> Any:
    """The Doc's tokens that overlap text[start:end] (none without a Doc). Found by bisection over the
    tokens' offsets; spaCy's char_span walks every token of the Doc on each call."""
    if doc is None or start >= end:
        return ()
    if _STARTS[0] is not doc:
        _STARTS[:] = [doc, [t.idx for t in doc]]
    starts = _STARTS[1]
    first = max(0, bisect.bisect_right(starts, start) - 1)
    if first < len(starts) and starts[first] + len(doc[first]) <= start:
        first += 1  # text[start] lies in the space after that token
    last = bisect.bisect_left(starts, end)
    return doc[first:last] if first < last else ()


_NEXT_WORD = re.compile(r"[ \t]+([^\W\d_][\w'’-]*)")
_PREV_WORD = re.compile(r"([^\W\d_][\w'’-]*)[ \t]+$")
_BRACKET = re.compile(r"[ \t]*[(\[]([^)\]\n]{1,30})[)\]]")
_SPAN_NAME = re.compile(r"(?<![\w'’-])[A-Z][a-z'’-]+[ \t]+[A-Z][A-Za-z'’-]+")


def _neighbours(text: str, start: int, end: int) -> list[str]:
    """The name's immediate neighbours: capitalised words that make it part of a longer name ("Max FC
    Girls", "San Jose Sharks"), a bracket after it ("(8)", "(LC)", "[Treasurer]", "(c)"), a dash or quote
    that makes it an attribution or a list entry, and how many other full names share its line."""
    f = []
    after = _NEXT_WORD.match(text, end)
    if after and after.group(1)[0].isupper():
        f.append("cap_after" if not after.group(1).isupper() else "caps_after")
    before = _PREV_WORD.search(text, max(0, start - 40), start)
    if before and before.group(1)[0].isupper():
        gap = text[:before.start()].rstrip(" \t")
        if gap and gap[-1] not in ".!?:;\n-–—•*#>|\"“(":
            f.append("cap_before")
    bracket = _BRACKET.match(text, end)
    if bracket:
        inner = bracket.group(1).strip()
        if inner.isdigit():
            f.append("bracket=number")
        elif re.fullmatch(r"[A-Z]{1,3}", inner):
            f.append("bracket=initials")
        elif len(inner) <= 2:
            f.append("bracket=short")
        else:
            word = _WORD.search(inner)
            f.append(f"bracket={word.group(0).casefold() if word else 'other'}")
    rest = text[end:end + 4].lstrip(" \t")
    if rest[:1] in ("-", "–", "—"):
        f.append("dash_after")
    lead = text[max(0, start - 4):start].rstrip(" \t")
    if lead[-1:] in ("-", "–", "—"):
        f.append("dash_before")
    line = line_of(text, start)
    names = len(_SPAN_NAME.findall(line))
    f.append(f"line_names={_count(max(0, names - 1))}")
    label = re.match(r"[ \t]*(?:[-*+•>#|]+[ \t]*)*\**([^\W\d_][\w'’-]*)[^:\n]{0,30}:", line)
    if label:
        f.append(f"label={label.group(1).casefold()}")
    return f


def span_features(cues: Cues, finder: Any, post: Any, text: str, doc: Any, cand: Any, evidence: str) -> list[str]:
    """What the model reads about one candidate: the name itself, the words and marks around it, its
    line and sentence, the rules' cues and evidence, and how the post uses the same names elsewhere."""
    start, end = cand.start, cand.end
    first, last = cand.first.text, _POSSESSIVE.sub("", cand.last.text)
    f = [f"ev={evidence.split(';')[0]}", f"kind={cand.kind}", f"account={post.account}",
         f"shape={cand.first.shape}-{cand.last.shape}", f"first_rank={_rank(cand.first_rank)}",
         f"last_rank={_rank(cand.last_rank)}"]
    if post.platform:
        f.append(f"platform={post.platform}")
    if cand.ner_person:
        f.append("ner_person")
    if cand.ner_other:
        f.append("ner_other")
    if cand.first.glued or cand.last.glued:
        f.append("glued")
    if finder.is_word(last):
        f.append("last_is_word")
    if finder.is_word(first):
        f.append("first_is_word")
    if possessive(text, start, end):
        f.append("possessive")
    f.append(f"last={last.casefold()}")  # Abbey, News, Bakery: heads of things, learned by the word
    f.append(f"first={first.casefold()}")
    for token in _tokens(doc, start, end):
        f.append(f"pos={token.pos_}")
        if token.ent_type_:
            f.append(f"ner={token.ent_type_}")

    # the words and marks right around the name
    before = [w.casefold() for w in _WORD.findall(text[max(0, start - 60):start])][-3:]
    after = [w.casefold() for w in _WORD.findall(text[end:end + 60])][:3]
    for i, w in enumerate(reversed(before)):
        f.append(f"b{i + 1}={w}")
        f.append(f"bw={w}")
    for i, w in enumerate(after):
        f.append(f"a{i + 1}={w}")
        f.append(f"aw={w}")
    # the cue lists as features: a role or title among the nearest words, plural or not ("Umpires:")
    near = [w[:-1] if w.endswith("s") and len(w) > 3 else w for w in before + after[:2]]
    if any(w in cues.adult_roles or w in cues.titles for w in near):
        f.append("role_near")
    label = re.match(r"[ \t]*(?:[-*+•>#|]+[ \t]*)*\**([^\W\d_][^:\n]{0,40}?)\**:", line_of(text, start))
    if label and label.end() <= start - text.rfind("\n", 0, start) - 1:
        words_in_label = [w.casefold().rstrip("s") for w in _WORD.findall(label.group(1))]
        f.append("labelled_line")
        if any(w in cues.adult_roles or w in cues.titles for w in words_in_label):
            f.append("role_label")
    left_mark = text[:start].rstrip(" \t")[-1:]
    right_mark = text[end:].lstrip(" \t")[:1]
    f.append(f"mark_before={left_mark if left_mark and not left_mark.isalnum() else 'w'}")
    f.append(f"mark_after={right_mark if right_mark and not right_mark.isalnum() else 'w'}")
    if _POST_NOMINAL.match(text, end) and not text[end:end + 3].strip().startswith(("I ", "A ")):
        f.append("post_nominal")
    if quoted_title(text, start, end):
        f.append("quoted")
    f.extend(_neighbours(text, start, end))

    # its line: a heading, a list item, a Title Case line
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line = text[line_start:len(text) if line_end < 0 else line_end]
    words = _WORD.findall(line)
    if line.lstrip().startswith("#"):
        f.append("heading")
    if _BULLET.match(line):
        f.append("list_item")
    if not text[line_start:start].strip(" \t#*-•>"):
        f.append("line_start")
    if words and all(w[0].isupper() or len(w) <= 3 for w in words if not w.isdigit()):
        f.append("title_case_line")
    f.append(f"line_words={_count(len(words) // 4)}")

    # its sentence: cues, verbs, other first names standing alone
    left, right = sentence_bounds(text, start, end)
    sentence = text[left:start] + " " + text[end:right]
    if has_learner_cue(cues, sentence):
        f.append("sentence_learner")
    if has_adult_cue(cues, sentence):
        f.append("sentence_adult")
    rest = text[:start] + " " + text[end:]
    if has_learner_cue(cues, rest):
        f.append("post_learner")
    if has_adult_cue(cues, rest):
        f.append("post_adult")
    if achievement_bound(cues, text, start, end):
        f.append("achievement")
    if praised(cues, text, start):
        f.append("praised")
    elif praise_just_before(cues, text, start):
        f.append("thanked")
    if learner_noun_said_of(cues, text, start, end):
        f.append("called_child")
    if re.search(r"(?<!\w)(?:thank|thanks|thanked|grateful)(?!\w)", sentence, re.I):
        f.append("sentence_thanks")
    others = len(_SPAN_NAME.findall(sentence))
    f.append(f"full_names_beside={_count(others)}")
    if _OLD_YEAR.search(sentence):
        f.append("old_year")
    if _SCORE.search(sentence):
        f.append("score")
    for token in _tokens(doc, left, right):
        if token.pos_ in ("VERB", "AUX"):
            f.append(f"verb={token.lemma_.casefold()}")
        elif token.pos_ in ("NOUN", "ADJ") and not start <= token.idx < end:
            f.append(f"word={token.lemma_.casefold()}")  # umpire, ambassador, credit, squad
    solo = 0
    for m in re.finditer(r"(?<![\w'’-])([A-Z][a-z'’-]+)(?![\w'’-])(?![ \t]+[A-Z])", sentence):
        if m.group(1) != first and finder.names.first_rank(m.group(1)) is not None \
                and m.group(1).casefold() not in finder.dictionary:
            solo += 1
    f.append(f"solo_first={_count(solo)}")

    # the same names elsewhere in the post
    if re.search(_TITLED + re.escape(last) + r"(?!\w)", text, re.I):
        f.append("surname_titled")
    if re.search(r"(?<!\w)" + re.escape(first) + r"(?![\w'’-])(?![ \t]+" + re.escape(last) + ")", rest):
        f.append("first_alone")
    if text.count(text[start:end]) > 1:
        f.append("repeated")
    return f
