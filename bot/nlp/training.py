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

from bot.nlp import weighing
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
                   "groupchat_blind4_category.jsonl", "groupchat_blind5_boundary.jsonl", "groupchat_blind5_days.jsonl",
                   "groupchat_blind6_terse.jsonl", "groupchat_retired3.jsonl", "groupchat_blind7_danger.jsonl",
                   "groupchat_blind7_cadre.jsonl", "groupchat_blind8_danger.jsonl", "groupchat_blind8_cadre.jsonl",
                   "groupchat_blind9.jsonl", "groupchat_blind10.jsonl", "groupchat_retired4.jsonl",
                   "groupchat_blind11.jsonl", "groupchat_retired5.jsonl", "groupchat_blind12.jsonl",
                   "groupchat_blind13.jsonl", "groupchat_blind14.jsonl", "groupchat_blind15.jsonl",
                   "groupchat_blind16.jsonl", "groupchat_blind17.jsonl",
                   "groupchat_retired6.jsonl", "groupchat_blind18.jsonl", "groupchat_blind19.jsonl",
                   "groupchat_blind20.jsonl", "groupchat_blind21.jsonl", "groupchat_blind22.jsonl",
                   "groupchat_blind23.jsonl", "groupchat_blind24.jsonl",
                   "groupchat_blind25.jsonl", "groupchat_blind26.jsonl", "groupchat_blind27.jsonl")
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
        rows.append({**row, "words": reading.text, "read_shape": reading.shape, "index": index})
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
    gc_read: list[tuple] = field(default_factory=list)  # (s, clean, shape, location) as the parser reads a line
    own_read: list[tuple] = field(default_factory=list)  # the same for own requests, then own negatives
    gov_read: list[tuple] = field(default_factory=list)  # the same for each letter's head (its title, or its text's)
    chat_read: list[tuple] = field(default_factory=list)  # the same for each chit-chat line
    gov_clean_f: list[list[str]] = field(default_factory=list)
    chat_clean_f: list[list[str]] = field(default_factory=list)
    gc_clean_f: list[list[str]] = field(default_factory=list)  # features of the cleaned words
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


    @property
    def own_negatives(self) -> list[dict]:
        """The project's own lines that are not requests (chit-chat and check-ins)."""
        return [r for r in self.own_chatter + self.own_checkins if not r.get("is_request")]

def build_corpus(tokenizer, data: Path) -> Corpus:
    corpus = Corpus(
        gov=load_jsonl(data / "gov_messages_dev.jsonl"), chat=load_jsonl(data / "chitchat_dev.jsonl"),
        own_requests=load_jsonl(OWN_DATA / "requests.jsonl"), own_chatter=load_jsonl(OWN_DATA / "chatter.jsonl"),
        own_checkins=load_jsonl(OWN_DATA / "checkins.jsonl"), groupchat=groupchat_lines(),
    )
    corpus.gc_f = [features(tokenizer, r["words"]) for r in corpus.groupchat]
    # each line as the parser reads it (its cleaned words, shape and place) for the weighing's evidence
    from bot.nlp.location import find_location
    from bot.nlp.parser import cleaned
    from bot.nlp.pii import find_pii

    def reading(text: str, shape: str = "text") -> tuple:
        s, clean = cleaned(text, find_pii(text))
        return s, clean, shape, find_location(text)

    for r in corpus.groupchat:
        corpus.gc_read.append(reading(r["words"], r["read_shape"]))
        corpus.gc_clean_f.append(features(tokenizer, corpus.gc_read[-1][1]))
    corpus.own_read = [reading(r["text"]) for r in corpus.own_requests + corpus.own_negatives]
    corpus.gov_read = [reading(r.get("title") or r["text"][:REQUEST_HEAD]) for r in corpus.gov]
    corpus.gov_clean_f = [features(tokenizer, read[1]) for read in corpus.gov_read]
    corpus.chat_read = [reading(r["text"]) for r in corpus.chat]
    corpus.chat_clean_f = [features(tokenizer, read[1]) for read in corpus.chat_read]
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
    corpus.own_neg_f = [features(tokenizer, r["text"]) for r in corpus.own_negatives]
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

    every_row = list(range(len(corpus.groupchat)))
    line_docs = _line_docs(corpus, gov_idx, chat_idx, every_row)
    req_docs = line_docs["req"][0]
    gc_pos = [f for r, f in zip(corpus.groupchat, corpus.gc_f, strict=True) if r["is_request"]]
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
    req, chat, p0 = _line_models(line_docs, vocab, idf)
    chat_w = chat.coef_[0]
    cat = LinearSVC(C=C_CAT, class_weight="balanced", random_state=SEED).fit(_matrix(cat_docs, vocab, idf), cat_y)
    p0_w = p0.coef_[0]
    weigh = _fit_weighing(corpus, gov_idx, chat_idx, vocab, idf)

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
        **weigh,
    }


def _line_docs(corpus: Corpus, gov_idx: list[int], chat_idx: list[int], rows: list[int],
               left_out: frozenset[tuple[str, int]] = frozenset()) -> dict[str, tuple]:
    """(documents, labels, sample weights) of the three models that read a line whole — request (board),
    request (group chat), life at risk now — with the group-chat rows `rows` (positions in corpus.groupchat)
    and the other lines but those `left_out` (("req", i): own request i, ("neg", i): own line i that is
    not one, ("gov", i): government letter i, ("cc", i): chit-chat line i)."""
    chat_rows = [corpus.groupchat[j] for j in rows]
    gc_f = [corpus.gc_f[j] for j in rows]
    gc_pos = [f for r, f in zip(chat_rows, gc_f, strict=True) if r["is_request"]]
    gc_neg = [f for r, f in zip(chat_rows, gc_f, strict=True) if not r["is_request"]]
    own_req = [i for i in range(len(corpus.own_requests)) if ("req", i) not in left_out]
    own_req_f = [corpus.own_req_f[i] for i in own_req]
    own_neg_f = [f for i, f in enumerate(corpus.own_neg_f) if ("neg", i) not in left_out]
    gov_idx = [i for i in gov_idx if ("gov", i) not in left_out]
    chat_idx = [i for i in chat_idx if ("cc", i) not in left_out]
    req_pos = [corpus.gov_head[i] for i in gov_idx] + own_req_f
    req_neg = [corpus.chat_f[i] for i in chat_idx] + own_neg_f + gc_neg
    req_docs = req_pos + req_neg
    req_sw = [1.0] * (len(req_docs) - len(gc_neg)) + [GC_NEG_WEIGHT] * len(gc_neg)
    # the same with the group-chat requests: asked only for a line tied to the neighbourhood
    chat_docs = req_pos + gc_pos + req_neg
    chat_y = [1] * (len(req_pos) + len(gc_pos)) + [0] * len(req_neg)
    # life at risk now or not: the safety layer's second opinion (its words stay the first)
    p0_docs = own_req_f + own_neg_f + gc_f + [corpus.chat_f[i] for i in chat_idx]
    p0_y = [int(corpus.own_requests[i]["urgency"] == "P0") for i in own_req] + [0] * len(own_neg_f) + [
        int(bool(r["is_request"]) and r["urgency"] == "P0") for r in chat_rows] + [0] * len(chat_idx)
    return {"req": (req_docs, [1] * len(req_pos) + [0] * len(req_neg), req_sw),
            "chat": (chat_docs, chat_y, None), "p0": (p0_docs, p0_y, None)}


def _line_models(line_docs: dict[str, tuple], vocab: dict[str, int], idf: np.ndarray):
    """The fitted request (board), request (group chat) and P0 LinearSVCs."""
    from sklearn.svm import LinearSVC

    fitted = []
    for name, c in (("req", C_REQ), ("chat", C_REQ), ("p0", C_P0)):
        docs, y, sw = line_docs[name]
        fitted.append(LinearSVC(C=c, class_weight="balanced", random_state=SEED).fit(
            _matrix(docs, vocab, idf), y, sample_weight=None if sw is None else np.array(sw)))
    return tuple(fitted)


WEIGH_FOLDS = 3


def _fit_weighing(corpus: Corpus, gov_idx: list[int], chat_idx: list[int], vocab: dict[str, int],
                  idf: np.ndarray) -> dict[str, np.ndarray]:
    """The weighing of a neighbourhood line's evidence (weighing.py), fitted on the group-chat lines
    with their model scores taken out of fold (the three line models refitted without the fold), so
    that the weights trust a score as much as it deserves on a line never seen. {} when the corpus is
    too small to fit it."""
    from bot.nlp.parser import gather

    n = len(corpus.groupchat)
    if n < 100 or len(corpus.gc_read) != n:
        return {}
    # the lines weighed: the group-chat corpus and the project's own lines (short plain requests such
    # as "井盖丢了", which the group-chat corpus has few of), each with how the parser reads it
    items = [("gc", j) for j in range(n)] + [("req", i) for i in range(len(corpus.own_requests))] + [
        ("neg", i) for i in range(len(corpus.own_neg_f))]
    read = {("gc", j): (corpus.gc_read[j], corpus.gc_clean_f[j], bool(corpus.groupchat[j]["is_request"]))
            for j in range(n)}
    read |= {("req", i): (corpus.own_read[i], corpus.own_req_f[i], True) for i in range(len(corpus.own_requests))}
    read |= {("neg", i): (corpus.own_read[len(corpus.own_requests) + i], corpus.own_neg_f[i], False)
             for i in range(len(corpus.own_neg_f))}
    # and the message board's genre: letters' heads are requests, chit-chat is not (the weighing must
    # not file what the board's cut-off keeps out, nor drop a formal title)
    if len(corpus.gov_read) == len(corpus.gov) and len(corpus.chat_read) == len(corpus.chat):
        items += [("gov", i) for i in gov_idx] + [("cc", i) for i in chat_idx]
        read |= {("gov", i): (corpus.gov_read[i], corpus.gov_clean_f[i], True) for i in gov_idx}
        read |= {("cc", i): (corpus.chat_read[i], corpus.chat_clean_f[i], False) for i in chat_idx}
    order = np.random.default_rng(SEED).permutation(len(items))
    vectors, labels = [], []
    for part in np.array_split(order, WEIGH_FOLDS):
        out = frozenset(items[k] for k in part)
        kept = [j for j in range(n) if ("gc", j) not in out]
        req, chat, p0 = _line_models(_line_docs(corpus, gov_idx, chat_idx, kept, out), vocab, idf)
        x = _matrix([read[items[k]][1] for k in part], vocab, idf)
        scores = zip(req.decision_function(x), chat.decision_function(x), p0.decision_function(x), strict=True)
        for k, (board, chat_score, p0_score) in zip(part, scores, strict=True):
            (s, clean, shape, location), _f, is_request = read[items[k]]
            found = gather(s, clean, shape, location, float(board), float(chat_score), float(p0_score))
            if found.weighed:
                vectors.append(found.evidence.vector())
                labels.append(int(is_request))
    if len(set(labels)) < 2:
        return {}
    w, b = weighing.fit(np.array(vectors), np.array(labels))
    return {"weigh_w": w.astype(np.float32), "weigh_b": np.array([b], dtype=np.float32),
            "weigh_names": np.frombuffer("\n".join(weighing.SIGNALS).encode(), dtype=np.uint8)}


def subset(corpus: Corpus, keep: list[int]) -> Corpus:
    """The corpus with only the group-chat lines at positions `keep` (cross-validation)."""
    from dataclasses import replace

    return replace(corpus, groupchat=[corpus.groupchat[j] for j in keep], gc_f=[corpus.gc_f[j] for j in keep],
                   gc_read=[corpus.gc_read[j] for j in keep], gc_clean_f=[corpus.gc_clean_f[j] for j in keep])


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
    def score(text: str) -> float:
        # a line the weighing decided is filed or not whatever the cut-off: it may not move the cut-off
        r = parser.parse(text)
        return (1e6 if r.is_request else -1e6) if r.weighed else r.request_score

    titles = [corpus.gov[i]["title"] for i in gov_idx if corpus.gov[i].get("title")]
    return np.array([score(t) for t in titles]), np.array([score(corpus.chat[i]["text"]) for i in chat_idx])


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
