"""Accent- and case-folding that keeps a map back to the original offsets."""
from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

# Letters NFKD does not decompose into a base letter plus a mark.
_SPECIAL = {"ı": "i", "ł": "l", "ø": "o", "đ": "d", "ð": "d", "þ": "th", "æ": "ae", "œ": "oe",
            "ß": "ss", "ŀ": "l", "ħ": "h"}
APOSTROPHES = "'’‘`´ʼ"
URL_PATTERN = _URL = re.compile(
    r"(?:https?://|ftp://|www\.)\S+"
    r"|[\w.+-]+@[\w-]+(?:\.[\w-]+)+"  # e-mail addresses (handles have no local part)
    r"|\b[\w-]+(?:\.[\w-]+)*\.(?:com|org|net|edu|gov|ac|sch|co|uk|ie|io|info|biz|me|ly|app|example)"
    r"(?:\.[a-z]{2,3})?\b(?:/\S*)?",
    re.I,
)


@lru_cache(maxsize=4096)
def fold_char(ch: str) -> str:
    low = ch.lower()
    if low in _SPECIAL:
        return _SPECIAL[low]
    if low in APOSTROPHES:
        return "'"
    if ch.isascii():
        return low
    decomposed = unicodedata.normalize("NFKD", low)
    return "".join(c for c in decomposed if not unicodedata.combining(c)) or low


def fold(text: str) -> str:
    """Lower case without accents: Zoë -> zoe, Yıldız -> yildiz, Zając -> zajac."""
    if text.isascii():  # the common case, ten times quicker: only the backtick is an apostrophe to map
        return text.lower().replace("`", "'")
    return "".join(fold_char(ch) for ch in text)


def fold_with_map(text: str) -> tuple[str, list[int]]:
    """The folded text and, for each folded character, the offset it came from in ``text``."""
    out: list[str] = []
    where: list[int] = []
    for index, ch in enumerate(text):
        folded = fold_char(ch)
        out.append(folded)
        where.extend([index] * len(folded))
    where.append(len(text))
    return "".join(out), where


def letters(text: str) -> str:
    """Folded letters only: O'Connor -> oconnor, Dawson-Hughes -> dawsonhughes."""
    return "".join(ch for ch in fold(text) if ch.isalpha())


def mask_addresses(text: str) -> str:
    """Blank URLs, bare domains and e-mail addresses (same length) so names inside them are left alone."""
    return _URL.sub(lambda m: " " * len(m.group(0)), text)
