"""Train the parser's linear models and write bot/nlp/model/parser.npz.

    python scripts/train_parser.py [--data ../shared/data]

Inputs: shared/data/gov_messages_dev.jsonl and chitchat_dev.jsonl (see their README for sources
and licences; no rows are copied into the repository, only model weights derived from them) and
the project's own labelled lines in bot/nlp/data/. Deterministic: fixed seeds, sorted vocabulary.
Needs scikit-learn (the `dev` extra).
"""

from __future__ import annotations

import argparse
import hashlib
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bot.nlp import training
from bot.nlp.parser import USER_DICT, Parser


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", help="directory with gov_messages_dev.jsonl and chitchat_dev.jsonl "
                    "(default $GRIDBOT_DATA_DIR or ../shared/data)")
    ap.add_argument("--out", default=str(training.MODEL_FILE))
    args = ap.parse_args()
    data = training.data_dir(args.data)
    if not (data / "gov_messages_dev.jsonl").exists():
        print(f"no data in {data}", file=sys.stderr)
        return 2
    started = time.perf_counter()
    tokenizer = Parser.make_tokenizer(USER_DICT)
    corpus = training.build_corpus(tokenizer, data)
    arrays = training.fit_model(corpus, tokenizer)
    out = Path(args.out)
    training.save(arrays, out)
    digest = hashlib.sha256(out.read_bytes()).hexdigest()[:12]
    print(f"wrote {out} ({out.stat().st_size / 1e6:.2f} MB, {len(arrays['idf'])} features, sha256 {digest}) "
          f"request threshold {float(arrays['req_threshold'][0]):.2f}, in {time.perf_counter() - started:.1f} s")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
