"""Personal circumstances: health, SEN or family details about a named learner or colleague."""
from __future__ import annotations

from typing import Iterable

from postcheck.model import Hit
from postcheck.text.phrases import Matcher, option_phrases
from postcheck.text.tokens import TITLES, Token, sentences, tokens_for


class PersonalCircumstances:
    """A condition, diagnosis or family event in the same sentence as a person's name.

    A person is a spaCy PERSON entity, a title and surname ("Mr Bramwell"), a roster or staff
    name, or a proper noun followed by "has", "is", "'s" and the like. A sentence that only
    says "she"/"his" borrows the name from the sentence before it.
    """

    needs_doc = True

    def __init__(self, rule, config) -> None:
        options = rule.options
        self.conditions = option_phrases(options, "conditions")
        self.not_personal = option_phrases(options, "not_personal")
        self.offered = option_phrases(options, "offered")
        self.offer_cues = option_phrases(options, "offer_cues")
        self.pronouns = {str(p).lower() for p in options.get("pronouns", [])}
        self.name_verbs = {str(v).lower() for v in options.get("name_verbs", [])}
        self.not_names = {str(v).lower() for v in options.get("not_names", [])}
        self.name_followers = option_phrases(options, "name_followers")
        names: set[str] = set()
        for learner in config.roster or ():
            names.update({learner.first_name.lower(), learner.full_name.lower()})
        for person in config.staff or ():
            names.update(part.lower() for part in str(person).split()[-1:])
        self.known_names = names

    def run(self, post, ctx) -> Iterable[Hit]:
        text = post.prose
        tokens = tokens_for(post, ctx)
        matcher = Matcher(tokens)
        named_before = False
        for first, last in sentences(tokens):
            named = self._has_name(tokens, first, last, matcher)
            refers_back = named_before and any(t.lower in self.pronouns for t in tokens[first:last])
            named_before = named
            if not (named or refers_back):
                continue
            general = None  # whether the sentence offers or discusses a service generally: asked once
            for phrase, i, j in matcher.scan((*self.conditions, *self.offered), first, last):
                if matcher.search(self.not_personal, j, min(last, j + 1)) is not None:
                    continue  # "Diabetes UK", "Mental Health Awareness Week"
                if phrase in self.offered:
                    if general is None:
                        general = matcher.search(self.offer_cues, first, last) is not None
                    if general:
                        continue  # "free school meals are available to all families"
                yield Hit(match=text[tokens[i].start:tokens[j - 1].end], start=tokens[i].start,
                          end=tokens[j - 1].end, details={"pattern": phrase.source})
                break

    def _has_name(self, tokens: list[Token], first: int, last: int, matcher: Matcher) -> bool:
        for i in range(first, last):
            token = tokens[i]
            if token.ent == "PERSON" and token.text[:1].isupper():
                return True
            if not token.text[:1].isupper() or token.lower in self.not_names:
                continue
            if i > first and tokens[i - 1].lower in TITLES:
                return True
            if token.lower in self.known_names:
                return True
            nxt = tokens[i + 1].lower if i + 1 < last else ""  # punctuation is not a token: "Ben, who"
            if token.pos in ("PROPN", "") and nxt in self.name_verbs and (i > first or token.pos == "PROPN"):
                return True
            if token.pos == "PROPN" and self.name_followers:
                found = matcher.search(self.name_followers, i + 1, min(last, i + 4))
                if found is not None and found[1] == i + 1:
                    return True  # "Zuzanna in Year 5"
        return False
