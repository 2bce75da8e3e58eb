"""Learned text layer: a small model that judges each sentence of a post per policy category.

Imports numpy only. `split_units` cuts a post into units; `load_model()` returns the shipped model.
"""

from __future__ import annotations

from functools import lru_cache

from postcheck.learned.model import DATA_DIR, Embedder, LearnedModel, LearnedModelError, load_embedder, load_from
from postcheck.learned.units import split_units

__all__ = ["LearnedModel", "LearnedModelError", "load_model", "split_units", "token_vectors"]


@lru_cache(maxsize=1)
def load_model() -> LearnedModel:
    """The model shipped in postcheck/data/learned, loaded once; LearnedModelError if missing or corrupt."""
    return load_from(DATA_DIR)


@lru_cache(maxsize=1)
def token_vectors() -> Embedder:
    """The shipped static token vectors alone, loaded once (the name model reads a name's context with them)."""
    return load_embedder(DATA_DIR)
