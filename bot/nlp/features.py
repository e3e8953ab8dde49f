"""Features for the linear models: jieba words ("w:…") and character 1-3-grams, TF-IDF weighted
(sublinear tf, l2-normalised). Shared by run time and by training so both see the same features."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable
from itertools import repeat

import numpy as np

from bot.nlp.text import fold
from bot.nlp.typos import read_through

# organiser masks in the government data ("A市", "K1区", "F5县"): the letter says nothing
_PLACE_MASK = re.compile(r"[a-z]\d{0,2}(?=[市区县])")
_DIGITS = re.compile(r"\d+")
_NON_WORD = re.compile(r"[\W_]+")
_SPLIT = re.compile(r"[\s\W_]+")
MAX_CHARS = 2000  # long letters: the head decides, and it keeps run time bounded


def normalise(text: str) -> str:
    text = read_through(fold(text[:MAX_CHARS]).lower())
    text = _PLACE_MASK.sub("", text)
    return _DIGITS.sub("0", text)


META = True
_PUNCT_END = re.compile(r"[\W_]+$")
_LEN_BINS = (2, 4, 6, 9, 13, 20, 40, 100)


def meta(t: str) -> list[str]:
    """Shape of a message beyond its n-grams: length bucket, first and last characters (sentence-final
    particles such as 呢/啊/哈 and opening words such as 关于/请求), closing punctuation."""
    core = t.strip()
    body = _PUNCT_END.sub("", core)
    n = len(body)
    out = ["#len" + str(next((b for b in _LEN_BINS if n <= b), 999))]
    if body:
        out += ["#^" + body[:1], "#^" + body[:2], "#$" + body[-1:], "#$" + body[-2:]]
    tail = core[len(body):]
    out.append("#p" + (tail[:1] if tail else "-"))
    return out


def features(tokenizer, text: str) -> list[str]:
    """Feature strings of a text (with repeats: they count)."""
    t = normalise(text)
    out = ["w:" + w for w in tokenizer.cut(t, HMM=False) if not _NON_WORD.fullmatch(w)]
    if META:
        out.extend(meta(t))
    for seg in _SPLIT.split(t):
        n = len(seg)
        out.extend(seg)
        out.extend(seg[i:i + 2] for i in range(n - 1))
        out.extend(seg[i:i + 3] for i in range(n - 2))
    return out


# 1 + ln(count) for the usual counts, as float32 (the values' type)
_SUBLINEAR = np.array([0.0] + [1.0 + math.log(c) for c in range(1, 64)], dtype=np.float32)


def weigh(feats: Iterable[str], vocab: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices (int array) and sublinear TF-IDF values (float32, not yet normalised) of the known
    features, in the order first seen: two parts weighed apart and joined are the whole weighed at
    once (unit() then makes them one vector), so the parser weighs a line's words once for every
    model. Counted and looked up in C: this runs for every line the bot reads."""
    counts = Counter(feats)
    ids = np.fromiter(map(vocab.get, counts, repeat(-1)), dtype=np.intp, count=len(counts))
    times = np.fromiter(counts.values(), dtype=np.intp, count=len(counts))
    known = ids >= 0
    idx, times = ids[known], times[known]
    if times.size and times.max() >= len(_SUBLINEAR):  # a feature said 64 times or more
        tf = (1.0 + np.log(times)).astype(np.float32)
    else:
        tf = _SUBLINEAR[times]
    return idx, tf * idf[idx]


def unit(vals: np.ndarray) -> np.ndarray:
    """`vals` l2-normalised (unchanged when all zero or empty)."""
    norm = float(np.sqrt(vals @ vals))
    return vals / norm if norm else vals


def vectorise(feats: Iterable[str], vocab: dict[str, int], idf: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Indices and l2-normalised sublinear TF-IDF values of the known features."""
    idx, vals = weigh(feats, vocab, idf)
    return idx, unit(vals)
