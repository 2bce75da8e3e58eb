"""Phrase patterns from rule options, found in a post's tokens within one sentence.

Phrase patterns are plain strings, one token spec per word:

* ``word`` matches the token's lower-case text, its de-obfuscated form or its lemma;
* ``a|b|c`` any of these; ``redundan*`` any word starting so; ``word?`` optional;
* ``...`` a gap of up to three words; ``*`` any one word; ``#num`` a number; ``@person`` a person
  cue (see :class:`postcheck.text.targets.Targets`); both may be alternatives too (``#num|ten``);
* ``{name}`` any word of the list ``name`` that the rule gives (``lists:`` in its options).

An alternative is one word: "keep it quiet|secret" is keep, it, quiet-or-secret; a hyphenated
alternative ("group-chat", or a list's "under-11s") matches its parts in a row.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Iterable, Iterator, Mapping, Sequence

from postcheck.text.tokens import IRREGULAR, NEGATIONS, Token, fold, words_of

if TYPE_CHECKING:
    from postcheck.text.targets import Targets


@dataclass(frozen=True, slots=True)
class Spec:
    words: frozenset[str] = frozenset()
    prefixes: tuple[str, ...] = ()
    optional: bool = False
    gap: bool = False
    special: str = ""  # "#num", "@person" or "*" (any one word)
    runs: tuple[tuple[frozenset[str], ...], ...] = ()  # alternatives of several tokens ("group-chat")


@dataclass(frozen=True, slots=True)
class Phrase:
    source: str
    specs: tuple[Spec, ...]
    # one word set per plain, non-optional spec: a post whose tokens miss any of them cannot match
    required: tuple[frozenset[str], ...] = ()


def _forms(word: str) -> set[str]:
    if word in NEGATIONS:  # a pattern's "cannot" must not match every "can"
        return {word}
    return {word, IRREGULAR.get(word, word)}


def compile_phrase(source: str, sets: Mapping[str, Iterable[Any]] | None = None) -> Phrase:
    """One pattern; ``{name}`` stands for any word of ``sets[name]`` (nothing when there is no such list)."""
    lists = {fold(str(k)): [fold(str(v)) for v in vs or ()] for k, vs in (sets or {}).items()}
    specs = []
    words = []
    for word in fold(source).split():
        # "self-harm" is two tokens in a post, so two specs here (hyphens only outside alternatives)
        words.extend(word.split("-") if "-" in word and "|" not in word and len(word) > 1 else [word])
    for word in words:
        if word == "...":
            specs.append(Spec(gap=True))
            continue
        optional = word.endswith("?") and len(word) > 1
        word = word.rstrip("?") if optional else word
        words, prefixes, special, runs = set(), [], "", []
        alts = []
        for alt in word.split("|"):
            named = alt.startswith("{") and alt.endswith("}")
            alts.extend(lists.get(alt[1:-1], ()) if named else [alt])
        for alt in alts:
            if alt in ("#num", "@person", "*"):
                special = alt
            elif alt.endswith("*") and len(alt) > 1:
                prefixes.append(alt[:-1])
            elif len(alt.replace("-", " ").split()) > 1:  # "group-chat", a list's "under-11s": several tokens
                runs.append(tuple(frozenset(_forms(part)) for part in alt.replace("-", " ").split()))
            elif "'" in alt and len(words_of(alt)) > 1:  # "asperger's", "don't": cut as a post's words are
                runs.append(tuple(frozenset(_forms(part)) for part in words_of(alt)))
            elif alt:
                words |= _forms(alt)
        specs.append(Spec(frozenset(words), tuple(prefixes), optional, special=special, runs=tuple(runs)))
    required = tuple(s.words for s in specs if s.words and not (s.optional or s.gap or s.special or s.prefixes or s.runs))
    return Phrase(source, tuple(specs), required)


def compile_phrases(sources: Iterable[Any], sets: Mapping[str, Iterable[Any]] | None = None) -> tuple[Phrase, ...]:
    return tuple(compile_phrase(str(s), sets) for s in sources or () if str(s).strip())


def option_phrases(options: Mapping[str, Any], key: str) -> tuple[Phrase, ...]:
    """The phrases a rule's ``options[key]`` lists, its ``{name}`` words taken from ``options["lists"]``."""
    return compile_phrases(options.get(key) or (), options.get("lists") or {})


class PhraseIndex:
    """Which of many phrases a post's words allow at all, found from the post's words (a look-up per
    word) rather than by trying each phrase: most posts hold a required word of few phrases."""

    def __init__(self, phrases: Iterable[Phrase]):
        self._keep = tuple(phrases)  # the ids below stay valid while the index lives
        self._by_word: dict[str, list[int]] = {}
        self._always: frozenset[int] = frozenset(id(p) for p in self._keep if not p.required)
        for phrase in self._keep:
            if phrase.required:  # any required word set will do: each is necessary; take the smallest
                for word in min(phrase.required, key=len):
                    self._by_word.setdefault(word, []).append(id(phrase))

    def candidates(self, matcher: "Matcher") -> set[int] | None:
        """ids of the phrases that may match ``matcher``'s tokens (None: all of them)."""
        forms = matcher.forms()
        if matcher.has_wild():
            return None  # a censored word (f**k) may stand for any word
        found = set(self._always)
        by_word = self._by_word
        for form in forms:
            ids = by_word.get(form)
            if ids:
                found.update(ids)
        return found


class Matcher:
    """Finds phrases in a token list, within one sentence."""

    def __init__(self, tokens: Sequence[Token], targets: "Targets | None" = None):
        self.tokens = tokens
        self.targets = targets
        self._by_form: dict[str, list[int]] | None = None  # form -> token indexes, made on first use
        self._wild: list[int] = []
        self._start_memo: dict[int, tuple[Spec, list[int]]] = {}  # id(spec) -> (spec, its starts): kept alive

    def _index(self) -> dict[str, list[int]]:
        if self._by_form is None:
            self._by_form = {}
            for i, token in enumerate(self.tokens):
                for form in token.forms:
                    self._by_form.setdefault(form, []).append(i)
            self._wild = [i for i, token in enumerate(self.tokens) if token.wild is not None]
        return self._by_form

    def forms(self) -> Iterable[str]:
        """Every form of every token."""
        return self._index().keys()

    def has_wild(self) -> bool:
        self._index()
        return bool(self._wild)

    def possible(self, phrase: Phrase) -> bool:
        """False when some word the phrase cannot do without is in no token (most phrases, most posts)."""
        forms = self.forms()
        if self._wild:
            return True
        for words in phrase.required:
            if forms.isdisjoint(words):
                return False
        return True

    def _starts(self, spec: Spec) -> list[int] | range:
        """Token indexes where a phrase opening with ``spec`` may start: every token for optional,
        gap and special specs; otherwise the tokens an index of forms finds for its words, prefixes
        and the first word of its runs, without trying every token."""
        if spec.optional or spec.gap or spec.special:
            return range(len(self.tokens))
        memo = self._start_memo.get(id(spec))
        if memo is not None:
            return memo[1]
        by_form = self._index()
        found = set(self._wild)  # a censored word (f**k) may stand for any of the words
        for word in spec.words:
            found.update(by_form.get(word, ()))
        for run in spec.runs:
            for word in run[0]:
                found.update(by_form.get(word, ()))
        if spec.prefixes:
            for form, where in by_form.items():
                if form.startswith(spec.prefixes):
                    found.update(where)
        starts = sorted(found)
        self._start_memo[id(spec)] = (spec, starts)
        return starts

    def token_matches(self, i: int, spec: Spec) -> bool:
        token = self.tokens[i]
        if spec.special == "*":
            return True
        if spec.special == "#num" and token.lower.replace(",", "").replace(".", "").isdigit():
            return True
        if spec.special == "@person" and self.targets is not None and self.targets.is_person(self.tokens, i):
            return True
        if not token.forms.isdisjoint(spec.words):
            return True
        if spec.prefixes and any(f.startswith(p) for f in token.forms for p in spec.prefixes):
            return True
        return token.wild is not None and any(token.wild.fullmatch(w) for w in spec.words)

    def _run_end(self, i: int, run: tuple[frozenset[str], ...], sent: int, hi: int) -> int:
        """Where a several-token alternative starting at token i ends, or -1."""
        if i + len(run) > hi:
            return -1
        for k, forms in enumerate(run):
            token = self.tokens[i + k]
            if token.sent != sent or token.forms.isdisjoint(forms):
                return -1
        return i + len(run)

    def _match(self, i: int, specs: tuple[Spec, ...], k: int, sent: int, hi: int) -> int:
        if k == len(specs):
            return i
        spec = specs[k]
        if spec.gap:
            for skip in range(0, 4):
                if i + skip > hi or (skip and self.tokens[i + skip - 1].sent != sent):
                    break
                end = self._match(i + skip, specs, k + 1, sent, hi)
                if end >= 0:
                    return end
            return -1
        if i < hi and self.tokens[i].sent == sent and self.token_matches(i, spec):
            end = self._match(i + 1, specs, k + 1, sent, hi)
            if end >= 0:
                return end
        for run in spec.runs:
            after = self._run_end(i, run, sent, hi)
            end = self._match(after, specs, k + 1, sent, hi) if after >= 0 else -1
            if end >= 0:
                return end
        if spec.optional:
            return self._match(i, specs, k + 1, sent, hi)
        return -1

    def scan(self, phrases: Iterable[Phrase], lo: int = 0, hi: int | None = None) -> Iterator[tuple[Phrase, int, int]]:
        """(phrase, first, last + 1) for each phrase matching at each token from ``lo``, leftmost first,
        each match inside tokens ``lo:hi`` and one sentence."""
        hi = len(self.tokens) if hi is None else hi
        # only where a phrase can start (the index of forms), in the order a token-by-token scan
        # would try them: by token, then by phrase
        phrases = tuple(phrases)
        possible = [self.possible(phrase) for phrase in phrases]
        tries = sorted((i, order) for order, phrase in enumerate(phrases) if phrase.specs and possible[order]
                       for i in self._starts(phrase.specs[0]) if lo <= i < hi)
        for i, order in tries:
            phrase = phrases[order]
            end = self._match(i, phrase.specs, 0, self.tokens[i].sent, hi)
            if end > i:
                yield phrase, i, end

    def search(self, phrases: Iterable[Phrase], lo: int = 0, hi: int | None = None) -> tuple[Phrase, int, int] | None:
        """The leftmost match of any of ``phrases`` in tokens ``lo:hi``."""
        return next(self.scan(phrases, lo, hi), None)

    def find(self, phrase: Phrase) -> Iterable[tuple[int, int]]:
        """(first, last + 1) token indexes of each match, within one sentence."""
        if not phrase.specs or not self.possible(phrase):
            return
        for i in self._starts(phrase.specs[0]):
            end = self._match(i, phrase.specs, 0, self.tokens[i].sent, len(self.tokens))
            if end > i:
                yield i, end

    def any_in(self, phrases: Iterable[Phrase], sent: int | None = None) -> tuple[int, int] | None:
        for phrase in phrases:
            for i, end in self.find(phrase):
                if sent is None or self.tokens[i].sent == sent:
                    return i, end
        return None


