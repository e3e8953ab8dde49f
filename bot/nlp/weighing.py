"""Weighing a group-chat line's evidence into one request decision.

A line of the neighbourhood carries many signals: the message-board model's score, the group-chat
model's, the P0 model's, the cue words, the category words, a place, a question, an ask, a "still
not fixed", a worker's progress, a look-alike's marks (is_chatter), the safety layer's verdict and
the negative evidence it found. Summed by hand (fixed bonuses and margins), they filed a fifth of
the look-alikes a new writer sends while missing requests that name no ask. A logistic regression
fitted on group-chat lines (each line's model scores taken out of fold, so they are as noisy as on
a line never seen) weighs them instead; `bench/groupchat.py --cv 1 --by-writer` measures it on
writers the models never saw.

Pure: numbers in, numbers out; the parser gathers the evidence, training fits the weights.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from bot.nlp.lexicon import MARKS

# the evidence's names, in the order of `Evidence.vector()`; a model file stores them, and a parser
# whose names differ from the file's does not use the file's weights (a model of another version)
SIGNALS = (
    "summed", "board", "chat", "p0", "cue", "anchored", "hit_max", "hits", "place", "chatter", "danger", "p0_layer",
    "against_past", "against_elsewhere", "against_hypothetical", "against_planned", "against_drill",
    "against_minor", "against_notice", "shape_quote", "shape_notice", "length",
    *("mark_" + m for m in MARKS),
)
AGAINST = ("past", "elsewhere", "hypothetical", "planned", "drill", "minor", "notice")
# the probability above which a weighed line is filed: above even, since a look-alike filed is public
# noise while a request not filed can be sent again (chosen by writer-out CV, see README)
CUT = 0.7
# ...and higher for a line tied to the neighbourhood by a common word alone (孩子, 门口, 我家, 公交: no place,
# no category's strong word): chit-chat says those words too ("生了孩子就要负责", "没见过你站门口"), and
# on the message board's chit-chat the weighing filed such lines at probabilities a real report rarely has
CUT_WEAK = 0.8
# A line with nothing of the neighbourhood in it (no place, no anchor or category word) is filed only
# when the message board's cross-validated cut-off agrees as well: weighed alone, such chit-chat was
# filed 1.2 % of the time on the board's CV (0.7 % with the weights asked for 0.9), against 0.44 %
# with both (goal 0.5 %); it costs group-chat lines that name nothing of the neighbourhood.
# ...and a line the hand-summed rules are sure of (request words, a category's words, the
# neighbourhood named, no look-alike mark) stays filed whatever the weights say (sure()): short plain
# reports ("井盖丢了") are few in group chat, and the weights learnt there undervalue them
SURE = 1.5


@dataclass(frozen=True)
class Evidence:
    """What the parser found in one line (scores are raw linear scores, flags 0/1)."""

    summed: float  # parser.summed(): the score summed by hand
    board: float
    chat: float
    p0: float
    cue: float
    anchored: bool
    hit_max: float
    hits: int
    place: bool
    marks: tuple[bool, ...]  # lexicon.request_marks(), in the order of lexicon.MARKS
    chatter: bool
    danger: bool
    p0_layer: bool
    against: str | None
    shape: str
    length: int

    def vector(self) -> np.ndarray:
        """The signals as floats, in the order of SIGNALS."""
        against = [float(self.against == a) for a in AGAINST]
        return np.array([
            max(-3.0, min(self.summed, 5.0)), self.board, self.chat, self.p0, self.cue, float(self.anchored),
            self.hit_max, float(self.hits),
            float(self.place), float(self.chatter), float(self.danger), float(self.p0_layer), *against,
            float(self.shape == "quote"), float(self.shape == "notice"), min(self.length, 80) / 40.0,
            *(float(m) for m in self.marks),
        ], dtype=np.float64)


def files(weights: np.ndarray, bias: float, evidence: Evidence, cut: float = CUT) -> tuple[bool, float]:
    """(filed, margin): whether the weighed line is a request, and by how much (the probability's
    log-odds over `cut`'s; for a line filed because the rules are sure, at least 0)."""
    p = probability(weights, bias, evidence)
    margin = _logit(p) - _logit(cut)
    if sure(evidence):
        margin = max(margin, 0.01)
    return margin > 0, margin


def sure(evidence: Evidence) -> bool:
    """Filed whatever the weights say: the hand-summed rules are sure of it, or a danger is named that
    is only minor or threatened for later (a hazard or a grievance to look at today: P1), and the line
    bears no look-alike mark."""
    if evidence.chatter:
        return False
    return evidence.summed > SURE or (evidence.danger and evidence.against in ("minor", "planned"))


def _logit(p: float) -> float:
    p = min(max(p, 1e-9), 1 - 1e-9)
    return float(np.log(p / (1 - p)))


def probability(weights: np.ndarray, bias: float, evidence: Evidence) -> float:
    """The fitted probability that the line is a request (0..1)."""
    z = float(evidence.vector() @ weights) + bias
    return 1.0 / (1.0 + np.exp(-z))


def fit(vectors: np.ndarray, is_request: np.ndarray) -> tuple[np.ndarray, float]:
    """Weights and bias of a logistic regression on evidence vectors (rows) and 0/1 labels."""
    from sklearn.linear_model import LogisticRegression

    model = LogisticRegression(C=1.0, max_iter=5000).fit(vectors, is_request)
    return model.coef_[0].astype(np.float64), float(model.intercept_[0])
