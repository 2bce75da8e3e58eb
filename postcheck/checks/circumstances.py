"""Personal circumstances: health, SEN or family details about a named learner or colleague."""
from __future__ import annotations

from typing import Iterable

from postcheck.checks.wordmatch import Patterns, Word, sentences, token_range, words
from postcheck.model import Hit

TITLES = {"mr", "mrs", "ms", "miss", "mx", "dr", "sir", "master", "mister", "madam"}


class PersonalCircumstances:
    """A condition, diagnosis or family event in the same sentence as a person's name.

    A person is a spaCy PERSON entity, a title and surname ("Mr Bramwell"), a roster or staff
    name, or a proper noun followed by "has", "is", "'s" and the like. A sentence that only
    says "she"/"his" borrows the name from the sentence before it.
    """

    needs_doc = True

    def __init__(self, rule, config) -> None:
        options = rule.options
        sets = dict(options.get("lists", {}))
        self.conditions = Patterns(options.get("conditions", []), sets)
        self.not_personal = Patterns(options.get("not_personal", []), sets)
        self.pronouns = {str(p).lower() for p in options.get("pronouns", [])}
        self.name_verbs = {str(v).lower() for v in options.get("name_verbs", [])}
        self.not_names = {str(v).lower() for v in options.get("not_names", [])}
        names: set[str] = set()
        for learner in config.roster or ():
            names.update({learner.first_name.lower(), learner.full_name.lower()})
        for person in config.staff or ():
            names.update(part.lower() for part in str(person).split()[-1:])
        self.known_names = names

    def run(self, post, ctx) -> Iterable[Hit]:
        text = post.prose
        tokens = words(text, ctx.doc(post))
        named_before = False
        for start, end in sentences(text):
            first, last = token_range(tokens, start, end)
            named = self._has_name(tokens, first, last)
            refers_back = named_before and any(t.lower in self.pronouns for t in tokens[first:last])
            named_before = named
            if not (named or refers_back):
                continue
            for pattern, i, j in self.conditions.finditer(tokens, first, last):
                if self.not_personal.search(tokens, j, min(last, j + 1)) is not None:
                    continue  # "Diabetes UK", "Mental Health Awareness Week"
                yield Hit(match=text[tokens[i].start:tokens[j - 1].end], start=tokens[i].start,
                          end=tokens[j - 1].end, details={"pattern": pattern})
                break

    def _has_name(self, tokens: list[Word], first: int, last: int) -> bool:
        for i in range(first, last):
            token = tokens[i]
            if token.ent == "PERSON" and token.text[:1].isupper():
                return True
            if not token.text[:1].isupper() or token.lower in self.not_names:
                continue
            if i > first and tokens[i - 1].lower.rstrip(".") in TITLES:
                return True
            if token.lower in self.known_names:
                return True
            after = [t.lower for t in tokens[i + 1:min(last, i + 3)] if t.lower != ","]
            nxt = after[0] if after else ""
            if token.tag in ("PROPN", "") and nxt in self.name_verbs and (i > first or token.tag == "PROPN"):
                return True
        return False
