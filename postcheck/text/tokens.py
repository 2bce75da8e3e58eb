"""A post's words for word-matching checks: tokens with every form a pattern may name, sentences.

The post's prose becomes a list of tokens carrying its lower case, de-obfuscated and lemma forms,
so patterns (postcheck/text/phrases.py) match "sh*t", "M0RON", "redundancies" and "excluded"
alike, with or without spaCy. The list is made once per post and shared by every check.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from typing import Any, Sequence

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
IRREGULAR = {
    "is": "be", "are": "be", "was": "be", "were": "be", "been": "be", "being": "be", "am": "be",
    "'re": "be", "'m": "be", "'s": "be", "has": "have", "had": "have", "'ve": "have", "does": "do", "did": "do",
    "n't": "not", "ca": "can", "wo": "will", "'ll": "will", "'d": "would", "cannot": "can",
    "him": "he", "her": "she", "them": "they", "us": "we", "me": "i", "children": "child",
    "people": "person", "men": "man", "women": "woman", "went": "go", "gone": "go",
}
NEGATIONS = frozenset({"no", "not", "never", "nobody", "none", "nothing", "without", "zero", "neither", "nor", "n't", "cannot"})
TITLES = frozenset({"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "madam", "prof", "mister"})
POSSESSIVES = frozenset({"my", "our", "your", "his", "her", "their", "its", "whose"})


def fold(text: str) -> str:
    """Lower case without accents, curly quotes made straight."""
    if text.isascii():
        return text.lower()
    text = text.replace("’", "'").replace("‘", "'").casefold()
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def words_of(text: str) -> list[str]:
    """``text`` cut into words as a post is ("asperger's" is "asperger" and "'s"), folded."""
    return [fold(m.group(0)) for m in _TOKEN.finditer(text)]


def _crude_lemmas(word: str) -> set[str]:
    """Stand-in lemmas when spaCy is off: enough for plurals and -ed/-ing forms."""
    forms = {word}
    if word in IRREGULAR:
        forms.add(IRREGULAR[word])
    if len(word) > 4 and word.endswith("ies"):
        forms.add(word[:-3] + "y")
    elif len(word) > 3 and word.endswith("es"):
        forms.update({word[:-2], word[:-1]})
    elif len(word) > 3 and word.endswith("s") and not word.endswith("ss"):
        forms.add(word[:-1])
    forms |= verb_stems(word)
    return forms


def verb_stems(word: str) -> set[str]:
    """What an -ed or -ing form may come from: "hoping" hope/hop, "stopped" stop (a guess, unchecked)."""
    stems: set[str] = set()
    for suffix in ("ed", "ing"):
        if len(word) > len(suffix) + 2 and word.endswith(suffix):
            stem = word[: -len(suffix)]
            stems.update({stem, stem + "e"})
            if len(stem) > 2 and stem[-1] == stem[-2]:
                stems.add(stem[:-1])
    return stems


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
        lower = fold(raw)
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
            forms.add(fold(spacy_token.lemma_))
            forms.update(IRREGULAR.get(f, f) for f in list(forms))
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
    last = ctx.cache.get("text.tokens")
    # Holds the post itself and compares with ``is``: an id() reused after a post is freed never
    # hands a check another post's tokens, and a post seen again needs no second parse.
    if last is not None and last[0] is post:
        return last[1]
    doc = ctx.doc(post)
    text = post.prose
    if doc is not None and doc.text != text:
        doc = None
    tokens = tokenize(text, doc)
    ctx.cache["text.tokens"] = (post, tokens)  # only the current post: memory stays flat
    return tokens


def sentences(tokens: Sequence[Token]) -> list[tuple[int, int]]:
    """(first, last + 1) token indexes of each sentence."""
    spans: list[tuple[int, int]] = []
    first = 0
    for i in range(1, len(tokens) + 1):
        if i == len(tokens) or tokens[i].sent != tokens[first].sent:
            spans.append((first, i))
            first = i
    return spans


def sentence_at(tokens: Sequence[Token], offset: int) -> tuple[int, int]:
    """(first, last + 1) token indexes of the sentence at character ``offset`` (all tokens if past the end)."""
    here = next((i for i, t in enumerate(tokens) if t.end > offset), None)
    if here is None:
        return 0, len(tokens)
    sent = tokens[here].sent
    first, last = here, here + 1
    while first > 0 and tokens[first - 1].sent == sent:
        first -= 1
    while last < len(tokens) and tokens[last].sent == sent:
        last += 1
    return first, last


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """Stretches in quotation marks or emphasis: titles and reported words, not the author's own."""
    return [(m.start(), m.end()) for m in _QUOTED.finditer(text)]


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
