#!/usr/bin/env python3
"""Train the no-roster name model (postcheck/data/names_model.npz) from labelled posts.

    python scripts/train_names.py [CORPUS] [--spans FILE] [--exclude EXCLUDE.json] [--cv K | --cv 0 --holdout w3,...]

CORPUS (corpus/data by default, or a folder of writers' wN/batch-*.jsonl) holds posts in the training-corpus
format (text, account, platform, categories, evidence). Every first name + surname pair the name check
finds with no roster, and that its rules flag, is a training span: a learner's when it lies inside a
learner-full-name evidence string, otherwise an adult's, a public figure's or not a name (writers name
adults freely). A span inside an evidence string that holds other flagged names too is left out: which
of them is the child is unknown. Posts with a "spans" list (corpus/names/spans.jsonl by default: public
posts whose every person-like span was labelled learner, adult, public, fictional, thing or not-name)
label each span directly.

A span is read as its features (span_features) and the vector of the words around it (the learned text
model's static token vectors). Every span is trained on, and the threshold is the highest at which K-fold
scores of the real posts lose at most --max-lost of the real learner posts the rules alone found (--cv 0:
the --holdout writers are held out to choose it, features only). Needs only numpy (logistic regression
by Newton's method, L2 penalty); seeded, so the same corpus gives the same model.
"""
from __future__ import annotations

import argparse
import io
import json
import pickle
import sys
import tempfile
from collections import Counter
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

from train import ONLY_HEADS  # noqa: E402

from postcheck.checks.names import PersonNames, _finder  # noqa: E402
from postcheck.config import load_config  # noqa: E402
from postcheck.engine import Context  # noqa: E402
from postcheck.names.fold import mask_addresses  # noqa: E402
from postcheck.names.learned import MODEL_FILE, context_text, context_vectors, span_features  # noqa: E402
from postcheck.nlp import NLP  # noqa: E402
from postcheck.posts import post_from_text  # noqa: E402
from postcheck.rulepack import load_pack  # noqa: E402

SPANS_FILE = ROOT / "corpus" / "names" / "spans.jsonl"  # real posts with every person-like span labelled
# writers whose posts were written for other heads and train only those (scripts/train.py's ONLY_HEADS: w15, put-downs)
OTHER_HEADS = tuple(writer for writer, heads in ONLY_HEADS.items() if "learner-full-name" not in heads)


def read_posts(folder: Path, exclude: set[str]) -> list[dict]:
    posts = []
    # the repo's corpus/data/wN.jsonl (one file per writer), or the writers' own wN/batch-*.jsonl folders
    files = sorted(folder.glob("w*.jsonl")) or sorted(folder.glob("w*/batch-*.jsonl"))
    for path in files:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                try:
                    row = json.loads(line)
                except json.JSONDecodeError:
                    print(f"skipped a line that is not JSON in {path}", file=sys.stderr)
                    continue
                row["writer"] = path.stem if path.parent == folder else path.parent.name
                if row["id"] not in exclude and row["writer"] not in OTHER_HEADS:
                    posts.append(row)
    return posts


def spans(rows: list[dict], cache: Path | None) -> list[dict]:
    """One record per flagged candidate: post id, writer, features, label (1, 0, or None: unknown)."""
    with tempfile.TemporaryDirectory() as tmp:
        cfg = Path(tmp) / "postcheck.yaml"
        cfg.write_text("school: The Link School\n", encoding="utf-8")
        config = load_config(cfg)
    check = PersonNames(load_pack().get("learner-full-name"), config)
    nlp = NLP()
    ctx = Context(config, nlp)
    posts = [post_from_text(r["text"], account=r.get("account") or "school") for r in rows]
    for post, row in zip(posts, rows):
        post.platform = row.get("platform")
    docs = _docs(nlp, posts, cache)
    finder = _finder(ctx, check.cues)
    out = []
    for row, post, doc in zip(rows, posts, docs):
        text = mask_addresses(post.prose)
        evidence = [e for e in (row.get("evidence") or {}).get("learner-full-name", [])]
        found = []
        for cand, severity, why in check.judged(post, ctx, text, doc, []):
            found.append((cand, severity, why))
        names = [text[c.start:c.end] for c, _, _ in found]
        for (cand, severity, why), name in zip(found, names):
            bare = name.rstrip("'’s") if name.endswith(("'s", "’s")) else name
            if "spans" in row:
                label = span_label(bare, row["spans"])
            else:
                inside = [e for e in evidence if bare in e]
                # a span outside the evidence of a post that names a learner in full may be another
                # learner the writer did not list ("other outstanding players: ..."): unknown
                label = 1 if inside else (None if evidence else 0)
            out.append({"id": row["id"], "writer": row["writer"], "label": label, "name": name,
                        "severity": severity.value if severity else None, "evidence": why,
                        "direct": check.bound_evidence(text, cand, why) is not None,
                        "features": span_features(check.cues, finder, post, text, doc, cand, why or "dropped by the rules"),
                        "context": context_text(text, cand.start, cand.end),
                        "learner_post": "learner-full-name" in row["categories"]})
    return out


def _plain(text: str) -> str:
    text = " ".join(text.split())
    return text[:-2] if text.endswith(("'s", "’s")) else text


def span_label(name: str, spans: list[dict]) -> int | None:
    """A candidate's label from a post whose person-like spans were each labelled by hand: learner 1,
    anything else (adult, public figure, fictional, thing, not a name) 0. A candidate that is, holds or
    lies inside a labelled span takes its label; one the labeller did not list is 0 when the post names
    no learner in full, else unknown."""
    name = _plain(name)
    labels = {_plain(s["text"]): s["label"] for s in spans}
    hits = [label for text, label in labels.items() if name == text or name in text or (text in name and " " in text)]
    if hits:
        return 1 if "learner" in hits else 0
    return None if "learner" in labels.values() else 0


def read_span_posts(where: Path) -> list[dict]:
    """Posts whose person-like spans were labelled one by one: a .jsonl file, or a folder of
    batch-*.jsonl, each post with a "spans" list."""
    rows = []
    for path in ([where] if where.is_file() else sorted(where.glob("batch-*.jsonl"))):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                row = json.loads(line)
                learners = [s["text"] for s in row["spans"] if s["label"] == "learner"]
                row.update(writer="spans", categories=["learner-full-name"] if learners else [],
                           evidence={"learner-full-name": learners} if learners else {})
                rows.append(row)
    return rows


def _docs(nlp: NLP, posts: list, cache: Path | None) -> list:
    from spacy.tokens import DocBin

    pipeline = nlp.pipeline
    if cache and cache.is_file():
        docs = list(DocBin().from_bytes(cache.read_bytes()).get_docs(pipeline.vocab))
        if len(docs) == len(posts):
            return docs
    docs = list(nlp.pipe([p.prose for p in posts]))
    if cache:
        cache.write_bytes(DocBin(attrs=["ORTH", "LEMMA", "POS", "TAG", "ENT_IOB", "ENT_TYPE"], docs=docs).to_bytes())
    return docs


def fit(X: np.ndarray, y: np.ndarray, l2: float, iterations: int = 25) -> tuple[np.ndarray, float]:
    """L2-penalised logistic regression by Newton's method (bias unpenalised)."""
    n, d = X.shape
    Xb = np.hstack([X, np.ones((n, 1), dtype=X.dtype)])
    w = np.zeros(d + 1)
    penalty = np.full(d + 1, l2)
    penalty[-1] = 0.0
    for _ in range(iterations):
        p = 1.0 / (1.0 + np.exp(-np.clip(Xb @ w, -30, 30)))
        grad = Xb.T @ (p - y) + penalty * w
        hess = (Xb * (p * (1 - p))[:, None]).T @ Xb + np.diag(penalty + 1e-6)
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w[:-1], float(w[-1])


def matrix(records: list[dict], vocab: dict[str, int]) -> np.ndarray:
    X = np.zeros((len(records), len(vocab)), dtype=np.float64)
    for i, r in enumerate(records):
        for f in set(r["features"]):
            j = vocab.get(f)
            if j is not None:
                X[i, j] = 1.0
    return X


def post_figures(records: list[dict], scores: np.ndarray, threshold: float, posts: dict[str, bool]) -> dict:
    """Draft-level recall/precision of learner-full-name: a post counts as flagged when any span stays
    an error or warning (direct evidence always stays)."""
    flagged = set()
    for r, s in zip(records, scores):
        if r["severity"] not in ("error", "warning"):
            continue
        if r["direct"] or s >= threshold:
            flagged.add(r["id"])
    tp = sum(1 for i in flagged if posts[i])
    support = sum(posts.values())
    return {"tp": tp, "fp": len(flagged) - tp, "fn": support - tp, "support": support,
            "recall": round(tp / support, 3) if support else None,
            "precision": round(tp / len(flagged), 3) if flagged else None}


def chosen_threshold(test: list[dict], scores: np.ndarray, posts: dict[str, bool], max_lost: int,
                     top: float, label: str) -> float:
    """The highest threshold below ``top`` that loses at most ``max_lost`` of the learner posts the rules
    alone found among ``posts``; prints the figures before and after it, and at a few fixed thresholds."""
    before = post_figures(test, np.ones(len(test)), 0.0, posts)
    threshold = 0.0
    for t in np.round(np.arange(0.005, top, 0.005), 3):
        if post_figures(test, scores, float(t), posts)["tp"] >= before["tp"] - max_lost:
            threshold = float(t)
    print(f"{label}: {len(posts)} ({sum(posts.values())} with a learner's full name)")
    print(f"before (rules alone):  {before}")
    print(f"after (threshold {threshold}): {post_figures(test, scores, threshold, posts)}")
    for t in (0.05, 0.1, 0.2, 0.3, 0.5):
        print(f"  at {t}: {post_figures(test, scores, t, posts)}")
    return threshold


def is_real(row: dict) -> bool:
    """Public text (a school's, a PTA's, a club's own words), not written for the corpus."""
    return "spans" in row or str(row.get("source", "")).startswith(("real:", "adapted:"))


def _vocab(records: list[dict], min_count: int) -> dict[str, int]:
    counts = Counter(f for r in records for f in set(r["features"]))
    return {f: i for i, f in enumerate(sorted(f for f, c in counts.items() if c >= min_count))}


def with_context(records: list[dict], X: np.ndarray, scale: float) -> np.ndarray:
    """The feature matrix with each span's context vector (times ``scale``) as extra columns."""
    if not scale:
        return X
    return np.hstack([X, scale * np.array([r["vector"] for r in records], dtype=np.float64)])


def _trained(records: list[dict], args: argparse.Namespace, real: set[str]) -> tuple[dict[str, int], np.ndarray, float]:
    """Weights for these spans (features, then the context vector's); real posts' spans count --real-weight times."""
    vocab = _vocab(records, args.min_count)
    X = with_context(records, matrix(records, vocab), args.dense_scale)
    y = np.array([r["label"] for r in records], dtype=float)
    repeat = np.array([args.real_weight if r["id"] in real else 1 for r in records])
    keep = np.repeat(np.arange(len(records)), repeat)
    w, b = fit(X[keep], y[keep], args.l2)
    return vocab, w, b


def cross_validated(args: argparse.Namespace, rows: list[dict], records: list[dict],
                    learner_post: dict[str, bool]) -> int:
    """Train on every labelled span; the threshold is the highest at which K-fold scores of real posts
    lose at most --max-lost of the real learner posts the rules alone found."""
    real = {r["id"] for r in rows if is_real(r)}
    usable = [r for r in records if r["label"] is not None and (args.all_spans or r["severity"] is not None)]
    ids = sorted({r["id"] for r in rows})
    fold = dict(zip(ids, np.random.default_rng(0).integers(args.cv, size=len(ids)).tolist()))
    test = [r for r in records if r["id"] in real]
    scores = np.zeros(len(test))
    for k in range(args.cv):
        vocab, w, b = _trained([r for r in usable if fold[r["id"]] != k], args, real)
        mine = [i for i, r in enumerate(test) if fold[r["id"]] == k]
        if mine:
            part = [test[i] for i in mine]
            scores[mine] = 1.0 / (1.0 + np.exp(-(with_context(part, matrix(part, vocab), args.dense_scale) @ w + b)))
    print(f"{len(rows)} posts ({len(real)} real), {len(usable)} labelled spans to train on; "
          f"{args.cv}-fold scores of the real posts' flagged spans")
    threshold = chosen_threshold(test, scores, {i: learner_post[i] for i in real}, args.max_lost, 0.9, "real posts")
    vocab, w, b = _trained(usable, args, real)
    return save(args.out, vocab, w, b, threshold, args.dense_scale)


def save(out: Path, vocab: dict[str, int], w: np.ndarray, b: float, threshold: float, dense_scale: float = 0.0) -> int:
    names = sorted(vocab, key=vocab.get)
    w, dense = w[:len(names)], w[len(names):]
    order = np.argsort(w)
    print("most adult-like features:", ", ".join(f"{names[i]} {w[i]:.2f}" for i in order[:25]))
    print("most learner-like features:", ", ".join(f"{names[i]} {w[i]:.2f}" for i in order[::-1][:25]))
    buffer = io.BytesIO()
    extra = {"dense": dense.astype(np.float32), "dense_scale": np.float64(dense_scale)} if dense.size else {}
    np.savez_compressed(buffer, features=np.array(names), weights=w.astype(np.float32),
                        bias=np.float64(b), threshold=np.float64(threshold), **extra)
    out.write_bytes(buffer.getvalue())
    print(f"wrote {out} ({len(buffer.getvalue()) // 1024} KB, {len(names)} features)")
    return 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("corpus_work", type=Path, nargs="?", default=ROOT / "corpus" / "data",
                        help="corpus/data (default) or a folder of writers' wN/batch-*.jsonl")
    parser.add_argument("--exclude", type=Path, help="JSON object whose keys are post ids to leave out")
    parser.add_argument("--holdout", default="w3", help="writer folders held out to choose the threshold")
    parser.add_argument("--min-count", type=int, default=3, help="features seen in fewer spans are dropped")
    parser.add_argument("--l2", type=float, default=16.0)
    parser.add_argument("--real-weight", type=int, default=3, help="how many times a real post's spans count")
    parser.add_argument("--dense-scale", type=float, default=8.0,
                        help="scale of the context vector's columns (0: features only; --cv 0 always uses none)")
    parser.add_argument("--sweep", action="store_true", help="print held-out figures for several --l2 and stop")
    parser.add_argument("--max-lost", type=int, default=2, help="held-out learner posts the threshold may lose")
    parser.add_argument("--all-spans", action="store_true",
                        help="train on the pairs the rules drop too (their evidence feature says so)")
    parser.add_argument("--cache", type=Path, help="where to keep parsed Docs and spans between runs")
    parser.add_argument("--spans", type=Path, action="append", default=[],
                        help="posts with every person-like span labelled (default: corpus/names/spans.jsonl)")
    parser.add_argument("--cv", type=int, default=5,
                        help="train on every writer and choose the threshold from K-fold scores of real posts "
                             "(0: hold out --holdout writers instead)")
    parser.add_argument("--out", type=Path, default=ROOT / "postcheck" / "data" / MODEL_FILE)
    args = parser.parse_args()

    exclude = set(json.loads(args.exclude.read_text())) if args.exclude else set()
    rows = read_posts(args.corpus_work, exclude)
    for where in args.spans or [SPANS_FILE]:
        if where.exists():
            rows += [r for r in read_span_posts(where) if r["id"] not in exclude]
    span_cache = args.cache.with_suffix(".spans.pkl") if args.cache else None
    if span_cache and span_cache.is_file():
        records = pickle.loads(span_cache.read_bytes())
    else:
        records = spans(rows, args.cache)
        if span_cache:
            span_cache.write_bytes(pickle.dumps(records))
    learner_post = {r["id"]: "learner-full-name" in r["categories"] for r in rows}
    if args.cv:
        if args.dense_scale:
            vectors = context_vectors([r["context"] for r in records])
            for record, vector in zip(records, vectors):
                record["vector"] = vector
        return cross_validated(args, rows, records, learner_post)
    held = set(args.holdout.split(","))
    train = [r for r in records if r["writer"] not in held and r["label"] is not None
             and (args.all_spans or r["severity"] is not None)]
    test = [r for r in records if r["writer"] in held]
    print(f"{len(rows)} posts, {len(records)} flagged spans ({sum(r['label'] == 1 for r in records)} learner, "
          f"{sum(r['label'] == 0 for r in records)} other, {sum(r['label'] is None for r in records)} unsure); "
          f"train {len(train)}, held out {len(test)} ({','.join(sorted(held))})")

    vocab = _vocab(train, args.min_count)
    X, y = matrix(train, vocab), np.array([r["label"] for r in train], dtype=float)
    if args.sweep:
        held_posts = {r["id"]: learner_post[r["id"]] for r in rows if r["writer"] in held}
        base = post_figures(test, np.ones(len(test)), 0.0, held_posts)
        Xt = matrix(test, vocab)
        for l2 in (0.5, 1.0, 2.0, 4.0, 8.0, 16.0):
            w, b = fit(X, y, l2)
            scores = 1.0 / (1.0 + np.exp(-(Xt @ w + b)))
            line = []
            for lost in (0, 1, 3, 6):
                best = None
                for t in np.round(np.arange(0.005, 0.9, 0.005), 3):
                    fig = post_figures(test, scores, float(t), held_posts)
                    if fig["tp"] >= base["tp"] - lost:
                        best = (float(t), fig["precision"])
                line.append(f"lose<={lost}: {best}")
            print(f"l2={l2}: base precision {base['precision']}; " + "; ".join(line))
        return 0
    w, b = fit(X, y, args.l2)

    scores = 1.0 / (1.0 + np.exp(-(matrix(test, vocab) @ w + b))) if test else np.zeros(0)
    held_posts = {r["id"]: learner_post[r["id"]] for r in rows if r["writer"] in held}
    threshold = chosen_threshold(test, scores, held_posts, args.max_lost, 0.5, "held-out posts")
    return save(args.out, vocab, w, b, threshold)


if __name__ == "__main__":
    raise SystemExit(main())
