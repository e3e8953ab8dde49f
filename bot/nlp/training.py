"""Training of the parser's linear models (used by scripts/train_parser.py and bench/parse_eval.py).

Needs scikit-learn (the `dev` extra); run time needs only numpy. Linear SVMs over one
vocabulary of jieba words + character 1-3-grams (TF-IDF):
- department (7 classes): government messages (title+text, title counted twice, and title alone)
  plus the project's own labelled requests; its documents also carry the cue-word features of
  bot/nlp/dept_cues.py (`#dept:<department>`), which no other model sees;
- request vs not: government titles and the heads of their texts plus own requests, against
  chit-chat, own chatter, own cadre check-ins and the group-chat corpus's look-alikes;
- request vs not in group chat: the group-chat corpus and the project's own lines alone (its
  requests are not positives of the model above: they pulled its boundary into the chit-chat);
- life at risk now (P0): the safety layer's learnt second opinion;
- category (grid taxonomy): own labelled requests and the group-chat corpus's requests (the
  category of a line the P0 safety layer did not raise; emergency only ever comes from that layer).

The group-chat corpus (bot/nlp/data/groupchat_*.jsonl, written blind to the rules by people following
bot/nlp/data/LABELLING.md) is read as the bot reads a line: its shape first, then its new words;
lines whose shape never carries a request (system lines, cards, 接龙, relayed news) are left to the
rules and not trained on.
"""

from __future__ import annotations

import json
import math
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from bot.nlp.dept_cues import cue_features
from bot.nlp.features import features

DEPARTMENTS = ("城乡建设", "环境保护", "交通运输", "教育文体", "劳动和社会保障", "商贸旅游", "卫生计生")
CATEGORIES = ("emergency", "safety_hazard", "illegal_building", "dispute", "unrest", "life_event", "care_request",
              "sanitation", "public_facility", "utilities", "nuisance_order", "property_mgmt", "service_consult",
              "opinion")
OWN_DATA = Path(__file__).parent / "data"
MODEL_DIR = Path(__file__).parent / "model"
MODEL_FILE = MODEL_DIR / "parser.npz"
SEED = 0
C_DEPT = 1.0
C_REQ = 1.0
C_CAT = 1.0
C_P0 = 1.0
MAX_FEATURES = 80_000
REQUEST_HEAD = 60  # characters of a government letter used as a request example
# own lines in the department model: a different genre (short chat lines) and two thirds 城乡建设; at full
# weight they pull the government letters' class balance towards 城乡建设; at 0.3 they still fit our own lines
OWN_DEPT_WEIGHT = 0.3
# department cue words (dept_cues.py) as extra features of the department documents only
DEPT_CUES = True
# request threshold: the cut-off with the widest margin to both targets on inner cross-validation
TARGET_RECALL = 0.98
TARGET_FP = 0.005
INNER_FOLDS = 4
# Group-chat requests are not positives of the request model: short colloquial lines like the chit-chat,
# they took its false positives from 0.48% to 1.3-1.8% on the message-board CV (its look-alikes, as
# negatives, cost nothing there). They train a second request model of their own genre instead (group-chat
# lines and the project's own lines, no message board), asked only for a line tied to the neighbourhood
GC_NEG_WEIGHT = 0.3
THRESHOLDS = np.round(np.arange(-0.5, 1.5001, 0.01), 2)


def load_jsonl(path: Path) -> list[dict]:
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


def data_dir(explicit: str | None = None) -> Path:
    import os

    if explicit:
        return Path(explicit)
    if os.environ.get("GRIDBOT_DATA_DIR"):
        return Path(os.environ["GRIDBOT_DATA_DIR"])
    return Path(__file__).resolve().parents[2].parent / "shared" / "data"


GROUPCHAT_FILES = ("groupchat_requests.jsonl", "groupchat_other.jsonl", "groupchat_more.jsonl",
                   "groupchat_retired.jsonl", "groupchat_blind4_lookalike.jsonl", "groupchat_blind4_danger.jsonl",
                   "groupchat_blind4_category.jsonl")
UNTRAINED_SHAPES = frozenset({"system", "link", "chain", "relay"})


def groupchat_lines(data: Path = OWN_DATA) -> list[dict]:
    """The group-chat corpus with each line's new words in "words" (a quote's quoted part dropped) and
    its position among groupchat_rows() in "index"; lines of a shape the rules own are left out."""
    from bot.nlp.shape import read_shape

    rows = []
    for index, row in enumerate(groupchat_rows(data)):
        reading = read_shape(row["text"], bot_name="网格通")
        if reading.shape in UNTRAINED_SHAPES or not reading.text.strip():
            continue
        rows.append({**row, "words": reading.text, "index": index})
    return rows


def groupchat_rows(data: Path = OWN_DATA) -> list[dict]:
    """Every labelled line of the group-chat corpus as written (the files of GROUPCHAT_FILES, in order);
    `groupchat_lines()[i]["index"]` is a position in this list."""
    return [row for name in GROUPCHAT_FILES if (data / name).exists() for row in load_jsonl(data / name)]


@dataclass
class Corpus:
    """Features computed once for every row (CV re-fits on subsets)."""

    gov: list[dict]
    chat: list[dict]
    own_requests: list[dict]
    own_chatter: list[dict]
    own_checkins: list[dict]
    groupchat: list[dict] = field(default_factory=list)
    gc_f: list[list[str]] = field(default_factory=list)
    gov_full: list[list[str]] = field(default_factory=list)  # title twice + text
    gov_title: list[list[str] | None] = field(default_factory=list)
    gov_head: list[list[str]] = field(default_factory=list)
    chat_f: list[list[str]] = field(default_factory=list)
    own_req_f: list[list[str]] = field(default_factory=list)
    own_neg_f: list[list[str]] = field(default_factory=list)
    # department cue features (department model only), aligned with gov_full / gov_title / own_req_f
    gov_full_cues: list[list[str]] = field(default_factory=list)
    gov_title_cues: list[list[str]] = field(default_factory=list)
    own_req_cues: list[list[str]] = field(default_factory=list)


def build_corpus(tokenizer, data: Path) -> Corpus:
    corpus = Corpus(
        gov=load_jsonl(data / "gov_messages_dev.jsonl"), chat=load_jsonl(data / "chitchat_dev.jsonl"),
        own_requests=load_jsonl(OWN_DATA / "requests.jsonl"), own_chatter=load_jsonl(OWN_DATA / "chatter.jsonl"),
        own_checkins=load_jsonl(OWN_DATA / "checkins.jsonl"), groupchat=groupchat_lines(),
    )
    corpus.gc_f = [features(tokenizer, r["words"]) for r in corpus.groupchat]
    for row in corpus.gov:
        title = row.get("title") or ""
        tf = features(tokenizer, title) if title else None
        corpus.gov_full.append(features(tokenizer, title + " " + row["text"]) + (tf or []))
        corpus.gov_title.append(tf)
        corpus.gov_head.append(tf if tf else features(tokenizer, row["text"][:REQUEST_HEAD]))
        title_cues = cue_features(title) if title else []
        corpus.gov_full_cues.append(cue_features(title + " " + row["text"]) + title_cues)
        corpus.gov_title_cues.append(title_cues)
    corpus.chat_f = [features(tokenizer, r["text"]) for r in corpus.chat]
    corpus.own_req_f = [features(tokenizer, r["text"]) for r in corpus.own_requests]
    corpus.own_req_cues = [cue_features(r["text"]) for r in corpus.own_requests]
    corpus.own_neg_f = [features(tokenizer, r["text"]) for r in corpus.own_chatter + corpus.own_checkins
                        if not r.get("is_request")]
    return corpus


def _matrix(docs: list[list[str]], vocab: dict[str, int], idf: np.ndarray):
    from scipy import sparse

    data, ind, ptr = [], [], [0]
    for doc in docs:
        counts = Counter(f for f in doc if f in vocab)
        if counts:
            idx = [vocab[f] for f in counts]
            vals = np.array([1.0 + math.log(c) for c in counts.values()]) * idf[idx]
            vals /= np.linalg.norm(vals)
            ind.extend(idx)
            data.extend(vals.tolist())
        ptr.append(len(ind))
    return sparse.csr_matrix((data, ind, ptr), shape=(len(docs), len(vocab)), dtype=np.float64)


def fit(corpus: Corpus, gov_idx: list[int] | None = None, chat_idx: list[int] | None = None) -> dict[str, np.ndarray]:
    """Fit the three models on the given government and chit-chat rows (all when None) plus all own data;
    returns the arrays saved in the model file."""
    from sklearn.svm import LinearSVC

    gov_idx = list(range(len(corpus.gov))) if gov_idx is None else list(gov_idx)
    chat_idx = list(range(len(corpus.chat))) if chat_idx is None else list(chat_idx)
    cues = DEPT_CUES and len(corpus.gov_full_cues) == len(corpus.gov)

    dept_docs, dept_cues, dept_y, dept_sw = [], [], [], []
    for i in gov_idx:
        label = DEPARTMENTS.index(corpus.gov[i]["label"])
        dept_docs.append(corpus.gov_full[i])
        dept_cues.append(corpus.gov_full_cues[i] if cues else [])
        dept_y.append(label)
        if corpus.gov_title[i] is not None:
            dept_docs.append(corpus.gov_title[i])
            dept_cues.append(corpus.gov_title_cues[i] if cues else [])
            dept_y.append(label)
    dept_sw = [1.0] * len(dept_docs)
    own_cues = corpus.own_req_cues if cues else [[] for _ in corpus.own_requests]
    for row, f, c in zip(corpus.own_requests, corpus.own_req_f, own_cues, strict=True):
        dept_docs.append(f)
        dept_cues.append(c)
        dept_y.append(DEPARTMENTS.index(row["department"]))
        dept_sw.append(OWN_DEPT_WEIGHT)
    # the department documents proper: with the cue features (which no other model sees)
    dept_docs_c = [d + c for d, c in zip(dept_docs, dept_cues, strict=True)] if cues else dept_docs

    gc_pos = [f for r, f in zip(corpus.groupchat, corpus.gc_f, strict=True) if r["is_request"]]
    gc_neg = [f for r, f in zip(corpus.groupchat, corpus.gc_f, strict=True) if not r["is_request"]]
    req_pos = [corpus.gov_head[i] for i in gov_idx] + corpus.own_req_f
    req_neg = [corpus.chat_f[i] for i in chat_idx] + corpus.own_neg_f + gc_neg
    req_docs = req_pos + req_neg
    req_y = [1] * len(req_pos) + [0] * len(req_neg)
    req_sw = [1.0] * (len(req_docs) - len(gc_neg)) + [GC_NEG_WEIGHT] * len(gc_neg)
    # the same with the group-chat requests: asked only for a line tied to the neighbourhood
    chat_docs = req_pos + gc_pos + req_neg
    chat_y = [1] * (len(req_pos) + len(gc_pos)) + [0] * len(req_neg)

    # life at risk now or not: the safety layer's second opinion (its words stay the first)
    p0_docs = corpus.own_req_f + corpus.own_neg_f + corpus.gc_f + [corpus.chat_f[i] for i in chat_idx]
    p0_y = [int(r["urgency"] == "P0") for r in corpus.own_requests] + [0] * len(corpus.own_neg_f) + [
        int(bool(r["is_request"]) and r["urgency"] == "P0") for r in corpus.groupchat] + [0] * len(chat_idx)

    cat_docs = corpus.own_req_f + gc_pos
    cat_y = [CATEGORIES.index(r["category"]) for r in corpus.own_requests] + [
        CATEGORIES.index(r["category"]) for r in corpus.groupchat if r["is_request"]]

    df: Counter[str] = Counter()
    for doc in dept_docs_c + req_docs:
        df.update(set(doc))
    dept_df: Counter[str] = Counter()
    for doc in dept_docs_c:
        dept_df.update(set(doc))
    own: set[str] = set()
    for doc in corpus.own_req_f + corpus.own_neg_f + corpus.gc_f:
        own.update(doc)
    terms = sorted(t for t, c in df.items() if c >= 2 or t in own)
    vocab = {t: i for i, t in enumerate(terms)}
    n_docs = len(dept_docs)  # idf from the department documents (the chit-chat would skew it)
    idf = np.array([math.log((1 + n_docs) / (1 + dept_df[t])) + 1.0 for t in terms])

    dept = LinearSVC(C=C_DEPT, class_weight="balanced", random_state=SEED).fit(
        _matrix(dept_docs_c, vocab, idf), dept_y, sample_weight=np.array(dept_sw))
    req = LinearSVC(C=C_REQ, class_weight="balanced", random_state=SEED).fit(_matrix(req_docs, vocab, idf), req_y,
                                                                           sample_weight=np.array(req_sw))
    chat = LinearSVC(C=C_REQ, class_weight="balanced", random_state=SEED).fit(_matrix(chat_docs, vocab, idf), chat_y)
    chat_w = chat.coef_[0]
    cat = LinearSVC(C=C_CAT, class_weight="balanced", random_state=SEED).fit(_matrix(cat_docs, vocab, idf), cat_y)
    p0 = LinearSVC(C=C_P0, class_weight="balanced", random_state=SEED).fit(_matrix(p0_docs, vocab, idf), p0_y)
    p0_w = p0.coef_[0]

    dept_w = dept.coef_.T  # (V, 7)
    req_w = req.coef_[0]
    cat_w = cat.coef_.T  # (V, 14)
    prune_w = dept_w
    if cues:
        # the pruned vocabulary is chosen as without the cue features (by a department model fitted without
        # them), plus the cue features: the request and category vectors are l2-normalised over the kept
        # vocabulary, so this keeps their scores exactly those of a model without cues
        prune_w = LinearSVC(C=C_DEPT, class_weight="balanced", random_state=SEED).fit(
            _matrix(dept_docs, vocab, idf), dept_y, sample_weight=np.array(dept_sw)).coef_.T
    importance = np.maximum(np.maximum(np.abs(prune_w).max(axis=1), np.maximum(np.abs(p0_w), np.abs(chat_w))),
                            np.maximum(np.abs(req_w), np.abs(cat_w).max(axis=1)))
    keep = np.sort(np.argsort(-importance, kind="stable")[:MAX_FEATURES])
    keep = keep[importance[keep] > 1e-4]
    if cues:
        keep = np.union1d(keep, [i for i, t in enumerate(terms) if t.startswith("#dept:")])
    kept_terms = [terms[i] for i in keep]
    return {
        "vocab": np.frombuffer("\n".join(kept_terms).encode("utf-8"), dtype=np.uint8),
        "idf": idf[keep].astype(np.float32),
        "dept_w": dept_w[keep].astype(np.float16), "dept_b": dept.intercept_.astype(np.float32),
        "req_w": req_w[keep].astype(np.float16), "req_b": req.intercept_.astype(np.float32),
        "cat_w": cat_w[keep].astype(np.float16), "cat_b": cat.intercept_.astype(np.float32),
        "p0_w": p0_w[keep].astype(np.float16), "p0_b": p0.intercept_.astype(np.float32),
        "chat_w": chat_w[keep].astype(np.float16), "chat_b": chat.intercept_.astype(np.float32),
        "departments": np.frombuffer("\n".join(DEPARTMENTS).encode(), dtype=np.uint8),
        "categories": np.frombuffer("\n".join(CATEGORIES).encode(), dtype=np.uint8),
        "dept_cues": np.array([int(cues)], dtype=np.uint8),
    }


def folds(n: int, k: int, seed: int, labels: list[str] | None = None) -> list[np.ndarray]:
    """Stratified (when labels given) fold assignment with a fixed seed."""
    rng = np.random.default_rng(seed)
    fold_of = np.zeros(n, dtype=int)
    if labels is None:
        order = rng.permutation(n)
        fold_of[order] = np.arange(n) % k
    else:
        for g, label in enumerate(sorted(set(labels))):
            idx = np.array([i for i, y in enumerate(labels) if y == label])
            idx = idx[rng.permutation(len(idx))]
            fold_of[idx] = (np.arange(len(idx)) + g) % k
    return [np.flatnonzero(fold_of == f) for f in range(k)]


def pick_threshold(title_scores: np.ndarray, chat_scores: np.ndarray) -> float:
    """The cut-off whose worse relative margin to the two targets (recall on titles, FP rate on chit-chat)
    is largest; the middle of the best ones."""
    recall = (title_scores[None, :] > THRESHOLDS[:, None]).mean(axis=1)
    fp = (chat_scores[None, :] > THRESHOLDS[:, None]).mean(axis=1)
    margin = np.minimum((recall - TARGET_RECALL) / (1 - TARGET_RECALL), (TARGET_FP - fp) / TARGET_FP)
    best = THRESHOLDS[margin >= margin.max() - 1e-9]
    return float(np.round(np.median(best), 2))


def request_scores(parser, corpus: Corpus, gov_idx, chat_idx) -> tuple[np.ndarray, np.ndarray]:
    """The parser's request scores on the given government titles and chit-chat lines."""
    titles = [corpus.gov[i]["title"] for i in gov_idx if corpus.gov[i].get("title")]
    return (np.array([parser.parse(t).request_score for t in titles]),
            np.array([parser.parse(corpus.chat[i]["text"]).request_score for i in chat_idx]))


def fit_model(corpus: Corpus, tokenizer, gov_idx: list[int] | None = None, chat_idx: list[int] | None = None,
              folds_k: int = INNER_FOLDS, seed: int = SEED) -> dict[str, np.ndarray]:
    """fit() plus the request threshold, chosen by a k-fold CV on the same rows (nothing else is looked at)."""
    from bot.nlp.parser import Parser

    gov_idx = list(range(len(corpus.gov))) if gov_idx is None else list(gov_idx)
    chat_idx = list(range(len(corpus.chat))) if chat_idx is None else list(chat_idx)
    g_folds = folds(len(gov_idx), folds_k, seed, [corpus.gov[i]["label"] for i in gov_idx])
    c_folds = folds(len(chat_idx), folds_k, seed)
    ts, cs = [], []
    for g_test, c_test in zip(g_folds, c_folds, strict=True):
        g_out, c_out = set(g_test.tolist()), set(c_test.tolist())
        arrays = fit(corpus, [x for j, x in enumerate(gov_idx) if j not in g_out],
                     [x for j, x in enumerate(chat_idx) if j not in c_out])
        t, c = request_scores(Parser(tokenizer=tokenizer, arrays=arrays), corpus,
                              [gov_idx[j] for j in sorted(g_out)], [chat_idx[j] for j in sorted(c_out)])
        ts.append(t)
        cs.append(c)
    arrays = fit(corpus, gov_idx, chat_idx)
    arrays["req_threshold"] = np.array([pick_threshold(np.concatenate(ts), np.concatenate(cs))], dtype=np.float32)
    return arrays


def save(arrays: dict[str, np.ndarray], path: Path = MODEL_FILE) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    np.savez_compressed(path, **arrays)
