"""The learned text model: MiniLM-distilled static token vectors mean-pooled per unit, plus token weights."""

from __future__ import annotations

import hashlib
import json
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from postcheck.learned import artefact
from postcheck.learned.wordpiece import WordPiece

DATA_DIR = Path(__file__).resolve().parent.parent / "data" / "learned"
VECTORS_FILE = "vectors.bin"
HEADS_FILE = "heads.bin"


_SYMBOL_SALT = 2654435761


def _symbols(text: str) -> set[str]:
    """Emoji and other pictographic symbols in `text` (Unicode category So above U+2000)."""
    return {ch for ch in text if ord(ch) > 0x2000 and unicodedata.category(ch) == "So"}


class LearnedModelError(RuntimeError):
    """The learned model's files are missing or damaged (the message is one line)."""


def context_features(account: str, platform: str) -> np.ndarray:
    """The post's context as numbers: personal account, LinkedIn, and both."""
    personal = 1.0 if account == "personal" else 0.0
    linkedin = 1.0 if platform == "linkedin" else 0.0
    return np.array([personal, linkedin, personal * linkedin], dtype=np.float32)


def neighbours(unit_vectors: np.ndarray) -> np.ndarray:
    """For each unit, the normalised sum of the vectors of the units just before and after it in the post."""
    pad = np.zeros((1, unit_vectors.shape[1]), dtype=np.float32)
    padded = np.vstack([pad, unit_vectors, pad])
    around = padded[:-2] + padded[2:]
    norm = np.linalg.norm(around, axis=1, keepdims=True)
    return around / np.where(norm > 0, norm, 1.0)


def design_matrix(unit_vectors: np.ndarray, account: str, platform: str) -> np.ndarray:
    """Dense head inputs for the units of one post, in order: the unit vector, the same again when the account is
    personal, its neighbours' vector, and the context flags. Shared by training and scoring."""
    ctx = context_features(account, platform)
    n = unit_vectors.shape[0]
    return np.hstack(
        [unit_vectors, unit_vectors * ctx[0], neighbours(unit_vectors), np.broadcast_to(ctx, (n, ctx.size))]
    ).astype(np.float32)


def design_width(dims: int) -> int:
    return 3 * dims + context_features("school", "x").size


@dataclass(frozen=True)
class UnitFeatures:
    """What the heads see of a batch of units: dense vectors plus which vocabulary tokens occur in each."""

    dense: np.ndarray  # float32 (units, dims): mean token vector, L2-normalised
    rows: np.ndarray  # intp: unit index of each (unit, token) pair
    cols: np.ndarray  # intp: token id of each pair
    vals: np.ndarray  # float32: 1 / sqrt(distinct tokens in the unit)


@dataclass(frozen=True, eq=False)
class Embedder:
    """Text -> features: WordPiece ids, the mean of their int8 rows (scaled), and the set of ids."""

    tokenizer: WordPiece
    vectors: np.ndarray  # int8 (vocab, dims)
    scale: np.ndarray  # float32 (vocab,)

    @property
    def dims(self) -> int:
        return int(self.vectors.shape[1])

    @property
    def vocab_size(self) -> int:
        return int(self.vectors.shape[0])

    def features(self, texts: list[str], buckets: int) -> UnitFeatures:
        """Dense vectors, and as sparse columns the unit's distinct token ids (weight 1/sqrt(count)) followed by
        its distinct adjacent token pairs and symbols hashed into `buckets` columns (likewise weighted)."""
        dense = np.zeros((len(texts), self.dims), dtype=np.float32)
        vocab = self.vocab_size
        rows: list[int] = []
        cols: list[int] = []
        vals: list[float] = []
        unk = self.tokenizer.unk_id
        for row, text in enumerate(texts):
            ids = [i for i in self.tokenizer.ids(text) if i != unk]
            symbols = _symbols(text) if buckets else set()
            if not ids and not symbols:
                continue
            if ids:
                index = np.asarray(ids, dtype=np.intp)
                mean = (self.vectors[index].astype(np.float32) * self.scale[index, None]).mean(0)
                norm = float(np.linalg.norm(mean))
                if norm > 0:
                    dense[row] = mean / norm
            if not buckets:
                groups: tuple[list[int], ...] = (sorted(set(ids)),)
            else:
                # Token pairs, and the emoji and other symbols the vocabulary lacks (🙄 😂 🙃 are [UNK] to it),
                # hashed into the same columns.
                pairs = {vocab + (a * vocab + b) % buckets for a, b in zip(ids, ids[1:])}
                pairs.update(vocab + (ord(ch) * _SYMBOL_SALT) % buckets for ch in symbols)
                groups = (sorted(set(ids)), sorted(pairs))
            for distinct in groups:
                if distinct:
                    rows.extend([row] * len(distinct))
                    cols.extend(distinct)
                    vals.extend([1.0 / len(distinct) ** 0.5] * len(distinct))
        return UnitFeatures(
            dense,
            np.asarray(rows, dtype=np.intp),
            np.asarray(cols, dtype=np.intp),
            np.asarray(vals, dtype=np.float32),
        )


@dataclass(frozen=True, eq=False)
class LearnedModel:
    """Scores text units per category; see `score`."""

    version: str
    categories: tuple[str, ...]
    thresholds: dict[str, tuple[float, float]]
    embedder: Embedder
    dense_weight: np.ndarray = field(repr=False)  # (design width, categories)
    token_weight: np.ndarray = field(repr=False)  # (vocab + bigram buckets, categories)
    bias: np.ndarray = field(repr=False)  # (categories,)
    # the second reader (context.py): its ONNX bytes and the categories it judges; loaded on first use
    context_data: bytes | None = field(default=None, repr=False)
    context_categories: tuple[str, ...] = ()  # the reader's outputs, in order
    # where the mean of the two readers judges: these accounts, these categories, from these thresholds
    context_accounts: tuple[str, ...] = ()
    context_thresholds: dict[str, tuple[float, float]] = field(default_factory=dict)
    # where the second reader alone asks for review (on context_accounts only): (static floor, its own score)
    context_alone: dict[str, tuple[float, float]] = field(default_factory=dict)
    # further accounts where the mean of the two readers judges, each with its own thresholds per category
    # (context.json's "account_thresholds": a staff member's own account is judged apart from the school's)
    context_account_thresholds: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    # heads one account reads instead of a category's own (scripts/train.py ACCOUNT_HEADS): for each account, the
    # column of the weights that scores the category there, and that head's own (review, error) thresholds
    account_heads: dict[str, dict[str, int]] = field(default_factory=dict)
    account_thresholds: dict[str, dict[str, tuple[float, float]]] = field(default_factory=dict)
    _reader: list = field(default_factory=list, repr=False)

    def thresholds_for(self, category: str, account: str | None) -> tuple[float, float]:
        """The static reader's (review, error) for `category` on `account`: its account head's where it has one."""
        own = self.account_thresholds.get(account or "", {}).get(category)
        return own if own is not None else self.thresholds.get(category, (0.5, 0.95))

    def context_thresholds_for(self, category: str, account: str | None) -> tuple[float, float] | None:
        """(review, error) of the two readers' mean for `category` on `account`; None where the static reader
        judges alone there."""
        own = self.context_account_thresholds.get(account or "", {}).get(category)
        if own is not None:
            return own
        return self.context_thresholds.get(category) if account in self.context_accounts else None

    def context_score(self, texts: list[str], account: str, platform: str) -> np.ndarray:
        """The second reader's probabilities, shape (len(texts), len(context_categories))."""
        if not self._reader:
            from postcheck.learned.context import ContextReader

            try:
                self._reader.append(ContextReader(self.context_data or b"", self.context_categories))
            except Exception as exc:  # onnxruntime raises its own types for a damaged file
                raise LearnedModelError(f"learned model's second reader would not load: {exc}") from None
        return self._reader[0].score(texts, account, platform, self.embedder.tokenizer)

    def logits(self, texts: list[str], account: str, platform: str) -> np.ndarray:
        feats = self.embedder.features(list(texts), self.token_weight.shape[0] - self.embedder.vocab_size)
        out = design_matrix(feats.dense, account, platform) @ self.dense_weight + self.bias
        if feats.rows.size:
            np.add.at(out, feats.rows, self.token_weight[feats.cols] * feats.vals[:, None])
        return out

    def score(self, texts: list[str], account: str, platform: str) -> np.ndarray:
        """Probabilities, shape (len(texts), len(categories)).

        `texts` are the units of ONE post, in order (split_units): a unit's neighbours inform its score.
        """
        if not texts:
            return np.zeros((0, len(self.categories)), dtype=np.float32)
        z = self.logits(texts, account, platform)
        out = z[:, : len(self.categories)].copy()
        for category, column in self.account_heads.get(account, {}).items():
            out[:, self.categories.index(category)] = z[:, column]
        return (1.0 / (1.0 + np.exp(-np.clip(out, -30.0, 30.0)))).astype(np.float32)


def _read(path: Path) -> tuple[bytes, dict, dict[str, np.ndarray]]:
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LearnedModelError(f"learned model file missing or unreadable: {path} ({exc.strerror})") from None
    try:
        meta, arrays = artefact.read(data)
    except artefact.ArtefactError as exc:
        raise LearnedModelError(f"learned model file is corrupt: {path}: {exc}") from None
    return data, meta, arrays


def load_from(directory: Path) -> LearnedModel:
    """Load the model from `directory` (vectors.bin + heads.bin); LearnedModelError if either is unusable."""
    vec_bytes, _, vec = _read(directory / VECTORS_FILE)
    head_bytes, meta, heads = _read(directory / HEADS_FILE)
    try:
        embedder = _embedder(vec)
        vectors, vocab_size = embedder.vectors, embedder.vocab_size
        categories = tuple(meta["categories"])
        thresholds = {c: (float(meta["thresholds"][c][0]), float(meta["thresholds"][c][1])) for c in categories}
        dense_weight = heads["dense"].astype(np.float32)
        token_weight = heads["tokens"].astype(np.float32)
        bias = heads["bias"].astype(np.float32)
        account_heads, account_thresholds = _account_heads(meta.get("account_heads") or {}, categories)
        k = len(categories) + sum(len(h) for h in account_heads.values())
        if (
            dense_weight.shape != (design_width(vectors.shape[1]), k)
            or token_weight.shape[0] < vocab_size
            or token_weight.shape[1:] != (k,)
            or bias.shape != (k,)
        ):
            raise ValueError("head shapes do not match the vectors and categories")
    except (KeyError, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise LearnedModelError(f"learned model in {directory} is inconsistent: {exc}") from None
    context_data, context_categories, context_accounts, context_thresholds, context_alone, context_more = \
        _context(directory)
    version = hashlib.sha256(hashlib.sha256(vec_bytes).digest() + hashlib.sha256(head_bytes).digest()
                             + hashlib.sha256(context_data or b"").digest()).hexdigest()
    return LearnedModel(
        version=version[:12],
        categories=categories,
        thresholds=thresholds,
        embedder=embedder,
        dense_weight=dense_weight,
        token_weight=token_weight,
        bias=bias,
        context_data=context_data,
        context_categories=context_categories,
        context_accounts=context_accounts,
        context_thresholds=context_thresholds,
        context_alone=context_alone,
        context_account_thresholds=context_more,
        account_heads=account_heads,
        account_thresholds=account_thresholds,
    )


def _account_heads(table: Any, categories: tuple[str, ...]) -> tuple[dict[str, dict[str, int]],
                                                                     dict[str, dict[str, tuple[float, float]]]]:
    """heads.bin's ``account_heads`` ({account: {category: {column, thresholds}}}), checked: the columns follow the
    categories' own, one each, in order; ValueError otherwise."""
    if not isinstance(table, dict):
        raise ValueError("account_heads is not a mapping")
    heads: dict[str, dict[str, int]] = {}
    thresholds: dict[str, dict[str, tuple[float, float]]] = {}
    for account, entries in table.items():
        if not isinstance(entries, dict):
            raise ValueError(f"account_heads for {account!r} is not a mapping")
        for category, entry in entries.items():
            column, pair = entry["column"], entry["thresholds"]
            if category not in categories or column != len(categories) + sum(len(h) for h in heads.values()) or \
                    len(pair) != 2 or not all(isinstance(v, (int, float)) and 0 <= v <= 1 for v in pair):
                raise ValueError(f"account head {account}/{category} is not a known category, its column out of "
                                 "order, or its thresholds not two numbers between 0 and 1")
            heads.setdefault(str(account), {})[category] = column
            thresholds.setdefault(str(account), {})[category] = (float(pair[0]), float(pair[1]))
    return heads, thresholds


def _context(directory: Path) -> tuple[bytes | None, tuple[str, ...], tuple[str, ...], dict[str, tuple[float, float]],
                                      dict[str, tuple[float, float]], dict[str, dict[str, tuple[float, float]]]]:
    """The second reader's ONNX bytes, its output categories, the accounts it judges, for each category it
    judges there the thresholds of the mean of the two readers' scores, where it may ask for review alone
    (context.json's "alone": the static score a sentence needs for it to be read, and the second reader's own
    score), and further accounts it judges with their own thresholds ("account_thresholds"). Nothing when
    context.json is absent (the static model then judges alone); LearnedModelError when it is damaged."""
    from postcheck.learned.context import CONTEXT_FILE, CONTEXT_META

    meta_path = directory / CONTEXT_META
    if not meta_path.is_file():
        return None, (), (), {}, {}, {}
    try:
        meta = json.loads(meta_path.read_text(encoding="utf-8"))
        data = (directory / CONTEXT_FILE).read_bytes()
        if hashlib.sha256(data).hexdigest() != meta["sha256"]:
            raise ValueError(f"{CONTEXT_FILE} does not match {CONTEXT_META} (damaged or from another training)")
        categories = tuple(meta["categories"])
        accounts = tuple(meta["accounts"])
        thresholds = {c: (float(meta["thresholds"][c][0]), float(meta["thresholds"][c][1])) for c in meta["judges"]}
        if not set(thresholds) <= set(categories):
            raise ValueError("it judges a category it has no output for")
        alone = {c: (float(floor), float(at)) for c, (floor, at) in meta.get("alone", {}).items()}
        if not set(alone) <= set(thresholds) or not all(0 <= v <= 1 for pair in alone.values() for v in pair):
            raise ValueError("its 'alone' thresholds are not for a category it judges, or not between 0 and 1")
        more = {str(account): {c: (float(pair[0]), float(pair[1])) for c, pair in table.items()}
                for account, table in meta.get("account_thresholds", {}).items()}
        if not all(set(table) <= set(categories) and all(0 <= v <= 1 for pair in table.values() for v in pair)
                   for table in more.values()):
            raise ValueError("its account thresholds are not for a category it has an output for, or not between 0 and 1")
    except OSError as exc:
        raise LearnedModelError(f"learned model file missing or unreadable: {directory / CONTEXT_FILE} "
                                f"({exc.strerror})") from None
    except (KeyError, ValueError, TypeError, IndexError, AttributeError) as exc:
        raise LearnedModelError(f"learned model in {directory} is inconsistent: {exc}") from None
    return data, categories, accounts, thresholds, alone, more


def _embedder(vec: dict[str, np.ndarray]) -> Embedder:
    """The token vectors of a vectors.bin's arrays (ValueError, KeyError... when they disagree)."""
    vocab = bytes(vec["vocab"]).decode("utf-8").split("\n")
    vectors, scale = vec["vectors"], vec["scale"]
    if vectors.shape[0] != len(vocab) or scale.shape != (len(vocab),):
        raise ValueError("vocabulary and vector table disagree")
    return Embedder(WordPiece(vocab), vectors, scale)


def load_embedder(directory: Path) -> Embedder:
    """The static token vectors alone (vectors.bin), for readers that need no heads (the name model's
    context); LearnedModelError if the file is unusable."""
    _, _, vec = _read(directory / VECTORS_FILE)
    try:
        return _embedder(vec)
    except (KeyError, ValueError, TypeError, UnicodeDecodeError) as exc:
        raise LearnedModelError(f"learned model in {directory} is inconsistent: {exc}") from None
