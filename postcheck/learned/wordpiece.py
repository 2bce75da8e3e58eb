"""Uncased BERT WordPiece tokenisation in pure Python (basic tokenisation, then greedy longest match)."""

from __future__ import annotations

import re
import unicodedata

_MAX_WORD_CHARS = 100
_CACHE_LIMIT = 200_000


def _is_control(ch: str) -> bool:
    if ch in "\t\n\r":
        return False
    return unicodedata.category(ch) in ("Cc", "Cf")


def _is_whitespace(ch: str) -> bool:
    return ch in " \t\n\r" or unicodedata.category(ch) == "Zs"


def _is_punctuation(ch: str) -> bool:
    cp = ord(ch)
    if 33 <= cp <= 47 or 58 <= cp <= 64 or 91 <= cp <= 96 or 123 <= cp <= 126:
        return True
    return unicodedata.category(ch).startswith("P")


def _is_cjk(cp: int) -> bool:
    return (
        0x4E00 <= cp <= 0x9FFF
        or 0x3400 <= cp <= 0x4DBF
        or 0x20000 <= cp <= 0x2A6DF
        or 0x2A700 <= cp <= 0x2B73F
        or 0x2B740 <= cp <= 0x2B81F
        or 0x2B820 <= cp <= 0x2CEAF
        or 0xF900 <= cp <= 0xFAFF
        or 0x2F800 <= cp <= 0x2FA1F
    )


# Control characters (Unicode Cc) other than tab, newline and carriage return: BERT drops them, while str.split()
# would split on some of them (\x0b, \x0c, \x1c-\x1f, \x85).
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
# In a lower-cased ASCII word every printable character that is not a letter or digit is BERT punctuation.
_ASCII_PIECES = re.compile(r"[a-z0-9]+|[^a-z0-9]")


def basic_tokens(text: str) -> list[str]:
    """BERT's BasicTokenizer, uncased: clean, lower-case, strip accents, split on whitespace and punctuation.

    Fast path per whitespace-separated word when it is ASCII; the character-by-character path otherwise. Gives the
    reference tokenizer's output (checked on every corpus text).
    """
    if "\u2028" in text or "\u2029" in text:  # separators str.split() splits on but BERT keeps inside words
        return _basic_tokens_slow(text)
    out: list[str] = []
    for word in _CONTROL.sub("", text).split():
        if word.isascii():
            out.extend(_ASCII_PIECES.findall(word.lower()))
        else:
            out.extend(_basic_tokens_slow(word))
    return out


def _basic_tokens_slow(text: str) -> list[str]:
    chars: list[str] = []
    for ch in text:
        cp = ord(ch)
        if cp == 0 or cp == 0xFFFD or _is_control(ch):
            continue
        if _is_whitespace(ch):
            chars.append(" ")
        elif _is_cjk(cp):
            chars.extend((" ", ch, " "))
        else:
            chars.append(ch)
    out: list[str] = []
    for word in "".join(chars).split():
        word = unicodedata.normalize("NFD", word.lower())
        word = "".join(c for c in word if unicodedata.category(c) != "Mn")
        current: list[str] = []
        for ch in word:
            if _is_punctuation(ch):
                if current:
                    out.append("".join(current))
                    current = []
                out.append(ch)
            else:
                current.append(ch)
        if current:
            out.append("".join(current))
    return out


class WordPiece:
    """Maps text to vocabulary ids; [UNK] words are dropped (they carry no vector)."""

    def __init__(self, vocab: list[str], unk: str = "[UNK]") -> None:
        self.index = {token: i for i, token in enumerate(vocab)}
        self.unk_id = self.index[unk]
        self._cache: dict[str, tuple[int, ...]] = {}

    def word_ids(self, word: str) -> tuple[int, ...]:
        cached = self._cache.get(word)
        if cached is not None:
            return cached
        ids = self._greedy(word)
        if len(self._cache) < _CACHE_LIMIT:
            self._cache[word] = ids
        return ids

    def _greedy(self, word: str) -> tuple[int, ...]:
        if len(word) > _MAX_WORD_CHARS:
            return (self.unk_id,)
        index = self.index
        ids: list[int] = []
        start = 0
        while start < len(word):
            end = len(word)
            found = -1
            while start < end:
                piece = word[start:end] if start == 0 else "##" + word[start:end]
                found = index.get(piece, -1)
                if found >= 0:
                    break
                end -= 1
            if found < 0:
                return (self.unk_id,)
            ids.append(found)
            start = end
        return tuple(ids)

    def ids(self, text: str) -> list[int]:
        out: list[int] = []
        for word in basic_tokens(text):
            out.extend(self.word_ids(word))
        return out
