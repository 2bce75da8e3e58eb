"""Contact details: phone numbers, personal e-mail addresses, home addresses, postcodes, handles."""
from __future__ import annotations

import re
from typing import Iterable, Iterator

from postcheck.checks.links import belongs, find_links, host_of
from postcheck.model import Hit, Severity
from postcheck.text.phrases import Matcher, compile_phrases, option_phrases
from postcheck.text.tokens import sentence_at, tokens_for

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+'-]+@((?:[\w-]+\.)+[A-Za-z]{2,})\b")
_POSTCODE = re.compile(r"\b(?:GIR ?0AA|[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]? ?\d[ABD-HJLNP-UW-Z]{2})\b")
_HANDLE = re.compile(r"(?<![\w@.])@[A-Za-z0-9_](?:[\w.]*\w)?")
# A handle written without "@": after "username is", "handle:", or a platform's name with a colon or
# bracket ("Snap: jess_k99", "Snapchat (mr.t.revises)"). After a platform's name it must look like a
# handle (with "_", "." or a digit), so "Snapchat (the app)" is prose.
_NAMED_HANDLE = re.compile(
    r"(?i)\b(?:user ?names?|handles?|(?P<platform>{platforms}))(?:\s+(?:is|=)\s*|\s*[:(=–-]\s*)"
    r"(?:is\s+)?(?P<handle>@?[A-Za-z0-9_](?:[\w.]*\w)?)")
_HANDLE_SHAPE = re.compile(r"[_.\d]")
# A bare word shaped like a handle ("mr.b.science", "jess_k99"): pieces joined by "." or "_".
_LOOSE_HANDLE = re.compile(r"(?<![\w@./:-])[A-Za-z0-9][A-Za-z0-9]*(?:[._]+[A-Za-z0-9]+)+(?![\w@/-]|\.\w)")
# Numbers that are public services rather than people (freephone, 03, shared cost, premium).
_DIGIT_RUN = re.compile(r"\d(?:[ \t().\-/]{0,3}\d){5,}")
_PUBLIC_TYPES = {"TOLL_FREE", "SHARED_COST", "UAN", "PREMIUM_RATE", "VOICEMAIL"}
_PERSONAL_TYPES = {"MOBILE", "PERSONAL_NUMBER", "PAGER"}


class ContactDetails:
    """Contact details of a person, which must not be published (3.1(f), 4.8).

    The school's own published numbers and addresses (``contacts:`` in postcheck.yaml) and
    its website's domain are left alone, as are numbers and addresses of organisations.
    """

    needs_doc = True

    def __init__(self, rule, config) -> None:
        options = rule.options
        contacts = config.section("contacts")
        self.region = str(options.get("region", "GB"))
        lists = options.get("lists", {})
        self.personal_cues = option_phrases(options, "personal_cues")
        self.organisation_cues = option_phrases(options, "organisation_cues")
        self.home_cues = option_phrases(options, "home_cues")
        self.owner_cues = option_phrases(options, "handle_owner_cues")
        self.personal_owner_cues = option_phrases(options, "personal_account_handle_cues")
        self.audience = option_phrases(options, "audience")
        self.free_mail = [d.lower() for d in options.get("free_mail_domains", [])]
        platforms = "|".join(re.escape(str(p)) for p in options.get("handle_platforms", []))
        self.named_handle = re.compile(_NAMED_HANDLE.pattern.replace("{platforms}", platforms or "(?!)"))
        self.platforms = compile_phrases(["{platforms}"], lists) if lists.get("platforms") else ()
        self.loose_window = int(options.get("loose_handle_window", 12))
        self.not_handle_suffixes = {str(x).lower() for x in options.get("not_handle_suffixes", [])}
        self.role_mailboxes = {r.lower() for r in options.get("role_mailboxes", [])}
        streets = "|".join(re.escape(s) for s in options.get("street_types", []))
        self.street = re.compile(
            r"\b\d{1,4}[A-Za-z]?,? (?:[A-Z][\w'’-]+ ){1,3}(?:" + streets + r")\b") if streets else None
        self.school_emails = {str(e).lower() for e in contacts.get("emails", [])}
        self.own = host_of(config.website).removeprefix("www.") if config.website else None
        self.school_phones = {self._e164(str(p)) for p in contacts.get("phones", [])} - {None}

    def _e164(self, number: str) -> str | None:
        import phonenumbers

        try:
            return phonenumbers.format_number(phonenumbers.parse(number, self.region),
                                              phonenumbers.PhoneNumberFormat.E164)
        except phonenumbers.NumberParseException:
            return None

    def run(self, post, ctx) -> Iterable[Hit]:
        text = post.prose
        tokens = tokens_for(post, ctx)
        matcher = Matcher(tokens)

        def has(phrases, offset: int) -> bool:
            return matcher.search(phrases, *sentence_at(tokens, offset)) is not None

        def near(phrases, offset: int) -> bool:
            """One of ``phrases`` in the few words before ``offset``, within its clause ("the office on ...")."""
            first, _ = sentence_at(tokens, offset)
            here = lo = next((i for i, t in enumerate(tokens) if t.end > offset), len(tokens))
            while lo > first and here - lo < 6:
                lo -= 1
                if tokens[lo].brk:
                    break
            return matcher.search(phrases, lo, here) is not None

        links = [link for link in find_links(post.text) if not link.url.lower().startswith(("mailto:", "tel:"))]
        urls = [(link.start, link.end) for link in links]
        # a handle named as one ("Snapchat (miss.h.science)") may look like a bare host: it is a handle
        bare = {(link.start, link.end) for link in links if link.bare and "/" not in link.url}
        found = [*self._phones(text, has, near), *self._emails(post.text), *self._addresses(text, has)]
        if post.account == "school" or matcher.search(self.audience) is not None:
            found.extend(self._handles(text, matcher, post.account == "personal"))
        for hit in found:
            if (hit.details or {}).get("what") == "a personal social-media handle" and (hit.start, hit.end) in bare:
                yield hit
            elif not any(start <= hit.start < end for start, end in urls):  # digits or @ inside a web address
                yield hit

    def _phones(self, text: str, has, near) -> Iterator[Hit]:
        if not _DIGIT_RUN.search(text):
            return  # every phone number has six or more digits in a row (spaces and brackets apart): skip the costly matcher
        import phonenumbers

        for m in phonenumbers.PhoneNumberMatcher(text, self.region, leniency=phonenumbers.Leniency.POSSIBLE):
            number = m.number
            national = str(number.national_number)
            if phonenumbers.is_valid_number(number):
                kind = phonenumbers.PhoneNumberType.to_string(phonenumbers.number_type(number))
            elif (number.country_code == 44 and len(national) == 10 and national[0] in "1237"
                  and m.raw_string.lstrip("(").startswith(("0", "+44"))):
                # Ofcom's drama ranges (07700 900xxx, 01632 960xxx) are not "valid" but are numbers.
                kind = "MOBILE" if national[0] == "7" else "FIXED_LINE"
            else:
                continue
            if kind in _PUBLIC_TYPES or self._e164(m.raw_string) in self.school_phones:
                continue
            hit = dict(match=m.raw_string, start=m.start, end=m.end)
            if (kind not in _PERSONAL_TYPES and (near(self.organisation_cues, m.start) or self._beside_mailbox(text, m.start))
                    and not near(self.personal_cues, m.start)):
                continue  # "ring the school office on ...", "E: office@... T: 01892 ...": the organisation's
            if kind in _PERSONAL_TYPES or has(self.personal_cues, m.start):
                yield Hit(**hit, details={"what": "a personal phone number"})
            elif not has(self.organisation_cues, m.start):
                yield Hit(**hit, severity=Severity.WARNING, details={"what": "a phone number that may be personal"})

    def _beside_mailbox(self, text: str, offset: int) -> bool:
        """A shared mailbox (office@, enquiries@ ...) at an organisation's own domain on the same line: the
        organisation's contact block ("head.teacher@outlook.com" is a person's inbox whatever its name)."""
        start = text.rfind("\n", 0, offset) + 1
        end = text.find("\n", offset)
        return any(self._shared_mailbox(m) and not self._free_mail(m.group(1).lower())
                   for m in _EMAIL.finditer(text, start, len(text) if end < 0 else end))

    def _shared_mailbox(self, m: re.Match) -> bool:
        """office@, enquiries.hb@ ...: the part before @ (up to . - _ or +) names a role, not a person."""
        return re.split(r"[.+_-]", m.group(0).split("@")[0].lower())[0] in self.role_mailboxes

    def _free_mail(self, domain: str) -> bool:
        return any(belongs(domain, d) or domain.startswith(d.rstrip("*")) for d in self.free_mail)

    def _emails(self, text: str) -> Iterator[Hit]:
        for m in _EMAIL.finditer(text):
            address, domain = m.group(0).lower(), m.group(1).lower()
            if address in self.school_emails or (self.own and belongs(domain, self.own)):
                continue
            hit = dict(match=m.group(0), start=m.start(), end=m.end())
            if self._free_mail(domain):
                yield Hit(**hit, details={"what": "a personal e-mail address"})
            elif not self._shared_mailbox(m):
                yield Hit(**hit, severity=Severity.WARNING, details={"what": "an e-mail address that may be personal"})

    def _addresses(self, text: str, has) -> Iterator[Hit]:
        found: list[tuple[int, int]] = []
        for pattern in (self.street, _POSTCODE):
            if pattern is None:
                continue
            for m in pattern.finditer(text):
                if any(s <= m.start() < e for s, e in found):
                    continue
                found.append(m.span())
                hit = dict(match=m.group(0), start=m.start(), end=m.end())
                if has(self.home_cues, m.start()):
                    yield Hit(**hit, details={"what": "a home address"})
                elif not has(self.organisation_cues, m.start()):
                    yield Hit(**hit, severity=Severity.WARNING, details={"what": "an address that may be a home"})

    def _candidates(self, text: str) -> Iterator[tuple[int, int]]:
        """Spans of handles, with "@" or named as one ("his username is imranh_teach")."""
        seen = set()
        for m in _HANDLE.finditer(text):
            seen.add(m.start())
            yield m.span()
        for m in self.named_handle.finditer(text):
            start, handle = m.start("handle"), m.group("handle")
            if start in seen or text[m.end("handle"):m.end("handle") + 1] == "@":
                continue  # already found with its "@", or an e-mail address
            if m.group("platform") and not handle.startswith("@") and not _HANDLE_SHAPE.search(handle):
                continue
            if handle.replace(".", "").isdigit() or handle.lower() in ("is", "the", "a", "an"):
                continue
            yield start, m.end("handle")

    def _loose(self, text: str, matcher: Matcher, personal: bool, seen: set[int]) -> Iterator[tuple[int, int]]:
        """Bare handle-shaped words just after an invitation that names a platform, even across an
        emoji ("add me on snap 👉 mr.b.science"): not web addresses, abbreviations or numbers."""
        if not self.platforms:
            return
        tokens = matcher.tokens
        for m in _LOOSE_HANDLE.finditer(text):
            word = m.group(0)
            pieces = re.split(r"[._]+", word.lower())
            if m.start() in seen or len(word) < 5 or all(p.isdigit() for p in pieces):
                continue
            if "." in word and (pieces[-1] in self.not_handle_suffixes or all(len(p) <= 2 for p in pieces)
                                or pieces[0].isdigit()):
                continue  # "linkschool.org.uk", "e.g", "10.30am", "2.5kg"
            here = next((i for i, t in enumerate(tokens) if t.end > m.start()), len(tokens))
            window = (max(0, here - self.loose_window), here)
            if matcher.search(self.platforms, *window) is None:
                continue
            if matcher.search(self.owner_cues, *window) is not None or (
                    personal and matcher.search(self.personal_owner_cues, *window) is not None):
                yield m.span()

    def _handles(self, text: str, matcher: Matcher, personal: bool) -> Iterator[Hit]:
        tokens = matcher.tokens
        spans = list(self._candidates(text))
        seen = {start for start, _ in spans}
        for start, end in self._loose(text, matcher, personal, seen):
            yield Hit(match=text[start:end], start=start, end=end, details={"what": "a personal social-media handle"})
        for start, end in spans:
            first, _ = sentence_at(tokens, start)
            here = next((i for i, t in enumerate(tokens) if t.end > start), len(tokens))
            window = (max(first, here - 8), here)
            if matcher.search(self.owner_cues, *window) is not None or (
                    personal and matcher.search(self.personal_owner_cues, *window) is not None):
                yield Hit(match=text[start:end], start=start, end=end,
                          details={"what": "a personal social-media handle"})
