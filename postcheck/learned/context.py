"""The learned layer's second reader: a fine-tuned MiniLM that reads each unit in order (scripts/train_context.py).

The static model (model.py) reads a bag of token vectors: fast, but blind to word order, so sarcasm,
insinuation and euphemism pass it by. This reader sees the whole unit; it costs about a hundred times
more per unit, so it reads only the units the static model already scores high enough for the mean of
the two to reach a threshold (postcheck.checks.learned.gate), and judges only where context.json says
(disparagement on the school's own account). Runs on ONNX Runtime (int8 weights, one thread); loaded on
first use, so a post the static model finds nothing in never loads it.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np

CONTEXT_FILE = "context.onnx"
CONTEXT_META = "context.json"
MAX_PIECES = 64  # [CLS] + 62 word pieces + [SEP]


def unit_input(tokenizer: Any, text: str, account: str, platform: str) -> list[int]:
    """The word-piece ids the reader sees for one unit: "[account platform] text", cut to MAX_PIECES."""
    ids = tokenizer.ids(f"[{account} {platform or 'post'}] {text}")[: MAX_PIECES - 2]
    return [tokenizer.index["[CLS]"], *ids, tokenizer.index["[SEP]"]]


class ContextReader:
    """Scores units per category with the ONNX model in `data` (bytes of context.onnx)."""

    def __init__(self, data: bytes, categories: Sequence[str]) -> None:
        import onnxruntime

        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        options.inter_op_num_threads = 1
        options.log_severity_level = 3
        self.session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        self.categories = tuple(categories)

    def score(self, texts: Sequence[str], account: str, platform: str, tokenizer: Any) -> np.ndarray:
        """Probabilities, shape (len(texts), len(categories)).

        One unit at a time: the int8 model scales each input by its own range, so a unit read beside others
        (padded to their length) would score a little differently, and a unit's score must not depend on which
        other units happened to be read with it."""
        out = np.zeros((len(texts), len(self.categories)), dtype=np.float32)
        for row, text in enumerate(texts):
            ids = np.asarray([unit_input(tokenizer, text, account, platform)], dtype=np.int64)
            out[row] = self.session.run(["scores"], {"ids": ids, "mask": np.ones(ids.shape, dtype=np.float32)})[0][0]
        return out
