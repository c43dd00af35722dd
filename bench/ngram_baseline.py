"""The portal's similarity ranking before the word-based one, kept frozen so that `make
similarity` can show both side by side: NFKC character 2/3-grams weighted by TF-IDF over the
pool, compared by cosine, nothing below 0.05."""

import heapq
import math
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Hashable, Iterable

# How often the title counts against the body: it names the idea most compactly.
TITLE_WEIGHT = 2
# Scores below this share only stock phrases, not an idea.
MIN_SCORE = 0.05
# N-gram sizes that make up a document vector.
NGRAM_SIZES = (2, 3)

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


def join(title: str, current_issues: str, content: str) -> str:
    return "\n".join([title or ""] * TITLE_WEIGHT + [current_issues or "", content or ""])


def document_text(initiative) -> str:
    """The text an initiative is compared by: title (counted TITLE_WEIGHT times), 現状と課題 and
    取組内容."""
    return join(initiative.title, initiative.current_issues, initiative.content)


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
