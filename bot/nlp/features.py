"""Features for the linear models: jieba words ("w:…") and character 1-3-grams, TF-IDF weighted
(sublinear tf, l2-normalised). Shared by run time and by training so both see the same features."""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Iterable

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


_SUBLINEAR = [0.0] + [1.0 + math.log(c) for c in range(1, 64)]  # 1 + ln(count) for the usual counts


def vectorise(feats: Iterable[str], vocab: dict[str, int], idf: np.ndarray) -> tuple[list[int], np.ndarray]:
    """Indices and l2-normalised sublinear TF-IDF values of the known features."""
    get = vocab.get
    # counted in C first, then looked up once per distinct feature (same order as first seen)
    known = [(i, c) for f, c in Counter(feats).items() if (i := get(f)) is not None]
    if not known:
        return [], np.zeros(0, dtype=np.float32)
    idx = [i for i, _c in known]
    vals = np.fromiter((_SUBLINEAR[c] if c < len(_SUBLINEAR) else 1.0 + math.log(c) for _i, c in known),
                       dtype=np.float32, count=len(idx)) * idf[idx]
    norm = float(np.sqrt(vals @ vals))
    return idx, vals / norm if norm else vals
