"""Words for word-matching checks: tokens with lemmas, phrase patterns, sentences, negation, targets.

The checks that read words (topics, disclaimer) share this: the post's prose becomes a list of
tokens carrying every form a pattern may name (lower case, de-obfuscated, lemma), so patterns
match "sh*t", "M0RON", "redundancies" and "excluded" alike, with or without spaCy.

Phrase patterns are plain strings, one token spec per word:

* ``word`` matches the token's lower-case text, its de-obfuscated form or its lemma;
* ``a|b|c`` any of these; ``redundan*`` any word starting so; ``word?`` optional;
* ``...`` a gap of up to three words; ``#num`` a number; ``@person`` a person cue
  (see :class:`Targets`); both may be alternatives too (``#num|ten``).

An alternative is one word: "keep it quiet|secret" is keep, it, quiet-or-secret.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from typing import Any, Iterable, Sequence

# Token: a word, possibly with obfuscation characters inside (sh*t, a$$, m0ron), or a
# contraction piece (n't, 's). Leading '#' is a hashtag and is dropped.
_TOKEN = re.compile(
    r"[A-Za-z0-9\u00C0-\u024F]+(?=n['’]t\b)|n['’]t\b|['’](?:s|re|ve|ll|d|m)\b"
    r"|[#@]?[\w$*@!]*[\w\u00C0-\u024F](?:[\w$*@!]*[\w$*])?",
    re.UNICODE,
)
# What ends a sentence for our purposes: stops, line breaks and emoji (posts use emoji as full stops).
_BOUNDARY = re.compile(r"[.!?]+(?=[\s\"'”’)]|$)|\n|[\u2600-\u27BF\U0001F000-\U0001FAFF]")
_BREAKS = set(",;:()[]–—\"“”")
_QUOTED = re.compile(r"“[^”\n]{1,120}”|\"[^\"\n]{1,120}\"|‘[^’\n]{1,120}’|(?<!\w)'[^'\n]{1,120}'(?!\w)"
                     r"|(?<![*\w])\*[^*\n]{1,120}\*(?![*\w])|(?<!\w)_[^_\n]{1,120}_(?!\w)")
_LEET = str.maketrans({"0": "o", "1": "i", "3": "e", "4": "a", "5": "s", "7": "t", "$": "s", "@": "a", "!": "i"})
_IRREGULAR = {
    "is": "be", "are": "be", "was": "be", "were": "be", "been": "be", "being": "be", "am": "be",
    "'re": "be", "'m": "be", "'s": "be", "has": "have", "had": "have", "'ve": "have", "does": "do", "did": "do",
    "n't": "not", "ca": "can", "wo": "will", "'ll": "will", "'d": "would", "cannot": "can",
    "him": "he", "her": "she", "them": "they", "us": "we", "me": "i", "children": "child",
    "people": "person", "men": "man", "women": "woman", "went": "go", "gone": "go",
}
NEGATIONS = frozenset({"no", "not", "never", "nobody", "none", "nothing", "without", "zero", "neither", "nor", "n't"})
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "madam", "prof"})
POSSESSIVES = frozenset({"my", "our", "your", "his", "her", "their", "its", "whose"})


def _fold(text: str) -> str:
    """Lower case without accents, curly quotes made straight."""
    text = text.replace("’", "'").replace("‘", "'").casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def _crude_lemmas(word: str) -> set[str]:
    """Stand-in lemmas when spaCy is off: enough for plurals and -ed/-ing forms."""
    forms = {word}
    if word in _IRREGULAR:
        forms.add(_IRREGULAR[word])
    if len(word) > 4 and word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif len(word) > 3 and word.endswith("es"):
        forms.update({word[:-2], word[:-1]})
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    for suffix in ("ed", "ing"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            stem = word[: -len(suffix)]
            forms.update({stem, stem + "e"})
            if len(stem) > 2 and stem[-1] == stem[-2]:
                forms.add(stem[:-1])
    return forms


@dataclass(slots=True)
class Token:
    start: int
    end: int
    text: str
    lower: str
    forms: frozenset[str]
    wild: re.Pattern[str] | None  # for censored words (f**k): matches the words it may stand for
    sent: int
    pos: str = ""
    ent: str = ""
    brk: bool = False  # punctuation between this token and the one before ("dreadful, so the coach")

    @property
    def capitalised(self) -> bool:
        return self.text[:1].isupper()

    def is_(self, *words: str) -> bool:
        return not self.forms.isdisjoint(words)


def tokenize(text: str, doc: Any = None) -> list[Token]:
    """Tokens of ``text`` with sentence numbers; lemmas, parts of speech and entities from ``doc``."""
    bounds = [m.start() for m in _BOUNDARY.finditer(text)]
    by_start: dict[int, Any] = {}
    if doc is not None:
        by_start = {t.idx: t for t in doc}
    tokens: list[Token] = []
    sent = bound_index = 0
    for m in _TOKEN.finditer(text):
        raw, start = m.group(0), m.start()
        if raw[0] == "#" and len(raw) > 1:  # hashtag: the words behind it
            raw, start = raw[1:], start + 1
        if raw.startswith("*") or raw.startswith("_"):  # Markdown emphasis, not censorship
            stripped = raw.strip("*_")
            start += raw.index(stripped[:1]) if stripped else 0
            raw = stripped
        if not raw:
            continue
        while bound_index < len(bounds) and bounds[bound_index] < start:
            bound_index += 1
            sent += 1
        lower = _fold(raw)
        forms = {lower}
        if raw.isdigit() and text[start + len(raw):start + len(raw) + 1] == "%":
            forms.add("percent")
        if lower.endswith("'s"):
            forms.add(lower[:-2])
        wild = None
        if not lower.startswith("@") and re.search(r"[a-z]", lower) and re.search(r"[$@!013457*]", lower) \
                and not lower.isdigit():
            clean = lower.translate(_LEET)
            forms.add(clean)
            if "*" in clean and sum(c.isalpha() for c in clean) >= 2:
                wild = re.compile("".join("[a-z]{1,3}" if part.startswith("*") else re.escape(part)
                                          for part in re.findall(r"\*+|[^*]+", clean)))
        spacy_token = by_start.get(start)
        pos = ent = ""
        if spacy_token is not None and spacy_token.text == raw:
            forms.add(_fold(spacy_token.lemma_))
            forms.update(_IRREGULAR.get(f, f) for f in list(forms))
            pos, ent = spacy_token.pos_, spacy_token.ent_type_
        else:
            for form in list(forms):
                forms |= _crude_lemmas(form)
        gap = text[tokens[-1].end:start] if tokens else ""
        brk = any(c in _BREAKS for c in gap)
        tokens.append(Token(start, start + len(raw), raw, lower, frozenset(forms), wild, sent, pos, ent, brk))
    return tokens


def tokens_for(post: Any, ctx: Any) -> list[Token]:
    """The post's tokens, made once per post and shared by every word-matching rule."""
    doc = ctx.doc(post)
    text = post.prose
    if doc is not None and doc.text != text:
        doc = None
    last = ctx.cache.get("wording.tokens")
    if last is not None and last[0] == text and last[1] is doc:
        return last[2]
    tokens = tokenize(text, doc)
    ctx.cache["wording.tokens"] = (text, doc, tokens)  # only the current post: memory stays flat
    return tokens


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Stretches in quotation marks or emphasis: titles and reported words, not the author's own."""
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]


# ---------------------------------------------------------------- phrase patterns

@dataclass(frozen=True, slots=True)
class Spec:
    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    optional: bool = False
    gap: bool = False
    special: str = ""


@dataclass(frozen=True, slots=True)
class Phrase:
    source: str
    specs: tuple[Spec, ...]


def compile_phrase(source: str) -> Phrase:
    specs = []
    words = []
    for word in _fold(source).split():
        # "self-harm" is two tokens in a post, so two specs here (hyphens only outside alternatives)
        words.extend(word.split("-") if "-" in word and "|" not in word and len(word) > 1 else [word])
    for word in words:
        if word == "...":
            specs.append(Spec(gap=True))
            continue
        optional = word.endswith("?") and len(word) > 1
        word = word.rstrip("?") if optional else word
        words, prefixes, special = set(), [], ""
        for alt in word.split("|"):
            if alt in ("#num", "@person"):
                special = alt
            elif alt.endswith("*") and len(alt) > 1:
                prefixes.append(alt[:-1])
            elif alt:
                words.add(alt)
                words.add(_IRREGULAR.get(alt, alt))
        specs.append(Spec(frozenset(words), tuple(prefixes), optional, special=special))
    return Phrase(source, tuple(specs))


def compile_phrases(sources: Iterable[Any]) -> tuple[Phrase, ...]:
    return tuple(compile_phrase(str(s)) for s in sources or () if str(s).strip())


class Matcher:
    """Finds phrases in a token list, within one sentence."""

    def __init__(self, tokens: Sequence[Token], targets: "Targets | None" = None):
        self.tokens = tokens
        self.targets = targets

    def token_matches(self, i: int, spec: Spec) -> bool:
        token = self.tokens[i]
        if spec.special == "#num" and token.lower.replace(",", "").replace(".", "").isdigit():
            return True
        if spec.special == "@person" and self.targets is not None and self.targets.is_person(self.tokens, i):
            return True
        if not token.forms.isdisjoint(spec.words):
            return True
        if spec.prefixes and any(f.startswith(p) for f in token.forms for p in spec.prefixes):
            return True
        return token.wild is not None and any(token.wild.fullmatch(w) for w in spec.words)

    def _match(self, i: int, specs: tuple[Spec, ...], k: int, sent: int) -> int:
        if k == len(specs):
            return i
        spec = specs[k]
        if spec.gap:
            for skip in range(0, 4):
                if i + skip > len(self.tokens) or (skip and self.tokens[i + skip - 1].sent != sent):
                    break
                end = self._match(i + skip, specs, k + 1, sent)
                if end >= 0:
                    return end
            return -1
        if i < len(self.tokens) and self.tokens[i].sent == sent and self.token_matches(i, spec):
            end = self._match(i + 1, specs, k + 1, sent)
            if end >= 0:
                return end
        if spec.optional:
            return self._match(i, specs, k + 1, sent)
        return -1

    def find(self, phrase: Phrase) -> Iterable[tuple[int, int]]:
        """(first, last + 1) token indexes of each match, within one sentence."""
        for i, token in enumerate(self.tokens):
            end = self._match(i, phrase.specs, 0, token.sent)
            if end > i:
                yield i, end

    def any_in(self, phrases: Iterable[Phrase], sent: int | None = None) -> tuple[int, int] | None:
        for phrase in phrases:
            for i, end in self.find(phrase):
                if sent is None or self.tokens[i].sent == sent:
                    return i, end
        return None


def negated(tokens: Sequence[Token], i: int, reach: int = 3) -> bool:
    """Whether a negation word comes shortly before token i in its sentence ("nobody was excluded")."""
    for j in range(i - 1, max(-1, i - 1 - reach), -1):
        if tokens[j].sent != tokens[i].sent:
            break
        if not tokens[j].forms.isdisjoint(NEGATIONS) or (tokens[j].lower == "one" and j and tokens[j - 1].lower == "no"):
            return True
    return False


def in_title(tokens: Sequence[Token], i: int, end: int) -> bool:
    """Capitalised words next to other capitalised words are a name or title ("Horrid Henry")."""
    first = tokens[i]
    if not first.capitalised or first.text.isupper() and len(first.text) > 1:
        return False

    def starts_sentence(k: int) -> bool:
        return k == 0 or tokens[k - 1].sent != tokens[k].sent

    neighbours = []
    # a capital explained by the start of a sentence says nothing ("Typical Polish families")
    if not starts_sentence(i) and not starts_sentence(i - 1):
        neighbours.append(tokens[i - 1])
    if i + 1 < len(tokens) and tokens[i + 1].sent == first.sent:
        neighbours.append(tokens[i + 1])
    return any(n.capitalised and n.lower != "i" for n in neighbours)


# ---------------------------------------------------------------- who a word is about

_SKIPPABLE_POS = {"ADJ", "ADV", "DET", "NUM", "PART"}
_FILLERS = frozenset({"a", "an", "the", "this", "that", "these", "those", "very", "so", "such", "total",
                      "complete", "absolute", "utter", "little", "real", "proper", "most", "more", "really",
                      "and", "quite", "bit", "of", "some"})
_NEUTRAL = frozenset({"what", "that", "which", "there", "whatever", "where", "when", "how", "one", "today", "tonight",
                      "yesterday", "tomorrow", "now", "time", "times", "lot", "bit", "way"})


_NOT_NOUNS = frozenset({"DATE", "TIME", "CARDINAL", "ORDINAL", "QUANTITY", "MONEY", "PERCENT"})
_SELF = frozenset({"i", "we", "me", "us", "it", "this", "myself", "ourselves"})


def _name_like(tokens: Sequence[Token], k: int) -> bool:
    """No spaCy: a capitalised word that does not open its sentence (and is not "I")."""
    token = tokens[k]
    return not token.pos and token.capitalised and token.lower != "i" and k > 0 and tokens[k - 1].sent == token.sent


@dataclass
class Targets:
    """Decides whether a word is aimed at a person (or group) or at a thing or event."""

    person_words: frozenset[str] = frozenset()
    thing_words: frozenset[str] = frozenset()
    entities: frozenset[str] = frozenset({"PERSON"})

    @classmethod
    def from_options(cls, options: dict[str, Any]) -> "Targets":
        return cls(
            person_words=frozenset(_fold(w) for w in options.get("person_words") or ()),
            thing_words=frozenset(_fold(w) for w in options.get("thing_words") or ()),
            entities=frozenset(options.get("person_entities") or ("PERSON",)),
        )

    def is_person(self, tokens: Sequence[Token], i: int) -> bool:
        token = tokens[i]
        if token.ent and token.ent in self.entities:
            return True
        if not token.forms.isdisjoint(self.person_words) or not token.forms.isdisjoint(TITLES):
            return True
        return i > 0 and not tokens[i - 1].forms.isdisjoint(TITLES) and tokens[i - 1].sent == token.sent  # "Mr Keane"

    def _noun_like(self, tokens: Sequence[Token], k: int) -> bool:
        token = tokens[k]
        if token.lower in _NEUTRAL or token.ent in _NOT_NOUNS:
            return False
        if token.pos:
            return token.pos in ("NOUN", "PROPN") or (token.pos == "PRON" and token.lower not in POSSESSIVES)
        return not token.forms.isdisjoint(self.person_words | self.thing_words | TITLES | _SELF) or _name_like(tokens, k)

    def _classify(self, tokens: Sequence[Token], i: int) -> str:
        return "person" if self.is_person(tokens, i) else "thing"

    def forward(self, tokens: Sequence[Token], j: int, reach: int = 4) -> str | None:
        """The word's object or the noun it describes: the first noun after it."""
        sent = tokens[j - 1].sent if j else 0
        k, steps = j, 0
        while k < len(tokens) and tokens[k].sent == sent and steps <= reach and not tokens[k].brk:
            token = tokens[k]
            if token.lower in POSSESSIVES and k + 1 < len(tokens):
                k, steps = k + 1, steps + 1
                continue
            if self._noun_like(tokens, k):
                # a possessive ("Julia Donaldson's new book") hands over to what is possessed
                if token.lower.endswith("'s") or (k + 1 < len(tokens) and tokens[k + 1].lower == "'s"):
                    k += 2 if not token.lower.endswith("'s") else 1
                    steps += 1
                    continue
                if token.pos and k + 1 < len(tokens) and tokens[k + 1].sent == sent and not tokens[k + 1].brk \
                        and self._noun_like(tokens, k + 1) \
                        and tokens[k + 1].pos != "PRON" and not (token.ent and token.ent == tokens[k + 1].ent):
                    k, steps = k + 1, steps + 1  # compound noun: the head is the last word
                    continue
                return self._classify(tokens, k)
            if token.pos in _SKIPPABLE_POS or token.lower in _FILLERS:
                k, steps = k + 1, steps + 1
                continue
            return None
        return None

    def backward(self, tokens: Sequence[Token], i: int) -> str | None:
        """The word's subject: the nearest noun before it ("the referee ... was a total moron")."""
        if i == 0:
            return None
        sent = tokens[i].sent
        k = i - 1
        while k >= 0 and tokens[k].sent == sent and not tokens[k + 1].brk:
            token = tokens[k]
            if self._noun_like(tokens, k) and token.lower not in POSSESSIVES:
                # "head of science": the noun before "of" is the one that counts
                back = k - 1
                while back >= 0 and tokens[back].sent == sent and (tokens[back].pos in ("ADJ", "DET", "NOUN", "PROPN")
                                                                   and not tokens[back].is_("of")) and back > k - 3:
                    back -= 1
                if back >= 0 and tokens[back].is_("of") and tokens[back].sent == sent:
                    k = back - 1
                    continue
                return self._classify(tokens, k)
            k -= 1
        return None

    def of(self, tokens: Sequence[Token], i: int, end: int, look: str) -> str | None:
        if look == "forward":
            return self.forward(tokens, end)
        if look == "backward":
            return self.backward(tokens, i)
        return self.forward(tokens, end, reach=2) or self.backward(tokens, i)
