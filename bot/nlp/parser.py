"""Message understanding: is it a request, which grid category, which department family, how
urgent, what nature, where, and which words decided it; plus cadres' plain-words check-ins.

Rules where rules do better (emergencies, chatter, places, phone numbers, check-ins), linear
models where statistics do (department; request vs chatter; category when no rule fires).
The models are trained by scripts/train_parser.py into bot/nlp/model/parser.npz.
"""

from __future__ import annotations

import contextlib
import logging
import re
import threading
from dataclasses import dataclass, replace
from functools import lru_cache
from pathlib import Path

import numpy as np

from bot.nlp import lexicon as lx
from bot.nlp import safety, weighing
from bot.nlp.dept_cues import cue_features
from bot.nlp.features import features, unit, vectorise, weigh
from bot.nlp.location import Location, find_location
from bot.nlp.pii import Pii, find_pii
from bot.nlp.shape import Reading, read_shape
from bot.nlp.text import fold
from bot.nlp.typos import read_duty_through, read_through

MODEL_FILE = Path(__file__).parent / "model" / "parser.npz"
USER_DICT = Path(__file__).parent / "userdict.txt"
# jieba caches its parsed dictionary (9 MB) here, never in the shared temp dir: a cache file there
# owned by another user (installed as root, run as the service user) fails every start and leaves
# a temp file behind. `set_cache_dir` (from the `cache_dir` setting) moves it.
_cache_dir = Path("var/cache")


def set_cache_dir(path: Path) -> None:
    """Where jieba keeps its cache (the bot's own var directory), for parsers loaded from now on."""
    global _cache_dir
    _cache_dir = path
REQUEST_THRESHOLD = 0.3  # only for a model file without its own (cross-validated) threshold
CUE_UNANCHORED = 0.3  # a cue word ("怎么办", "请问") with nothing of the neighbourhood around it
HIT_BONUS = 0.5
CHAT_MARGIN = 0.2


@dataclass(frozen=True)
class ParseResult:
    is_request: bool
    category: str
    department: str
    urgency: str
    nature: str | None
    location: Location | None
    keywords: tuple[str, ...]
    pii: list[Pii]
    request_score: float = 0.0
    shape: str = "text"  # how the line was read before its words (shape.SHAPES)
    alarm: safety.Alarm = safety.NONE  # the P0 layer's verdict, with its evidence
    weighed: bool = False  # decided by the fitted weighing (weighing.py), not by the threshold
    from_quote: bool = False  # a reply taking up the P0 of the words it quotes (Parser.read)

    def to_dict(self, id: object = None, checkin: CheckinGuess | None = None) -> dict[str, object]:
        return {
            "id": id, "is_request": self.is_request, "category": self.category, "department": self.department,
            "urgency": self.urgency, "nature": self.nature,
            "location": self.location.to_dict() if self.location else None,
            "keywords": list(self.keywords), "pii": [p.to_dict() for p in self.pii],
            "score": round(self.request_score, 3),
            "checkin": checkin.to_dict() if checkin else None,
            "shape": self.shape,
        }


@dataclass(frozen=True)
class CheckinGuess:
    kind: str  # duty_day, night_visit, visit, party_lesson, meeting, leave
    households: int | None
    tags: tuple[str, ...]
    meeting_type: str | None
    note: str

    def to_dict(self) -> dict[str, object]:
        """The `"checkin"` of `gridbot parse --as cadre`: what the bot would record."""
        return {"kind": self.kind, "households": self.households, "text": self.note}


@dataclass(frozen=True)
class Understanding:
    """A line read whole: its shape, the parse of its new words, and (for a cadre) the check-in."""

    reading: Reading
    result: ParseResult
    checkin: CheckinGuess | None

    def to_dict(self, id: object = None) -> dict[str, object]:
        return self.result.to_dict(id=id, checkin=self.checkin)


NEVER_A_REQUEST = frozenset({"system", "link", "chain", "relay"})  # shapes that carry no request


def cleaned(text: str, pii: list[Pii]) -> tuple[str, str]:
    """(s, clean): the line folded, lower-cased and read through typos; and the same with phone
    numbers, ID numbers and links blanked (they say nothing about the request: the models read `clean`)."""
    s = read_through(fold(text).lower()).strip()
    clean = s
    for p in reversed(pii):
        clean = clean[:p.start] + " " + clean[p.end:]
    return s, lx.URL.sub(" ", clean)


@dataclass(frozen=True)
class Found:
    """A line's evidence, and what the rules decided on their own."""

    evidence: weighing.Evidence
    alarm: safety.Alarm
    hits: dict[str, tuple[float, list[str]]]
    never: bool  # a shape that carries no request, a notice with no danger now, a story from elsewhere

    @property
    def local(self) -> bool:
        """Of the neighbourhood: a place, an anchor word or a category's strong words (`anchored`), or a
        danger named that is only minor or threatened ("充电口一直有焦糊味 插头都烤黑了 还没着": a hazard
        here). A category's weak word alone (臭, 塑料袋, 建议, 什么时候开始) is not: chit-chat uses them
        too ("臭不要脸", "我还在思考什么时候开始做"), so such a line is filed only when the message
        board's cut-off agrees with the weighing."""
        minor_danger = self.alarm.danger and self.alarm.against in ("minor", "planned")
        return self.evidence.anchored or minor_danger

    @property
    def weakly_local(self) -> bool:
        """Of the neighbourhood by a common word alone (孩子, 门口, 我家): no place, no category's strong
        word, no danger named; weighed against weighing.CUT_WEAK."""
        return self.local and not self.evidence.place and self.evidence.hit_max < 3 and not self.alarm.danger

    @property
    def weighed(self) -> bool:
        """Weighed by the fitted weights: a line the rules leave open (a line with nothing of the
        neighbourhood in it is filed only when the board's cut-off agrees too: see Parser.parse)."""
        return not self.never and not self.alarm.p0


def gather(s: str, clean: str, shape: str, location: Location | None, board: float, chat: float | None,
           p0: float | None) -> Found:
    """The evidence of one line (`s`, `clean` from cleaned(); the three model scores) — shared by
    the parser and by training, which fits the weighing on it."""
    alarm = safety.assess(clean, shape, p0)
    hits = lx.category_hits(clean)
    never = shape in NEVER_A_REQUEST or (shape == "notice" and not alarm.p0) or alarm.against == "elsewhere" \
        or (lx.is_group_business(s) and not alarm.p0)
    anchored = bool(location or lx.ANCHOR.search(clean) or any(h[0] >= 3 for h in hits.values()))
    cue, chatter = lx.request_cue(clean), lx.is_chatter(s)
    evidence = weighing.Evidence(
        board=board, chat=chat if chat is not None else board, p0=p0 if p0 is not None else 0.0,
        summed=summed(board, chat, cue, anchored, hits, alarm, chatter or never), cue=cue, anchored=anchored,
        hit_max=max((h[0] for h in hits.values()), default=0.0),
        hits=len(hits), place=location is not None, marks=lx.request_marks(clean),
        chatter=chatter, danger=alarm.danger, p0_layer=alarm.p0, against=alarm.against, shape=shape,
        length=len(s))
    return Found(evidence, alarm, hits, never)


def summed(board: float, chat: float | None, cue: float, anchored: bool, hits: dict, alarm: safety.Alarm,
           chatter: bool) -> float:
    """The request score summed by hand (the message board's letters and chit-chat, whose cut-off is
    cross-validated on them; models without weights); also one of the signals the weighing weighs.
    `chat` None: a model without the group-chat request model; `chatter`: a look-alike or a shape or
    story that never carries a request."""
    req_score = board
    if (anchored or hits) and chat is not None:
        # a line of the neighbourhood is also read as group chat: the board's model alone misses
        # colloquial requests, and the group-chat model alone takes chit-chat for them
        req_score = max(req_score, chat - CHAT_MARGIN)
    score = req_score + (cue if anchored else min(cue, CUE_UNANCHORED))
    if alarm.danger and not alarm.p0 and alarm.against in ("minor", "planned"):
        score += HIT_BONUS  # a danger named without being one now (a threat, a sag): still worth a look
    if chatter and not alarm.p0:
        score = min(score, -1.0)
    if alarm.p0:
        score = max(score, 1.0)
    elif hits and anchored and not chatter:
        score += HIT_BONUS
    return score


def _building_from_quote(result: ParseResult, quoted: str) -> ParseResult:
    """A reply that names a unit or a room but no building ("「物业：3号楼燃气检修」 2单元楼道里味儿好冲")
    is about the building the quote names."""
    here = result.location
    if here is None or here.building is not None or not (here.unit or here.room):
        return result
    there = find_location(quoted)
    if there is None or there.building is None:
        return result
    return replace(result, location=replace(here, building=there.building))


def _split(blob: np.ndarray) -> list[str]:
    return blob.tobytes().decode("utf-8").split("\n")


class Parser:
    def __init__(self, model_file: Path = MODEL_FILE, user_dict: Path = USER_DICT, tokenizer=None,
                 arrays: dict[str, np.ndarray] | None = None) -> None:
        """`arrays` (as returned by training.fit) instead of a model file: used by the CV in training."""
        self.tokenizer = tokenizer if tokenizer is not None else self.make_tokenizer(user_dict)
        if arrays is not None:
            self._load(arrays)
        else:
            with np.load(model_file) as z:
                self._load(z)

    def _load(self, z) -> None:
        terms = _split(z["vocab"])
        self.vocab = {t: i for i, t in enumerate(terms)}
        self.idf = z["idf"].astype(np.float32)
        self.dept_w = z["dept_w"].astype(np.float32)
        self.dept_b = z["dept_b"].astype(np.float32)
        self.req_w = z["req_w"].astype(np.float32)
        self.req_b = float(z["req_b"][0])
        self.cat_w = z["cat_w"].astype(np.float32)
        self.cat_b = z["cat_b"].astype(np.float32)
        # the safety layer's learnt second opinion (none in a model trained before it existed)
        self.p0_w = z["p0_w"].astype(np.float32) if "p0_w" in z else None
        self.p0_b = float(z["p0_b"][0]) if "p0_b" in z else 0.0
        # the group-chat genre's request model, asked for lines tied to the neighbourhood
        self.chat_w = z["chat_w"].astype(np.float32) if "chat_w" in z else None
        self.chat_b = float(z["chat_b"][0]) if "chat_b" in z else 0.0
        # the fitted weighing of a neighbourhood line's evidence (weighing.py), when the file has one
        # for the same signals
        self.weighing = None
        if "weigh_w" in z and _split(z["weigh_names"]) == list(weighing.SIGNALS):
            self.weighing = (z["weigh_w"].astype(np.float64), float(z["weigh_b"][0]))
        # the models that read a line's words without the cue words, side by side: one product per line
        # (columns: request, group-chat request, learnt P0, then the categories)
        columns = [self.req_w, self.chat_w if self.chat_w is not None else self.req_w,
                   self.p0_w if self.p0_w is not None else self.req_w]
        self._line_w = np.ascontiguousarray(np.column_stack([*columns, self.cat_w]))
        self.departments = _split(z["departments"])
        self.categories = _split(z["categories"])
        # the cut-off is chosen by cross-validation when the model is trained (training.fit_model)
        self.threshold = float(z["req_threshold"][0]) if "req_threshold" in z else REQUEST_THRESHOLD
        # department cue features (dept_cues.py), seen by the department model only
        self.dept_cues = bool(z["dept_cues"][0]) if "dept_cues" in z else False
        self.terms = terms
        # the terms a keyword may be: a word of two or more characters with no number in it
        self._keyword_term = np.array([t.startswith("w:") and len(t) > 3 and "0" not in t for t in terms])

    @staticmethod
    def make_tokenizer(user_dict: Path = USER_DICT, cache_dir: Path | None = None):
        """A jieba Tokenizer of our own (the global one stays untouched) with the project dictionary,
        its cache in `cache_dir` (default: the configured one). A directory that cannot be made
        or written only costs the cache (jieba then parses its dictionary at every start)."""
        import jieba

        jieba.setLogLevel(logging.WARNING)
        directory = cache_dir or _cache_dir
        with contextlib.suppress(OSError):
            directory.mkdir(parents=True, exist_ok=True)
        tokenizer = jieba.Tokenizer()
        tokenizer.tmp_dir, tokenizer.cache_file = str(directory), "jieba.cache"
        tokenizer.initialize()
        with user_dict.open("rb") as words:  # jieba leaves a path it opened itself unclosed
            tokenizer.load_userdict(words)
        for word in lx.ALL_KEYWORDS:  # rule words stay whole in the token stream
            tokenizer.add_word(word, 1000)
        return tokenizer

    # ------------------------------------------------------------------ models

    def department_scores(self, text: str, title: str | None = None) -> np.ndarray:
        """Scores of the departments; a letter's subject line, when given, counts twice (as in training)."""
        full = (title + "\n" + text) if title else text
        feats = features(self.tokenizer, full)
        if title:
            feats += features(self.tokenizer, title)
        if self.dept_cues:
            feats += cue_features(full) + (cue_features(title) if title else [])
        idx, vals = vectorise(feats, self.vocab, self.idf)
        return vals @ self.dept_w[idx] + self.dept_b if len(idx) else self.dept_b.copy()

    # ------------------------------------------------------------------ parse

    def parse(self, text: str, shape: str = "text") -> ParseResult:
        """Parse the words of a line; `shape` is how the line was read before them (shape.read_shape:
        `text` then holds the new words of a quote). System lines, cards, 接龙 and relayed news are
        never requests; a notice is one only when the safety layer sees a danger now."""
        text = text or ""
        pii = find_pii(text)
        s, clean = cleaned(text, pii)
        if not s:
            return ParseResult(False, "other", self.departments[0], "P3", None, None, (), pii, shape=shape)
        idx, raw = weigh(features(self.tokenizer, clean), self.vocab, self.idf)
        vals = unit(raw)
        # the department model alone also sees the cue-word features (same vector when there are none)
        cues = cue_features(clean) if self.dept_cues else []
        c_idx, c_raw = weigh(cues, self.vocab, self.idf) if cues else (idx[:0], raw[:0])
        d_idx, d_vals = idx, vals
        if len(c_idx):
            d_idx, d_vals = np.concatenate((idx, c_idx)), unit(np.concatenate((raw, c_raw)))
        dept_scores = d_vals @ self.dept_w[d_idx] + self.dept_b if len(d_idx) else self.dept_b
        known = len(idx) > 0
        line = vals @ self._line_w[idx] if known else np.zeros(self._line_w.shape[1], dtype=np.float32)
        req_score = float(line[0]) + self.req_b if known else self.req_b
        p0_score = float(line[2]) + self.p0_b if self.p0_w is not None and known else None
        chat = None
        if self.chat_w is not None:
            chat = float(line[1]) + self.chat_b if known else self.chat_b
        location = find_location(text)
        found = gather(s, clean, shape, location, req_score, chat, p0_score)
        alarm, hits, weighed = found.alarm, found.hits, False
        score = found.evidence.summed
        board_files = alarm.p0 or score > self.threshold  # a danger now is filed at any cut-off
        is_request = board_files
        if found.weighed and self.weighing is not None:
            # a line the rules leave open: its evidence weighed by the fitted weights (weighing.py); one
            # with nothing of the neighbourhood in it (the message board's chit-chat) is filed only when
            # the board's cross-validated cut-off agrees as well
            cut = weighing.CUT_WEAK if found.weakly_local else weighing.CUT
            filed, margin = weighing.files(*self.weighing, found.evidence, cut)
            if found.local:
                is_request, score, weighed = filed, self.threshold + margin, True
            elif not filed:
                is_request, score, weighed = False, min(score, self.threshold - 1.0), True

        if lx.hazard_left_standing(alarm, clean, found.evidence.chatter) and not found.never:
            is_request = True  # a danger imagined or fallen harmlessly leaves a hazard to make safe
        department = self.departments[int(np.argmax(dept_scores))]
        if not is_request:
            return ParseResult(False, "other", department, "P3", None, location,
                               self._top_words(d_idx, d_vals, dept_scores), pii, score, shape, alarm, weighed)

        if alarm.p0:  # the safety layer decides P0 and its category; no model may lower it
            category, keywords = alarm.category or "emergency", [alarm.word] if alarm.word else []
        else:
            instead = lx.instead_of_alarm(alarm)
            if instead is not None:  # a danger only imagined, threatened or minor: what it is instead
                category = instead
            else:  # the model, trained on group-chat lines; never emergency (only the layer says that)
                cat_scores = np.array(line[3:] + self.cat_b if known else self.cat_b, dtype=float)
                cat_scores[self.categories.index("emergency")] = -np.inf
                if not lx.TWO_PARTIES.search(clean):  # a dispute takes two: a roof's leak is nobody's quarrel
                    cat_scores[self.categories.index("dispute")] = -np.inf
                category = self.categories[int(np.argmax(cat_scores))]
            keywords = list(hits[category][1]) if category in hits else []
        if not keywords:
            keywords = list(self._top_words(d_idx, d_vals, dept_scores))
        urgency = "P0" if alarm.p0 else lx.urgency(category, clean)
        if urgency == "P0" and not alarm.p0:
            urgency = "P1"  # the model and the category rules never raise a P0 by themselves
        nature = lx.nature(category, clean)
        return ParseResult(True, category, department, urgency, nature, location, tuple(keywords[:4]), pii, score,
                           shape, alarm, weighed)

    def understand(self, text: str, *, role: str = "resident", bot_name: str | None = None,
                   quote: str | None = None) -> Understanding:
        """Read a raw line whole, as the bot does: its shape first, then its new words; for a
        cadre (`role="cadre"`) a plain-words check-in is what the bot records (see `of_cadre`)."""
        reading = read_shape(text, bot_name=bot_name, quote=quote)
        result = self.read(reading)
        checkin = None
        if role == "cadre" and reading.shape in ("text", "quote"):
            checkin, result = self.of_cadre(reading.text, result)
        return Understanding(reading, result, checkin)

    def read(self, reading: Reading) -> ParseResult:
        """The parse of a line as read before its words (shape.read_shape): its new words, and for a
        reply that takes up a quoted call for help still going on ("「王大爷：我摔了 起不来」 谁有他家钥匙"),
        the quoted danger filed as the reply's P0 (the reply is the call; a reply that closes it is not)."""
        result = self.parse(reading.text, shape=reading.shape)
        if reading.shape != "quote" or not reading.quoted:
            return result
        result = _building_from_quote(result, reading.quoted)
        if not safety.takes_up(read_through(fold(reading.text).lower())):
            return result
        quoted = self.parse(reading.quoted)
        if not quoted.alarm.p0:
            return result
        if result.alarm.p0:
            return replace(result, from_quote=True)
        return replace(result, is_request=True, category=quoted.category, department=quoted.department,
                       urgency="P0", nature=quoted.nature, location=result.location or quoted.location,
                       keywords=quoted.keywords, alarm=quoted.alarm, from_quote=True)

    def of_cadre(self, text: str, result: ParseResult) -> tuple[CheckinGuess | None, ParseResult]:
        """A cadre's line read as duty and as a report: (the check-in or None, the parse kept or
        closed). Rounds among the households (a visit, a night visit, a day in the community) that the
        parse files as a request are both ("夜访走到8号楼 楼道灯全不亮 请物业修一下": the visit is
        recorded and the lights filed), unless the cadre dealt with it ("走访两户 帮她办了高龄补贴"); when
        the whole line reads as no request, an ask after the opening account is read on its own;
        leave, a meeting or a lecture files nothing. A danger named now is always filed."""
        checkin = self.checkin(text)
        if checkin is None:
            return checkin, result
        s = read_duty_through(read_through(fold(text)))
        rounds = checkin.kind in ("visit", "night_visit", "duty_day")  # duty out among the households
        named = result.alarm.p0 and result.alarm.kind != "learnt"
        closed = replace(result, is_request=False, category="other", urgency="P3", nature=None)
        if named:
            return checkin, result
        dealt = bool(lx.CHECKIN_DEALT.search(s))
        # the learnt P0 score alone (no danger in words) does not outweigh a line that reads as duty done
        if result.is_request and not result.alarm.p0:
            # the reason for leave ("老娘摔了一跤 要带她去医院") is no report: only a danger now keeps it filed
            reported = rounds or (_names_a_problem(s) and (checkin.kind != "leave" or _CAME_UPON.search(s)))
            return checkin, result if reported and not dealt else closed
        if not rounds or dealt:
            return checkin, closed
        # the account of duty reads like no request to the models: what was found on the rounds is read
        # on its own ("入户时吴大爷说家里没暖气 冻得睡不着"), as is an ask after the opening account
        # ("看望了两户老人 其中孙奶奶腿肿得厉害 请社区医生上门看看")
        told = _DUTY_LEAD.sub("", s, count=1)
        rest = _FIRST_CLAUSE.sub("", s, count=1)
        for words in (told, rest if lx.CHECKIN_ASK.search(rest) else ""):
            found = self.parse(words) if words and words != s and _names_a_problem(words) else None
            if found is not None and found.is_request and not (found.alarm.p0 and found.alarm.kind == "learnt"):
                return checkin, replace(found, location=found.location or result.location)
        return checkin, closed

    def _top_words(self, idx: np.ndarray, vals: np.ndarray, dept_scores: np.ndarray, n: int = 3) -> tuple[str, ...]:
        """The word features that pushed the chosen department most (ties: the first seen)."""
        if not len(idx):
            return ()
        best = int(np.argmax(dept_scores))
        contrib = vals * self.dept_w[idx, best]
        pick = np.flatnonzero(self._keyword_term[idx] & (contrib > 0))
        top = idx[pick[np.argsort(-contrib[pick], kind="stable")[:n]]]
        return tuple(self.terms[i][2:] for i in top.tolist())

    # ------------------------------------------------------------------ check-ins

    def checkin(self, text: str) -> CheckinGuess | None:
        """A cadre's plain-words account of duty done (or leave taken), or None: questions, asks,
        plans, notices and instructions are not check-ins. Duty done that found a problem is still
        duty done (the problem is filed as well: `of_cadre`)."""
        s = read_duty_through(read_through(fold(text or ""))).strip()
        if not s or len(s) > 200:
            return None
        kind, at, end = next(((name, m.start(), m.end()) for name, pattern in lx.CHECKIN_FIRST
                              if (m := pattern.search(s))), (None, 0, 0))
        if kind is None:
            found = [(m.start(), m.end(), name) for name, pattern in lx.CHECKIN_KINDS if (m := pattern.search(s))]
            if place := lx.duty_by_place(s, found):
                found.append((*place, "duty_day"))
            if found:
                at, end, kind = min(found)
        said = lx.FORM_PLACE.sub(" ", s) if lx.CHECKIN_FORM.search(s) else s
        rounds_found = kind in ("visit", "night_visit", "duty_day") and bool(
            _FOUND_ON_ROUNDS.match(s, end) or _names_a_problem(s[end:]))
        if kind is not None and safety.names_danger(s):
            said = said[:at]  # a danger met on duty: the cries after it ("谁来帮下忙") are the report's
        elif rounds_found:
            clause = _CLAUSE_END.search(said, end)
            # what the rounds found ("夜访时看到…啥手续都没有") speaks of it, not of the duty
            said = said[:clause.start() if clause else len(said)]
        if kind is None or lx.CHECKIN_NOT.search(lx.INDIRECT_QUESTION.sub(" ", said)) or lx.CHECKIN_ABOUT.match(s, end):
            return None
        summary = lx.CHECKIN_SUMMARY.search(s) if kind not in ("leave", "meeting") else None
        if summary and not lx.TODAY.search(s, 0, summary.start()):
            return None  # a period's figures
        if (ask := lx.CHECKIN_ASK.search(s)) and ask.start() < at:
            return None  # an ask for the duty, not the duty
        if lx.CHECKIN_REPORTED.search(s, 0, at):
            return None  # someone's duty complained of, not the writer's
        if kind == "visit" and lx.BARE_LOOK.fullmatch(s, at, end) and lx.CHECKIN_PROBLEM.search(s) \
                and not lx.PERSON_AFTER.match(s, end):
            return None  # a case checked ("刚去看了 楼道灯确实坏了三个"), not a household visited
        if lx.someone_else_does_it(s, at, kind):
            return None
        if lx.ACKNOWLEDGED.match(s.lower()) and not lx.PERFECTIVE.search(s):
            return None  # "收到 周五的交流会我去": a reply to a notice, nothing done yet
        if lx.CASE_TOPIC.search(s[:at]):
            return None  # progress on a case
        if kind == "leave" and lx.LEAVE_INTENDED.search(s[:at]):
            return None  # leave thought of, not asked for
        if kind != "leave" and lx.CHECKIN_UNDONE.search(s, max(0, at - 8), end + 12):
            return None  # duty that did not happen (told next to it: "今天没去走访", "支委会推迟了")
        if kind in ("duty_day", "visit", "night_visit") and lx.CHECKIN_AWAY.search(s):
            return None  # not in the community that day
        if kind == "leave" and lx.LEAVE_CANCELLED.search(s):
            return None  # leave taken back
        if kind == "leave" and lx.LEAVE_OF_OTHER.search(s, 0, end):
            return None  # a colleague's leave passed on
        future = lx.CHECKIN_FUTURE.search(s, 0, end if rounds_found else len(s))
        if kind != "leave" and future and (future.start() < at or not lx.CHECKIN_DONE.search(s)):
            return None  # a plan, not duty done
        tags = tuple(tag for tag, pattern in lx.CHECKIN_TAGS if pattern.search(s))
        meeting_type = None
        if kind == "meeting":
            meeting_type = next((name for name, pattern in lx.MEETING_TYPES if pattern.search(s)), None)
        households = lx.households(s, kind) if kind in ("visit", "night_visit") else None
        return CheckinGuess(kind=kind, households=households, tags=tags, meeting_type=meeting_type, note=text.strip())


# the duty that opens a cadre's line, up to what was found on it ("走访中发现", "入户时", "夜访到")
_FOUND = r"(?:发现|看到|看见|听到|听说|闻到|了解到|得知)"  # what duty came upon
_CAME_UPON = re.compile(_FOUND)
_DUTY_LEAD = re.compile(r"^[^，。,;；\s]{0,8}?(?:走访|入户|夜访|看望|上门|巡查|值班|驻点|坐班)[^，。,;；\s]{0,3}?"
                        rf"(?:时|的时候|中|过程中|途中|到)?{_FOUND}?")
def _names_a_problem(s: str) -> bool:
    """Whether a cadre's words name a problem or ask for one to be acted on: a lecture's or a meeting's
    account is filed as a report only then, and so is what is read on its own after a duty's opening."""
    marks = dict(zip(lx.MARKS, lx.request_marks(s), strict=True))
    return bool(lx.CHECKIN_PROBLEM.search(s) or lx.CHECKIN_ASK.search(s) or marks["problem"] or marks["ask"])


# what a duty's words are followed by when it found something: "走访三社的时候听说…", "夜访时看到…"
_FOUND_ON_ROUNDS = re.compile(rf"[^，。,;；\s]{{0,8}}?(?:时|的时候|中|途中)?{_FOUND}")
_CLAUSE_END = re.compile(r"[\s，。,;；!！]")
_FIRST_CLAUSE = re.compile(r"^[^\s，。,;；!！]*[\s，。,;；!！]+")  # the account of duty that opens a cadre's line
_lock = threading.Lock()


@lru_cache(maxsize=1)
def _cached() -> Parser:
    return Parser()


def get_parser() -> Parser:
    """The process-wide parser (jieba tokenizer and model loaded once)."""
    with _lock:
        return _cached()



