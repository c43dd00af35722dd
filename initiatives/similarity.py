"""Finding proposals that express the same idea, so that the secretariat sees duplicates early.

Several departments often propose the same thing in different words. Japanese has no spaces
between words, and a morphological analyser (MeCab, Sudachi) would be a heavy dependency with a
dictionary to maintain, so texts are compared by overlapping character n-grams instead: after
NFKC normalisation (ＡＩ→ai, ｶﾀｶﾅ→カタカナ) the bigrams 「議事」「事録」 match whichever way a
sentence is segmented. N-grams are weighted by TF-IDF over the candidate set, so that stock words
of every proposal (「導入」「活用」「業務」) count for little, and documents are compared by the
cosine of their vectors (0 = nothing in common, 1 = the same text). An inverted index keeps a
query to the documents that share at least one n-gram with it.
"""

import heapq
import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable

from django.db.models import Count, Max

from .workflow import NOT_SIMILAR

# How often the title counts against the body: it names the idea most compactly.
TITLE_WEIGHT = 2
# Scores below this share only stock phrases, not an idea.
MIN_SCORE = 0.05
# N-gram sizes that make up a document vector.
NGRAM_SIZES = (2, 3)
# States whose initiatives are not worth pointing at: unfinished, withdrawn or already merged.
EXCLUDED_STATES = NOT_SIMILAR

# Unicode categories dropped by `normalise`: punctuation (、。・「」（）…), separators (spaces,
# including the ideographic one), control characters (newlines, tabs) and symbols (※〒→＋).
_DROPPED = frozenset("PZCS")


class _Separators(dict):
    """A `str.translate` table, filled as characters are met: dropped ones become a space."""

    def __missing__(self, code):
        char = chr(code)
        self[code] = value = " " if unicodedata.category(char)[0] in _DROPPED else char
        return value


_SEPARATORS = _Separators()


def _segments(text: str) -> list[str]:
    """The normalised runs of text between whitespace, punctuation and symbols."""
    return unicodedata.normalize("NFKC", text or "").lower().translate(_SEPARATORS).split()


def normalise(text: str) -> str:
    """NFKC (full-width letters and digits, half-width katakana), lower case, and no whitespace,
    punctuation or symbols: 「ＡＩ　チャット・ボット。」→ "aiチャットボット"."""
    return "".join(_segments(text))


def ngrams(text: str, n=2) -> Counter:
    """Counts of the character n-grams of the normalised text.

    N-grams do not straddle punctuation or line breaks (「導入。会議」 gives no 「入会」); a run
    shorter than n counts as a whole (「税」), so that short words are not lost.
    """
    return _count(_segments(text), (n,))


def _count(segments: list[str], sizes) -> Counter:
    counts = Counter()
    shortest = min(sizes)
    for segment in segments:
        if len(segment) < shortest:
            counts[segment] += 1
            continue
        for n in sizes:
            if len(segment) >= n:
                # The shifted copies are of unequal length on purpose: zip stops at the shortest.
                counts.update(map("".join, zip(*(segment[i:] for i in range(n)), strict=False)))
    return counts


def _features(text: str, sizes=NGRAM_SIZES) -> Counter:
    """The n-grams of every size in `sizes`, counted together."""
    return _count(_segments(text), sizes)


def _join(title: str, current_issues: str, content: str) -> str:
    return "\n".join([title or ""] * TITLE_WEIGHT + [current_issues or "", content or ""])


def document_text(initiative) -> str:
    """The text an initiative is compared by: title (counted TITLE_WEIGHT times), 現状と課題 and
    取組内容."""
    return _join(initiative.title, initiative.current_issues, initiative.content)


class SimilarityIndex:
    """TF-IDF vectors of a fixed set of documents, searchable by cosine similarity.

    Built once from (key, text) pairs; keys must be hashable and mutually comparable (ties are
    broken by key). IDF is computed over these documents only.
    """

    def __init__(self, items: Iterable[tuple[Hashable, str]], *, sizes=NGRAM_SIZES):
        self.sizes = tuple(sizes)
        counts = {key: _features(text, self.sizes) for key, text in items}
        self.size = len(counts)
        document_frequency = Counter()
        for features in counts.values():
            document_frequency.update(features.keys())
        # Smoothed as in scikit-learn: never zero, and n-grams unseen in the set weigh most.
        self._unseen_idf = math.log(self.size + 1) + 1
        self.idf = {
            gram: math.log((self.size + 1) / (df + 1)) + 1
            for gram, df in document_frequency.items()
        }
        self.vectors: dict[Hashable, dict[str, float]] = {}
        self.norms: dict[Hashable, float] = {}
        self.postings: dict[str, list[tuple[Hashable, float]]] = defaultdict(list)
        for key, features in counts.items():
            vector = {gram: tf * self.idf[gram] for gram, tf in features.items()}
            norm = math.sqrt(sum(w * w for w in vector.values()))
            self.vectors[key] = vector
            self.norms[key] = norm
            if norm:
                for gram, weight in vector.items():
                    self.postings[gram].append((key, weight / norm))
        self.postings = dict(self.postings)

    def __len__(self):
        return self.size

    def query_vector(self, text: str) -> dict[str, float]:
        """TF-IDF weights of a text against this set (n-grams the set lacks included, so that a
        text with much that is new does not look like a perfect match)."""
        return {
            gram: tf * self.idf.get(gram, self._unseen_idf)
            for gram, tf in _features(text, self.sizes).items()
        }

    def most_similar(
        self, text: str, limit=5, exclude=(), min_score=MIN_SCORE
    ) -> list[tuple[Hashable, float]]:
        """The `limit` documents most similar to `text`, best first, as (key, cosine) pairs;
        equal scores in key order, keys in `exclude` and scores below `min_score` left out."""
        vector = self.query_vector(text)
        norm = math.sqrt(sum(w * w for w in vector.values()))
        if not norm or limit <= 0:
            return []
        excluded = set(exclude)
        scores = defaultdict(float)
        for gram, weight in vector.items():
            posting = self.postings.get(gram)
            if posting:
                weight /= norm
                for key, doc_weight in posting:
                    scores[key] += weight * doc_weight
        # Rounded so that float noise does not decide ties; capped at 1 for the same reason.
        ranked = heapq.nsmallest(
            limit,
            (
                (-round(score, 9), key)
                for key, score in scores.items()
                if score >= min_score and key not in excluded
            ),
        )
        return [(key, min(-score, 1.0)) for score, key in ranked]


_CACHE = {}


def _cached_index(pool):
    """The index of a candidate pool, rebuilt only when the pool changed since it was built.

    Building costs about 0.2 ms per proposal (a second for 5,000); a review page asks for it on
    every view. The fingerprint (how many, last update) is one cheap query; any save or state
    change moves `updated_at`. Kept per process, one pool at a time.
    """
    key = str(pool.query)
    fingerprint = tuple(pool.aggregate(n=Count("pk"), last=Max("updated_at")).values())
    cached = _CACHE.get(key)
    if cached is not None and cached[0] == fingerprint:
        return cached[1]
    rows = pool.values_list("id", "title", "current_issues", "content")
    index = SimilarityIndex((pk, _join(t, i, c)) for pk, t, i, c in rows)
    _CACHE.clear()
    _CACHE[key] = (fingerprint, index)
    return index


def similar_initiatives(initiative, candidates, limit=5):
    """The initiatives among `candidates` (a queryset) most like `initiative`, as (Initiative,
    score) pairs, best first.

    The initiative itself and drafts, withdrawn and consolidated ones are never offered. Two
    queries whatever the number of candidates: one for the texts, one for the winners with what a
    list row shows.
    """
    model = candidates.model
    pool = candidates.exclude(status__in=EXCLUDED_STATES).order_by()
    index = _cached_index(pool)
    ranked = index.most_similar(document_text(initiative), limit=limit, exclude={initiative.pk})
    if not ranked:
        return []
    winners = model._default_manager.select_related(
        "department", "department__parent", "proposer"
    ).in_bulk([pk for pk, _ in ranked])
    return [(winners[pk], score) for pk, score in ranked if pk in winners]
