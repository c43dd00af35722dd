"""`make similarity`: how well each ranking finds the same idea in the labelled set.

The set (bench/similarity_set.yaml) has four parts: a dev half, on which rankings and thresholds
are tuned; a held-out half, never tuned on; a fresh part, written later by someone who had not
seen the ranking, to be looked at once per ranking made final (the held-out half had been seen
by then); and a blind part, written last by someone who saw neither the ranking nor the other
parts, looked at once so far. Each part is its own pool: every proposal is looked up against the others of its
part, as a reviewer would look it up against the database. For each ranking and part it prints:

- top-1: the share of grouped proposals whose first shown match is a true duplicate;
- top-3: the share with a true duplicate among the first three shown;
- wrong first: how many grouped proposals show a proposal that is not a duplicate (a near miss
  or anything else) above every true duplicate (or show one and no duplicate at all);
- silent: the share of proposals without a duplicate for which nothing is shown.

Not a test: it measures, it does not assert.

`--half dev` prints the dev half only: the half to look at while tuning, so that the other
parts are seen once, when the ranking is final (`--half held_out`, `fresh` or `blind` for
that part alone; all four by default). `-v` lists the misses, `--sweep` the dev figures over a range
of thresholds.
"""

import math
import os
import sys
from collections import Counter
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SET = Path(__file__).with_name("similarity_set.yaml")
LIMIT = 5
HALVES = ("dev", "held_out", "fresh", "blind")

sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "yachiyo_dx.settings")
os.environ.setdefault("SECRET_KEY", "bench-only-not-secret")
os.environ.setdefault("DEBUG", "0")


def load(path=SET):
    with open(path, encoding="utf-8") as f:
        return yaml.safe_load(f)["proposals"]


def _text(p):
    return p["title"], p.get("issues", ""), p.get("content", "")


# --- Rankings: each takes a pool of proposals and returns a function from a proposal to its
# shown matches [(id, score), ...], best first. ------------------------------------------------


def ngram_tfidf(pool):
    """The portal's ranking before this work: NFKC character 2/3-grams, TF-IDF, cosine, 0.05."""
    from bench.ngram_baseline import SimilarityIndex, join

    index = SimilarityIndex((p["id"], join(*_text(p))) for p in pool)
    return lambda p: index.most_similar(join(*_text(p)), limit=LIMIT, exclude={p["id"]})


def bigram_cosine(pool):
    """Plain character-bigram counts, cosine, nothing below 0.05: a floor to beat."""
    from bench.ngram_baseline import join, ngrams

    vectors = {p["id"]: ngrams(join(*_text(p)), 2) for p in pool}
    norms = {k: math.sqrt(sum(c * c for c in v.values())) for k, v in vectors.items()}

    def lookup(p):
        q = vectors[p["id"]]
        scores = []
        for key, v in vectors.items():
            if key == p["id"] or not norms[key]:
                continue
            dot = sum(c * v.get(g, 0) for g, c in q.items())
            score = dot / (norms[key] * norms[p["id"]])
            if score >= 0.05:
                scores.append((key, score))
        scores.sort(key=lambda s: (-s[1], s[0]))
        return scores[:LIMIT]

    return lookup


def words_bm25(pool, threshold=None):
    """The portal's ranking now (initiatives.similarity), with its threshold."""
    from initiatives.similarity import THRESHOLD, Ranker, features

    threshold = THRESHOLD if threshold is None else threshold
    counts = {p["id"]: features(*_text(p)) for p in pool}
    ranker = Ranker(counts)
    return lambda p: [
        (m.key, m.score)
        for m in ranker.matches(
            counts[p["id"]], limit=LIMIT, exclude={p["id"]}, threshold=threshold
        )
    ]


RANKINGS = {
    "char 2/3-gram TF-IDF (before)": ngram_tfidf,
    "char bigram cosine": bigram_cosine,
    "words BM25, no threshold": lambda pool: words_bm25(pool, threshold=1e-9),
    "words BM25 (now)": words_bm25,
}


# --- Figures ---------------------------------------------------------------------------------


def evaluate(proposals, build):
    lookup = build(proposals)
    by_id = {p["id"]: p for p in proposals}
    groups = Counter(p.get("group") for p in proposals if p.get("group"))
    grouped = top1 = top3 = wrong_first = 0
    lonely = silent = 0
    misses = []
    for p in proposals:
        shown = [key for key, _ in lookup(p)]
        group = p.get("group")
        if group and groups[group] > 1:
            grouped += 1
            hits = [i for i, key in enumerate(shown) if by_id[key].get("group") == group]
            first_hit = hits[0] if hits else math.inf
            top1 += first_hit == 0
            top3 += first_hit < 3
            if shown and first_hit > 0:
                wrong_first += 1
                misses.append(f"{p['id']} → {shown[0]}")
        else:
            lonely += 1
            silent += not shown
            if shown:
                misses.append(f"{p['id']} (no duplicate) → {shown[0]}")
    return {
        "grouped": grouped,
        "top1": top1 / grouped if grouped else 0,
        "top3": top3 / grouped if grouped else 0,
        "wrong_first": wrong_first,
        "lonely": lonely,
        "silent": silent / lonely if lonely else 0,
        "misses": misses,
    }


def sweep(dev):
    """The figures of the dev half for a range of thresholds: how THRESHOLD was chosen."""
    print(f"{'threshold':>9} {'top-1':>7} {'top-3':>7} {'wrong 1st':>10} {'silent':>7}")
    for step in range(5, 41, 1):
        t = step / 100
        r = evaluate(dev, lambda pool, t=t: words_bm25(pool, threshold=t))
        print(
            f"{t:9.2f} {r['top1']:7.0%} {r['top3']:7.0%} "
            f"{r['wrong_first']:>4} / {r['grouped']:<3} {r['silent']:7.0%}"
        )


def main(argv):
    import django

    django.setup()
    proposals = load()
    if "--sweep" in argv:
        return sweep([p for p in proposals if p["split"] == "dev"])
    verbose = "-v" in argv
    halves = {half: [] for half in HALVES}
    for p in proposals:
        halves[p["split"]].append(p)
    if "--half" in argv:
        wanted = argv[argv.index("--half") + 1 :][:1]
        if not wanted or wanted[0] not in halves:
            sys.exit(f"--half takes one of: {', '.join(halves)}")
        halves = {wanted[0]: halves[wanted[0]]}
    groups = {p["group"] for p in proposals if p.get("group")}
    near = sum(1 for p in proposals if p.get("near"))
    print(
        f"Labelled set: {len(proposals)} proposals, {len(groups)} groups of the same idea, "
        f"{near} near misses; "
        + ", ".join(f"{half} {sum(p['split'] == half for p in proposals)}" for half in HALVES)
        + "."
    )
    header = f"{'ranking':32} {'half':9} {'top-1':>7} {'top-3':>7} {'wrong 1st':>10} {'silent':>7}"
    print(header)
    print("-" * len(header))
    for name, build in RANKINGS.items():
        for half, pool in halves.items():
            r = evaluate(pool, build)
            print(
                f"{name:32} {half:9} {r['top1']:7.0%} {r['top3']:7.0%} "
                f"{r['wrong_first']:>4} / {r['grouped']:<3} {r['silent']:7.0%}"
            )
            if verbose and r["misses"]:
                print("    " + ", ".join(r["misses"]))
    print(
        "top-1 / top-3: grouped proposals with a true duplicate shown first / in the first three;"
        "\nwrong 1st: grouped proposals shown a non-duplicate above every true duplicate;"
        "\nsilent: proposals without a duplicate for which nothing is shown."
    )


if __name__ == "__main__":
    main(sys.argv[1:])
