"""The learned text layer: the shipped model loads offline and judges obvious cases; units, tokens, bad files."""
from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys

import numpy as np
import pytest

from postcheck.checks.learned import gate, two_readers
from postcheck.learned import LearnedModelError, artefact, load_model, split_units
from postcheck.learned.context import CONTEXT_FILE, CONTEXT_META
from postcheck.learned.model import DATA_DIR, HEADS_FILE, VECTORS_FILE, load_from
from postcheck.learned.wordpiece import WordPiece

from conftest import ROOT

CATEGORIES = ("disparaging", "confidential", "personal-info", "learner-contact", "reference", "disclaimer")


@pytest.fixture(scope="module")
def model():
    return load_model()


def test_shipped_model_loads_with_its_categories_and_thresholds(model):
    assert model.categories == CATEGORIES
    assert set(model.thresholds) == set(CATEGORIES)
    for review, error in model.thresholds.values():
        assert 0.0 < review <= error <= 1.0


def test_version_is_the_hash_of_the_shipped_files_and_stable(model):
    vec = hashlib.sha256((DATA_DIR / VECTORS_FILE).read_bytes()).digest()
    heads = hashlib.sha256((DATA_DIR / HEADS_FILE).read_bytes()).digest()
    context = hashlib.sha256((DATA_DIR / CONTEXT_FILE).read_bytes()).digest()
    assert model.version == hashlib.sha256(vec + heads + context).hexdigest()[:12]
    assert load_from(DATA_DIR).version == model.version
    assert load_model() is model  # loaded once


def test_scores_are_probabilities_of_the_right_shape(model):
    scores = model.score(["Well done to Year 6 on a brilliant trip.", "Follow us for updates."], "school", "x")
    assert scores.shape == (2, len(CATEGORIES))
    assert scores.dtype == np.float32
    assert ((scores >= 0) & (scores <= 1)).all()
    assert model.score([], "school", "x").shape == (0, len(CATEGORIES))


# One obvious case per line: (category, account, platform, text, expected side of the review threshold).
GOLDEN = [
    ("disparaging", "school", "facebook",
     "Honestly, the referee from Castleton was a joke and their coach is a disgrace.", True),
    ("disparaging", "school", "facebook", "Thank you to Castleton for a brilliant, hard-fought match.", False),
    ("confidential", "personal", "facebook",
     "Between us, the head is being investigated after a safeguarding complaint.", True),
    ("confidential", "school", "facebook", "The school will be closed on Friday for staff training.", False),
    ("personal-info", "school", "facebook", "Ring me on my mobile, 07700 900461, any time after six.", True),
    ("personal-info", "school", "facebook", "Year 3 planted sunflowers in the garden this week.", False),
    ("learner-contact", "personal", "instagram", "Any of my Year 10s stuck on homework, just DM me on Snapchat!", True),
    ("learner-contact", "school", "instagram", "Questions about homework? Please ask your class teacher.", False),
    ("reference", "personal", "linkedin",
     "I can wholeheartedly recommend Sam Patel, our former teaching assistant, to any employer.", True),
    ("reference", "personal", "linkedin", "Delighted to share that I have started a new role this term.", False),
    ("disclaimer", "personal", "facebook", "Proud of my Year 4 class at Hollin Bank Primary today!", True),
    ("disclaimer", "personal", "facebook", "Lovely walk along the canal with the dog this morning.", False),
]


@pytest.mark.parametrize("category, account, platform, text, flagged", GOLDEN,
                         ids=[f"{g[0]}-{'pos' if g[4] else 'neg'}" for g in GOLDEN])
def test_golden_cases_fall_on_the_right_side_of_the_review_threshold(model, category, account, platform, text,
                                                                      flagged):
    score = float(model.score([text], account, platform)[0, model.categories.index(category)])
    if two_readers(model, category, account):
        review, _ = model.context_thresholds[category]
        if score >= gate(review):  # as postcheck.checks.learned.judged
            second = model.context_score([text], account, platform)[0, model.context_categories.index(category)]
            score = (score + float(second)) / 2
    else:
        review, _ = model.thresholds_for(category, account)
    assert (score >= review) == flagged, f"{category} score {score:.3f}, review threshold {review:.3f}"


def test_units_map_to_the_text():
    text = ("# Weekly news\n\n- Well done to Amelia H. in Year 9! She won the cup.  Mr. Smith was thrilled.\n"
            "1. Trip money by Friday... thanks?\n---\n\U0001F389\U0001F389\n  > \"Yes!\" he said. Ok")
    units = split_units(text)
    pieces = [text[a:b] for a, b in units]
    assert pieces == ["Weekly news", "Well done to Amelia H. in Year 9!", "She won the cup.", "Mr. Smith was thrilled.",
                      "Trip money by Friday... thanks?", "\"Yes!\" he said.", "Ok"]
    ends = [b for _, b in units]
    assert all(a < b for a, b in units) and all(b <= a for b, a in zip(ends, [a for a, _ in units][1:]))
    assert split_units("") == [] and split_units("\n\n---\n") == []
    assert split_units("Line one\r\nLine two") == [(0, 8), (10, 18)]


# Token ids from the reference tokenizer (Hugging Face `tokenizers`, all-MiniLM-L6-v2's tokenizer.json).
REFERENCE_IDS = [
    ("Well done to Amélia Hart-Smith in Year 9!🎉 #proud",
     [2092, 2589, 2000, 11556, 7530, 1011, 3044, 1999, 2095, 1023, 999, 100, 1001, 7098]),
    ("Don't—won't; e.g. St. Mary's 3-0 win!!",
     [2123, 1005, 1056, 1517, 2180, 1005, 1056, 1025, 1041, 1012, 1043, 1012, 2358, 1012, 2984, 1005, 1055, 1017,
      1011, 1014, 2663, 999, 999]),
    # control characters dropped (not split on), odd separators, zero-width space, CJK, accents
    ("a\x1fb c\x0bd e\x85f g\u2028h i\u00a0j k\u200bl m\u3000n \ufffdo \u65e5\u672c\u8a9ex Caf\u00e9",
     [11113, 3729, 1041, 2546, 1043, 1044, 1045, 1046, 1047, 2140, 1049, 1050, 1051, 1864, 1876, 1950, 1060, 7668]),
]


@pytest.mark.parametrize("text, ids", REFERENCE_IDS)
def test_wordpiece_matches_the_reference_tokenizer(model, text, ids):
    tokenizer: WordPiece = model.embedder.tokenizer
    assert tokenizer.ids(text) == ids


def _copy(tmp_path):
    for name in (VECTORS_FILE, HEADS_FILE):
        shutil.copy(DATA_DIR / name, tmp_path / name)
    return tmp_path


@pytest.mark.parametrize("damage", ["flip", "truncate", "empty", "missing", "garbage"])
def test_damaged_files_raise_a_one_line_learned_model_error(tmp_path, damage):
    folder = _copy(tmp_path)
    heads = folder / HEADS_FILE
    data = bytearray(heads.read_bytes())
    if damage == "flip":
        data[-10] ^= 0xFF
        heads.write_bytes(bytes(data))
    elif damage == "truncate":
        heads.write_bytes(bytes(data[: len(data) // 2]))
    elif damage == "empty":
        heads.write_bytes(b"")
    elif damage == "missing":
        heads.unlink()
    else:
        heads.write_bytes(b"PCLEARN1\x05\x00\x00\x00{oops" + bytes(100))
    with pytest.raises(LearnedModelError) as info:
        load_from(folder)
    assert "\n" not in str(info.value) and str(info.value)
    load_from(_copy(tmp_path))  # the undamaged copy still loads


def test_the_school_account_reads_its_own_disparaging_head(model):
    """heads.bin's account head: on the school's account the disparaging column comes from the head trained with
    corpus/context too; every other column, and every column on a personal account, from the category's own."""
    assert model.account_heads == {"school": {"disparaging": len(CATEGORIES)}}
    texts = ["Their keeper was about as much use as a chocolate teapot.", "Well done, Year 6!"]
    for account in ("school", "personal"):
        logits = model.logits(texts, account, "facebook")
        assert logits.shape == (2, len(CATEGORIES) + 1)
        expected = 1.0 / (1.0 + np.exp(-logits[:, : len(CATEGORIES)]))
        if account == "school":
            expected[:, 0] = 1.0 / (1.0 + np.exp(-logits[:, len(CATEGORIES)]))
        assert np.allclose(model.score(texts, account, "facebook"), expected, atol=1e-6)
    school = model.account_thresholds["school"]["disparaging"]
    assert 0.0 < school[0] <= school[1] <= 1.0
    assert model.thresholds_for("disparaging", "school") == school
    assert model.thresholds_for("disparaging", "personal") == model.thresholds["disparaging"]
    assert model.thresholds_for("confidential", "school") == model.thresholds["confidential"]


@pytest.mark.parametrize("damage", ["category", "column", "thresholds", "shape"])
def test_a_damaged_account_head_is_a_one_line_learned_model_error(tmp_path, damage):
    folder = _copy(tmp_path)
    meta, arrays = artefact.read((folder / HEADS_FILE).read_bytes())
    meta = {k: v for k, v in meta.items() if k in ("kind", "categories", "thresholds", "account_heads", "trained_on")}
    entry = meta["account_heads"]["school"]["disparaging"]
    if damage == "category":
        meta["account_heads"]["school"] = {"photos": entry}
    elif damage == "column":
        entry["column"] = 2
    elif damage == "thresholds":
        entry["thresholds"] = [0.5, 1.5]
    else:
        meta["account_heads"] = ["school"]
    artefact.write(folder / HEADS_FILE, meta, arrays)
    with pytest.raises(LearnedModelError) as info:
        load_from(folder)
    assert "\n" not in str(info.value) and "account" in str(info.value)


def test_the_second_reader_ships_and_judges_disparagement_on_the_school_account(model):
    assert model.context_categories == ("disparaging", "confidential", "personal-info", "learner-contact", "reference")
    assert model.context_accounts == ("school",)
    assert set(model.context_thresholds) == {"disparaging"}
    for review, error in model.context_thresholds.values():
        assert 0.0 < review <= error <= 1.0
    scores = model.context_score(["Their keeper was about as much use as a chocolate teapot.", "Well done, Year 6!"],
                                 "school", "facebook")
    assert scores.shape == (2, 5) and scores.dtype == np.float32 and ((scores >= 0) & (scores <= 1)).all()
    again = model.context_score(["Well done, Year 6!"], "school", "facebook")
    assert np.array_equal(scores[1], again[0])  # a unit scores the same whatever is read with it


def test_on_personal_accounts_the_two_readers_judge_disparagement_from_their_own_thresholds(model):
    assert set(model.context_account_thresholds) == {"personal"}
    review, error = model.context_account_thresholds["personal"]["disparaging"]
    school, _ = model.context_thresholds["disparaging"]
    assert school < review <= error <= 1.0  # a staff member's own opinions are judged from higher up
    assert model.context_thresholds_for("disparaging", "personal") == (review, error)
    assert model.context_thresholds_for("disparaging", "school") == model.context_thresholds["disparaging"]
    assert model.context_thresholds_for("confidential", "personal") is None


def test_the_shipped_second_reader_never_asks_alone_but_a_context_json_may_say_where(model, tmp_path):
    # scripts/train_context.py chooses no alone route (on five blind sets it found nothing and flagged clean drafts)
    assert model.context_alone == {}
    folder = _copy(tmp_path)
    for name in (CONTEXT_FILE, CONTEXT_META):
        shutil.copy(DATA_DIR / name, folder / name)
    meta = json.loads((folder / CONTEXT_META).read_text(encoding="utf-8"))
    (folder / CONTEXT_META).write_text(json.dumps({**meta, "alone": {"disparaging": [0.3, 0.97]}}), encoding="utf-8")
    assert load_from(folder).context_alone == {"disparaging": (0.3, 0.97)}


@pytest.mark.parametrize("damage", ["flip", "missing", "meta", "alone-category", "alone-range", "alone-shape",
                                    "account-category", "account-range"])
def test_a_damaged_second_reader_is_a_one_line_learned_model_error(tmp_path, damage):
    folder = _copy(tmp_path)
    for name in (CONTEXT_FILE, CONTEXT_META):
        shutil.copy(DATA_DIR / name, folder / name)
    onnx = folder / CONTEXT_FILE
    if damage == "flip":
        data = bytearray(onnx.read_bytes())
        data[len(data) // 2] ^= 0xFF
        onnx.write_bytes(bytes(data))
    elif damage == "missing":
        onnx.unlink()
    elif damage == "meta":
        (folder / CONTEXT_META).write_text("{not json", encoding="utf-8")
    else:
        meta = json.loads((folder / CONTEXT_META).read_text(encoding="utf-8"))
        if damage.startswith("account"):
            meta["account_thresholds"] = {"personal": {"account-category": {"disclaimer": [0.9, 0.95]},
                                                       "account-range": {"disparaging": [0.9, 1.5]}}[damage]}
        else:
            meta["alone"] = {"alone-category": {"reference": [0.2, 0.97]}, "alone-range": {"disparaging": [0.2, 1.5]},
                             "alone-shape": {"disparaging": [0.2]}}[damage]
        (folder / CONTEXT_META).write_text(json.dumps(meta), encoding="utf-8")
    with pytest.raises(LearnedModelError) as info:
        load_from(folder)
    assert "\n" not in str(info.value) and str(info.value)


def test_without_a_second_reader_the_static_model_judges_alone(tmp_path):
    alone = load_from(_copy(tmp_path))
    assert alone.context_categories == () and alone.context_thresholds == {}
    assert alone.thresholds == load_model().thresholds


def test_importing_and_scoring_loads_no_heavy_library():
    script = (
        "import sys\n"
        "from postcheck.learned import load_model, split_units\n"
        "text = 'Well done to everyone at sports day. DM me for photos!'\n"
        "m = load_model()\n"
        "m.score([text[a:b] for a, b in split_units(text)], 'personal', 'x')\n"
        "print(sorted(n for n in ('spacy', 'torch', 'sklearn', 'scipy', 'onnxruntime', 'thinc') if n in sys.modules))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "[]"


def test_training_features_and_run_time_scores_agree(model):
    """scripts/train.py builds its design matrix from the same functions the model scores with."""
    pytest.importorskip("scipy")
    sys.path.insert(0, str(ROOT / "scripts"))
    import train

    post = train.Post(id="t-1", writer="t", register="personal", account="personal", platform="linkedin",
                      text="Proud of my Year 4 class today \U0001F644\n- DM me for the photos!\nViews my own.",
                      categories=frozenset(), evidence={})
    x, _, _, _ = train.featurise([post], model.embedder, model.categories)
    weight = np.vstack([model.dense_weight, model.token_weight])
    texts = [post.text[a:b] for a, b in split_units(post.text)]
    assert np.allclose(x @ weight + model.bias, model.logits(texts, post.account, post.platform), atol=1e-4)


@pytest.mark.skipif(not (ROOT / "corpus" / "data").is_dir(), reason="no corpus/data in this checkout")
def test_train_rebuilds_the_shipped_heads_byte_for_byte():
    pytest.importorskip("sklearn")
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "train.py"), "--check"], capture_output=True,
                          text=True, cwd=ROOT, timeout=900)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    assert "identical to" in done.stdout


@pytest.mark.skipif(not (ROOT / "corpus" / "data").is_dir(), reason="no corpus/data in this checkout")
def test_the_second_readers_thresholds_are_what_the_held_out_posts_give():
    """scripts/train_context.py --thresholds-only --check: the shipped ONNX, scored on the held-out posts of the
    school's account with the shipped static reader, gives the shipped context.json (thresholds to 0.002)."""
    done = subprocess.run([sys.executable, str(ROOT / "scripts" / "train_context.py"), "--thresholds-only", "--check"],
                          capture_output=True, text=True, cwd=ROOT, timeout=600)
    assert done.returncode == 0, (done.stdout + done.stderr)[-2000:]
    assert "same as" in done.stdout


def test_a_writer_that_trains_only_some_heads_neither_trains_nor_judges_the_others():
    sys.path.insert(0, str(ROOT / "scripts"))
    train = pytest.importorskip("train")
    post = train.Post(id="w15-0001", writer="w15", register="short", account="personal", platform="x",
                      text="Ofsted are in tomorrow, and the head is fuming.", categories=frozenset(), evidence={})
    assert train.counts_for(post, "disparaging") and not train.counts_for(post, "disclaimer")
    _, _, mask, _ = train.featurise([post], train.load_embedder(), train.RUNTIME_CATEGORIES)
    assert mask[:, train.RUNTIME_CATEGORIES.index("disparaging")].all()
    assert not mask[:, train.RUNTIME_CATEGORIES.index("disclaimer")].any()
    assert train.counts_for(train.Post(**{**post.__dict__, "writer": "w14"}), "disclaimer")
