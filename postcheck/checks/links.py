"""Unsafe links: shorteners, plain http, raw IPs, lookalike and punycode hosts, tricks and downloads."""
from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Iterable, Iterator
from urllib.parse import urlsplit

from postcheck.model import Hit, Severity

# RFC 2606 / 6761 reserved names: not on the public suffix list, but they behave like TLDs in drafts.
_RESERVED_SUFFIXES = ("example", "test", "invalid", "localhost")
# Where a URL ends in running text: trailing punctuation belongs to the sentence, not the link.
_TRAILING = ".,;:!?'\"’”)]}>*_"
_SCHEME_URL = re.compile(r"(?i)\b(?:https?|ftp|ftps|file)://(?:[^\s/@]*@)?(?:\[[0-9a-f:.]+\])?[^\s<>\"'`\[\]{}|\\^]*|\b(?:javascript|vbscript|data):[^\s<>\"']+")
_WWW_URL = re.compile(r"(?i)(?<![\w@./-])www\.[^\s<>\"'`\[\]{}|\\^]+")
# A bare host such as cutt.ly/abc or linkschooI.org.uk: labels of letters, digits and hyphens.
# A domain in link text, public suffixes included (``nhs.uk`` is a suffix with no registered name).
_CLAIMED_HOST = re.compile(r"(?i)(?<![\w@.:/-])(?P<scheme>(?:https?|ftps?)://)?(?P<host>(?:[^\W_](?:[\w-]*[^\W_])?\.)+"
                           r"(?:[^\W\d_]{2,}|xn--[a-z0-9-]+))(?![\w@-])")
_BARE_HOST = re.compile(r"(?<![\w@./:-])((?:[^\W_](?:[\w-]*[^\W_])?\.)+[^\W\d_]{2,}|(?:[^\W_](?:[\w-]*[^\W_])?\.)+xn--[a-z0-9-]+)(/[^\s<>\"'`]*)?")


@lru_cache(maxsize=1)
def extractor() -> Any:
    """tldextract with its bundled suffix list only: no cache directory, no HTTP, ever."""
    import tldextract

    return tldextract.TLDExtract(suffix_list_urls=(), cache_dir=None, fallback_to_snapshot=True,
                                 extra_suffixes=_RESERVED_SUFFIXES)


def site_of(host: str) -> str:
    """The registered domain (``bbc.co.uk`` for ``www.bbc.co.uk``), or the host when there is none."""
    host = host.lower().rstrip(".")
    if host.startswith("www."):
        host = host[4:]
    parts = extractor()(host)
    if parts.domain and parts.suffix:
        return f"{parts.domain}.{parts.suffix}"
    return host


def belongs(host: str, domain: str) -> bool:
    """Whether ``host`` is ``domain`` or one of its subdomains."""
    host, domain = host.lower().rstrip("."), domain.lower().strip(".")
    return bool(domain) and (host == domain or host.endswith("." + domain))


def host_of(value: str) -> str:
    """The host part of a URL or bare host written in a config file (``https://www.x.org/`` -> ``www.x.org``)."""
    value = value.strip()
    if "//" not in value:
        value = "//" + value
    return (urlsplit(value).hostname or "").lower()


@dataclass(frozen=True, slots=True)
class Link:
    """A link found in a post: its target as written, where it is, and the text shown for it."""

    url: str
    start: int
    end: int
    shown: str | None = None  # Markdown link text, when the URL is a link destination
    bare: bool = False  # written without a scheme


def _trim(url: str) -> str:
    while url and url[-1] in _TRAILING:
        if url[-1] == ")" and url.count("(") >= url.count(")"):
            break
        url = url[:-1]
    return url


def _is_bare_host(host: str, path: str | None, extensions: set[str]) -> bool:
    suffix = host.rsplit(".", 1)[-1]
    if suffix != suffix.lower() or suffix.lower() in extensions:
        return False  # "Today.It" is a typo for a missing space; "photo.zip" is a file name
    parts = extractor()(host.lower())
    return bool(parts.suffix and parts.domain)


def find_links(text: str, extensions: Iterable[str] = ()) -> list[Link]:
    """Every URL in ``text``: Markdown link targets (with their text), full URLs and bare hosts."""
    skip = {e.lower().lstrip(".") for e in extensions}
    found: dict[int, Link] = {}
    taken: list[tuple[int, int]] = []

    def add(link: Link) -> None:
        if any(s <= link.start < e for s, e in taken):
            return
        found[link.start] = link
        taken.append((link.start, link.end))

    for start, href, shown in _markdown_links(text):
        add(Link(href, start, start + len(href), shown=shown, bare="//" not in href and ":" not in href))
    for pattern in (_SCHEME_URL, _WWW_URL):
        for m in pattern.finditer(text):
            url = _trim(m.group(0))
            add(Link(url, m.start(), m.start() + len(url), bare=pattern is _WWW_URL))
    for m in _BARE_HOST.finditer(text):
        if _is_bare_host(m.group(1), m.group(2), skip):
            url = _trim(m.group(0))
            add(Link(url, m.start(), m.start() + len(url), bare=True))
    return [found[k] for k in sorted(found)]


@lru_cache(maxsize=None)
def _markdown() -> Any:
    from markdown_it import MarkdownIt

    md = MarkdownIt("commonmark")
    md.normalizeLink = lambda url: url  # keep the destination as written so it can be located
    md.validateLink = lambda url: True  # javascript: and data: links are exactly what we want to see
    return md


def _markdown_links(text: str) -> Iterator[tuple[int, str, str]]:
    """(offset of the destination, destination as written, link text) for each Markdown link."""
    if "[" not in text and "<" not in text:
        return  # every CommonMark link ([text](url), [text][ref], <url>) needs one of these
    cursor = 0
    for token in _markdown().parse(text):
        children = token.children or []
        for index, child in enumerate(children):
            if child.type != "link_open":
                continue
            href = str(child.attrs.get("href") or "")
            shown = []
            for inner in children[index + 1:]:
                if inner.type == "link_close":
                    break
                shown.append(inner.content)
            at = text.find(href, cursor) if href else -1
            if at < 0:
                at = text.find(href)
            if at >= 0 and href:
                cursor = at + len(href)
                yield at, href, "".join(shown)


@dataclass(frozen=True, slots=True)
class Problem:
    """Why a link is unsafe."""

    reason: str
    severity: Severity | None = None


class UnsafeLinks:
    """Links a school must not publish (policy 6.3(g)), judged offline."""

    needs_doc = False

    def __init__(self, rule, config) -> None:
        options = rule.options
        section = config.section("links")
        # the shipped, maintained list (postcheck/data/url-shorteners.txt) plus the rule's own extras,
        # less the exceptions (an institution's own domain that the list counts as a shortener)
        exceptions = {d.lower() for d in options.get("shortener_exceptions", [])}
        self.shorteners = frozenset(
            d for d in (*shipped_shorteners(), *(d.lower() for d in options.get("shorteners", []))) if d not in exceptions)
        self.extensions = {e.lower().lstrip(".") for e in options.get("download_extensions", [])}
        self.archives = {e.lower().lstrip(".") for e in options.get("archive_extensions", [])}
        self.file_extensions = {e.lower().lstrip(".") for e in options.get("file_extensions", [])}
        self.deny = [host_of(d) for d in [*options.get("deny", []), *section.get("deny", [])] if host_of(d)]
        self.allow = [host_of(d) for d in [*options.get("allow", []), *section.get("allow", [])] if host_of(d)]
        self.own: str | None = host_of(config.website).removeprefix("www.") if config.website else None
        self.trusted = [d for d in [self.own, *self.allow] if d]
        self.protected = [d.lower() for d in options.get("protected_domains", [])]
        self.lookalikes = dict(options.get("lookalike_characters", {}))
        self.safe_schemes = {s.lower() for s in options.get("safe_schemes", ["https", "mailto", "tel"])}

    def run(self, post, ctx) -> Iterable[Hit]:
        if self.own is None:
            ctx.notice("website not configured: links are not checked for lookalikes of the school's own domain")
        for link in find_links(post.text, self.file_extensions):
            problems = self.judge(link)
            if not problems:
                continue
            worst = Severity.ERROR if any(p.severity is None for p in problems) else Severity.WARNING
            reasons = "; ".join(p.reason for p in problems)
            yield Hit(match=link.url, start=link.start, end=link.end, severity=worst,
                      details={"reason": reasons})

    # --- judging one link -------------------------------------------------------------------
    def judge(self, link: Link) -> list[Problem]:
        url = link.url if not link.bare else "https://" + link.url
        try:
            parts = urlsplit(url)
            host = parts.hostname or ""
            parts.port  # noqa: B018 - raises on a malformed port
        except ValueError:
            return [Problem("malformed address")]
        scheme = parts.scheme.lower()
        if not scheme or (not host and scheme in ("http", "https")):
            # A relative link opens the school's own site, whatever domain its text names.
            return self._shown_elsewhere(link, self.own, True) if self.own else []
        if scheme not in ("http", "https", "ftp", "ftps"):
            return [] if scheme in self.safe_schemes else [Problem(f"{scheme}: link")]
        raw_host = parts.netloc.rpartition("@")[2]
        raw_host = raw_host[1:raw_host.index("]")] if raw_host.startswith("[") and "]" in raw_host else raw_host.split(":")[0]
        # Trust vouches for WHO runs a host, so it only silences the identity checks (deny list,
        # shortener, raw IP, lookalike). How the link travels (http), what it hides (user@host),
        # what it delivers (programs) and what its text claims are judged on every host.
        trusted = self._trusted(host)
        problems: list[Problem] = []
        if "@" in parts.netloc:
            shown = parts.netloc.rpartition("@")[0]
            problems.append(Problem(f"the part before '@' ({shown}) hides the real host {host}"))
        if not trusted and any(belongs(host, d) for d in self.deny):
            problems.append(Problem(f"{site_of(host)} is on the deny list"))
        if scheme != "https" and scheme != "ftps":
            problems.append(Problem(f"not encrypted ({scheme}://)"))
        if _ip_host(host):
            if not trusted:
                problems.append(Problem("raw IP address instead of a domain name"))
        elif not trusted:
            if _listed(host, self.shorteners):
                problems.append(Problem("link shortener hides the destination"))
            problems.extend(self._lookalike(raw_host, host))
        problems.extend(self._download(parts.path, trusted))
        problems.extend(self._shown_elsewhere(link, host, trusted))
        return problems

    def _trusted(self, host: str) -> bool:
        """On the school's site or allow list, unless a more specific deny entry covers it."""
        trust = max((len(d) for d in self.trusted if belongs(host, d)), default=-1)
        deny = max((len(d) for d in self.deny if belongs(host, d)), default=-1)
        return trust > deny

    def _lookalike(self, raw_host: str, host: str) -> list[Problem]:
        problems: list[Problem] = []
        labels = host.split(".")
        if any(label.startswith("xn--") for label in labels):
            problems.append(Problem(f"punycode host (reads as {_decode_idna(host)})"))
            unicode_host = _decode_idna(host)
        else:
            unicode_host = raw_host
        if not unicode_host.isascii():
            from confusable_homoglyphs import confusables

            risky = [label for label in unicode_host.split(".") if not label.isascii() and (
                confusables.is_mixed_script(label) or confusables.is_dangerous(label))]
            if risky:
                problems.append(Problem(f"mixed scripts or lookalike letters in {'.'.join(risky)}"))
            elif not any(label.startswith("xn--") for label in labels):
                problems.append(Problem("internationalised domain name: check it is genuine", Severity.WARNING))
        site = site_of(host)
        # a capital I among lower-case letters reads as l: "sunderIand.gov.uk" is sunderiand.gov.uk
        tricked = [label for label in raw_host.split(".") if "I" in label and re.search(r"[a-z]", label)
                   and not re.search(r"[A-HJ-Z]", label)]
        if tricked:
            problems.append(Problem(f"a capital I in {'.'.join(tricked)} reads as l; the real host is {host}"))
        # every trusted domain is compared too: the school's site, the allow list (a council), the protected list
        for domain in dict.fromkeys(d for d in [self.own, *self.allow, *self.protected] if d):
            if belongs(host, domain):
                continue
            folded, wanted = self._skeleton(unicode_host.removeprefix("www.")), self._skeleton(domain)
            if folded == wanted or folded.endswith("." + wanted):
                problems.append(Problem(f"looks like {domain} but is {site}"))
            elif re.search(r"(?:^|\.)" + re.escape(domain) + r"(?:[.-]|$)", host):
                problems.append(Problem(f"{domain} is only part of the name; the real domain is {site}"))
            elif domain == self.own and _near(site, domain):
                problems.append(Problem(f"looks like {domain} but is {site}"))
        if self.own:
            label = self.own.split(".")[0]
            if len(label) >= 6 and label in host and not belongs(host, self.own) and not problems:
                problems.append(Problem(f"uses the school's name inside another domain ({site})"))
        inner = _domain_inside(host)
        if inner and not problems:
            problems.append(Problem(f"{inner} is only part of the name; the real domain is {site}"))
        return problems

    def _skeleton(self, host: str) -> str:
        """A host with lookalike characters folded (I->l, 0->o, Cyrillic a->a), for comparison."""
        out = host
        for source, target in self.lookalikes.items():
            out = out.replace(str(source), str(target))
        out = out.lower()
        if not out.isascii():
            out = "".join(_latin_lookalike(ch) for ch in out)
        for source, target in self.lookalikes.items():
            out = out.replace(str(source).lower(), str(target))
        return out

    def _download(self, path: str, trusted: bool) -> list[Problem]:
        last = path.rstrip("/").rsplit("/", 1)[-1].lower()
        extension = last.rsplit(".", 1)[1] if "." in last else ""
        if extension in self.extensions:  # a program runs whoever hosts it: the school's site can be hacked too
            where = " (a program, even on a trusted site)" if trusted else ""
            return [Problem(f"direct download of a .{extension} file{where}")]
        if extension in self.archives:  # an archive can carry anything, and a trusted site can be hacked too
            where = " (an archive, even on a trusted site)" if trusted else ""
            return [Problem(f"direct download of a .{extension} file{where}")]
        return []

    def _shown_elsewhere(self, link: Link, host: str, trusted: bool) -> list[Problem]:
        """Link text that reads as a domain must name the site the link really opens."""
        if not link.shown:
            return []
        claims = claimed_hosts(link.shown, self.file_extensions)
        if not claims or any(_same_site(claim, host) for claim in claims):
            return []
        # Text naming another site over a link to a trusted one is a slip to review, not a trap.
        return [Problem(f"the link text shows {claims[0]} but the link goes to {host}",
                        Severity.WARNING if trusted else None)]


@lru_cache(maxsize=1)
def shipped_shorteners() -> tuple[str, ...]:
    """The URL shortener domains shipped in postcheck/data/url-shorteners.txt (see postcheck/data/README.md)."""
    from importlib import resources

    text = (resources.files("postcheck") / "data" / "url-shorteners.txt").read_text(encoding="utf-8")
    return tuple(line.strip().lower() for line in text.splitlines() if line.strip() and not line.startswith("#"))


def _listed(host: str, domains: frozenset[str]) -> bool:
    """The host or a domain it belongs to is in ``domains`` (one set look-up per label)."""
    labels = host.lower().rstrip(".").split(".")
    return any(".".join(labels[i:]) in domains for i in range(len(labels)))


def claimed_hosts(text: str, file_extensions: Iterable[str] = ()) -> list[str]:
    """Hosts a link text presents as its destination: ``nhs.uk``, ``gov.uk/x``, ``www.x``, ``https://x``."""
    files = {e.lower().lstrip(".") for e in file_extensions}
    hosts = []
    for m in _CLAIMED_HOST.finditer(text):
        written, explicit = m.group("host"), bool(m.group("scheme")) or m.group("host").lower().startswith("www.")
        tld = written.rsplit(".", 1)[-1]
        if not (tld.islower() or written.isupper() or tld.startswith("xn--")):
            continue  # "Today.It" is a missing space; "GOV.UK" and "bbc.co.uk" are names
        if not explicit and tld.lower() in files:
            continue  # "photos.zip" is a file name
        host = written.lower()
        if not host.isascii():
            try:
                host = host.encode("idna").decode("ascii")
            except UnicodeError:
                continue
        if extractor()(host).suffix:
            hosts.append(host)
    return hosts


def _same_site(claimed: str, target: str) -> bool:
    """Same registered domain, or one inside the other's (``nhs.uk`` text for ``digital.nhs.uk``)."""
    a, b = site_of(claimed), site_of(target)
    return a == b or belongs(target, a) or belongs(claimed.removeprefix("www."), b)


def _near(a: str, b: str) -> bool:
    """One edit apart (a typo-squat of a long domain)."""
    if a == b or abs(len(a) - len(b)) > 1 or len(b) < 8:
        return False
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        return len(diffs) == 1 or (len(diffs) == 2 and diffs[1] == diffs[0] + 1
                                   and a[diffs[0]] == b[diffs[1]] and a[diffs[1]] == b[diffs[0]])
    short, long_ = (a, b) if len(a) < len(b) else (b, a)
    return any(long_[:i] + long_[i + 1:] == short for i in range(len(long_)))


# Suffixes whose last label is one of these (or a two-letter country code) make a name inside a host read as a
# whole web address: "chat.whatsapp.com.join-class6k.xyz". Newer words that are suffixes too ("blog", "news",
# "school") are left out: "news.blog.example.org" is an ordinary host.
_CLASSIC_SUFFIXES = frozenset({"com", "org", "net", "edu", "gov"})


def _domain_inside(host: str) -> str:
    """A complete domain written at the start of another host's name ("sallygrindley.co.uk" in
    "www.sallygrindley.co.uk.orders-secure.info"), or ""."""
    parts = extractor()(host)
    if not parts.subdomain:
        return ""
    inner = extractor()(parts.subdomain)
    last = inner.suffix.rsplit(".", 1)[-1]
    if not inner.domain or inner.domain == "www" or not (last in _CLASSIC_SUFFIXES or len(last) == 2):
        return ""
    return f"{inner.domain}.{inner.suffix}"


def _ip_host(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return bool(re.fullmatch(r"(?:0x[0-9a-f]+|\d+)(?:\.(?:0x[0-9a-f]+|\d+)){0,3}", host))


def _decode_idna(host: str) -> str:
    import idna

    try:
        return idna.decode(host)
    except (idna.IDNAError, UnicodeError):
        try:
            return host.encode("ascii").decode("idna")
        except UnicodeError:
            return host


@lru_cache(maxsize=4096)
def _latin_lookalike(ch: str) -> str:
    if ch.isascii():
        return ch
    from confusable_homoglyphs import confusables

    found = confusables.is_confusable(ch, preferred_aliases=["latin"], greedy=True)
    if found:
        for homoglyph in found[0]["homoglyphs"]:
            if homoglyph["c"].isascii():
                return homoglyph["c"].lower()
    return ch
