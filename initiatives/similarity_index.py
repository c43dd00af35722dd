"""The stored index of similar proposals: kept in step one initiative at a time, read by lookups.

Three tables (models.SimilarityEntry, SimilarityPosting, SimilarityWord) hold each indexed
initiative's word counts, the inverted lists, and each word's document frequency. The services
that change an initiative's text or state call `refresh` inside their transaction, so the index
changes with the initiative or not at all, and every app server reads the same one. Nothing in a
request rebuilds it; `manage.py rebuild_similarity_index` does, for data loaded around the
services (an import, a restore).

A lookup reads a fixed number of rows whatever the size of the pool: the document frequencies of
its own words, the postings of its rarer words (the candidates), the counts of the best
candidates, and the document frequencies of their words, then ranks them exactly as
similarity.Ranker does over the same pool.
"""

import heapq
from collections import Counter

from django.db import connection, transaction
from django.db.models import Count, F, Sum
from django.utils import timezone

from .models import (
    Initiative,
    SimilarityEntry,
    SimilarityIndexState,
    SimilarityPosting,
    SimilarityWord,
)
from .similarity import (
    THRESHOLD,
    analysis_fingerprint,
    cosine_matches,
    idf,
    initiative_features,
    weigh,
)
from .workflow import NOT_SIMILAR

# Words longer than this are cut (a URL, a long code): the column's length.
MAX_WORD = 64
# A lookup probes the postings of at most this many of its words, the rarest first, and skips
# words in more than this share of the pool (they find everything and decide nothing).
PROBE_WORDS = 16
PROBE_MAX_SHARE = 0.05
PROBE_MIN_DOCUMENTS = 50
# A lookup with fewer probes than this takes the rarest of its common words too.
COMMON_PROBES = 3
# How many candidates, by a first estimate from the postings, are ranked exactly.
CANDIDATES = 30


def _counts(initiative) -> dict[str, int] | None:
    """What the index should hold for an initiative: its word counts, or None if it is not in
    the pool (a draft, withdrawn, consolidated)."""
    if initiative.status in NOT_SIMILAR:
        return None
    counts = Counter()
    for word, n in initiative_features(initiative).items():
        counts[word[:MAX_WORD]] += n
    return dict(counts)


def _shift(words, step):
    if not words:
        return
    if step > 0:
        SimilarityWord.objects.bulk_create(
            [SimilarityWord(word=w) for w in sorted(words)], ignore_conflicts=True
        )
    rows = SimilarityWord.objects.filter(word__in=words)
    # Locked in one order, so that two proposals saved at once sharing words wait, not deadlock.
    list(rows.order_by("word").select_for_update().values_list("word", flat=True))
    rows.update(documents=F("documents") + step)


@transaction.atomic
def refresh(initiative):
    """Bring the index in step with one initiative as it is now saved: index it, re-index it if
    its words changed, or drop it if it left the pool. Call it inside the change's transaction."""
    entry = SimilarityEntry.objects.select_for_update().filter(initiative_id=initiative.pk).first()
    old = entry.words if entry else None
    new = _counts(initiative)
    if old == new:
        return
    old, new = old or {}, new or {}
    _shift(old.keys() - new.keys(), -1)
    _shift(new.keys() - old.keys(), +1)
    SimilarityPosting.objects.filter(initiative_id=initiative.pk).delete()
    if not new:
        SimilarityEntry.objects.filter(initiative_id=initiative.pk).delete()
        return
    SimilarityPosting.objects.bulk_create(
        SimilarityPosting(word=w, initiative_id=initiative.pk, count=n) for w, n in new.items()
    )
    SimilarityEntry.objects.update_or_create(
        initiative_id=initiative.pk, defaults={"words": new, "length": sum(new.values())}
    )


def refresh_many(initiatives):
    for initiative in initiatives:
        refresh(initiative)


@transaction.atomic
def rebuild(batch=500) -> int:
    """The whole index anew from the initiatives in the database; returns how many it holds.
    On PostgreSQL the entries are locked first, so that a proposal saved meanwhile waits for
    the rebuild (and is then indexed) instead of deadlocking with it, and two rebuilds at once
    run one after the other."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {SimilarityEntry._meta.db_table} IN EXCLUSIVE MODE")
    SimilarityPosting.objects.all().delete()
    SimilarityEntry.objects.all().delete()
    SimilarityWord.objects.all().delete()
    frequency = Counter()
    pool = Initiative.objects.exclude(status__in=NOT_SIMILAR).order_by("pk")
    rows = pool.only("pk", "status", "title", "current_issues", "content")
    entries, postings, total = [], [], 0
    for initiative in rows.iterator(chunk_size=batch):
        counts = _counts(initiative)
        frequency.update(counts.keys())
        entries.append(
            SimilarityEntry(initiative_id=initiative.pk, words=counts, length=sum(counts.values()))
        )
        postings.extend(
            SimilarityPosting(word=w, initiative_id=initiative.pk, count=n)
            for w, n in counts.items()
        )
        if len(entries) >= batch:
            total += _flush(entries, postings)
    total += _flush(entries, postings)
    SimilarityWord.objects.bulk_create(
        (SimilarityWord(word=w, documents=n) for w, n in frequency.items()), batch_size=2000
    )
    SimilarityIndexState.objects.update_or_create(
        pk=1, defaults={"analysis": analysis_fingerprint(), "built_at": timezone.now()}
    )
    return total


def is_current() -> bool:
    """Whether the index was last built whole with the analysis this code does (never: an
    index from before the stamp, or none at all)."""
    state = SimilarityIndexState.objects.filter(pk=1).first()
    return state is not None and state.analysis == analysis_fingerprint()


def _flush(entries, postings):
    n = len(entries)
    SimilarityEntry.objects.bulk_create(entries, batch_size=1000)
    SimilarityPosting.objects.bulk_create(postings, batch_size=5000)
    entries.clear()
    postings.clear()
    return n


# --- Lookup --------------------------------------------------------------------------------------


def _frequencies(words) -> dict[str, int]:
    return dict(
        SimilarityWord.objects.filter(word__in=list(words)).values_list("word", "documents")
    )


def lookup(initiative, *, limit=CANDIDATES, threshold=THRESHOLD, query=None):
    """The indexed initiatives most like `initiative`, as similarity.Match rows, best first, at
    or above `threshold`. At most five queries, whatever the size of the pool. `query`: its
    features, when the caller has analysed it already."""
    counts = initiative_features(initiative) if query is None else query
    query = Counter()
    for word, n in counts.items():
        query[word[:MAX_WORD]] += n
    if not query or limit <= 0:
        return []
    stats = SimilarityEntry.objects.aggregate(n=Count("pk"), total=Sum("length"))
    size = stats["n"] or 0
    if not size:
        return []
    average = (stats["total"] or 0) / size
    frequency = _frequencies(query)
    unseen = idf(1, size + 1)
    query_idfs = {w: idf(frequency[w], size) if frequency.get(w) else unseen for w in query}
    query_weights = weigh(query, query_idfs, average)

    # Candidates: initiatives sharing its rarer words, estimated without their length.
    ceiling = max(PROBE_MIN_DOCUMENTS, PROBE_MAX_SHARE * size)
    probes = [w for w in frequency if 0 < frequency[w] <= ceiling]
    probes = heapq.nlargest(PROBE_WORDS, probes, key=lambda w: (query_weights.get(w, 0), w))
    if len(probes) < COMMON_PROBES:
        # Only common words (many proposals of one idea): the rarest of them still find them.
        common = sorted((w for w in frequency if frequency[w] > ceiling), key=frequency.get)
        probes += common[: COMMON_PROBES - len(probes)]
    if not probes:
        return []
    estimate = Counter()
    rows = SimilarityPosting.objects.filter(word__in=probes).exclude(initiative_id=initiative.pk)
    for key, word, count in rows.values_list("initiative_id", "word", "count"):
        estimate[key] += query_weights.get(word, 0) * query_idfs[word] * count / (count + 1)
    best = [key for key, _ in estimate.most_common(CANDIDATES)]
    if not best:
        return []

    # Ranked exactly, as similarity.Ranker would over the same pool.
    documents = dict(
        SimilarityEntry.objects.filter(initiative_id__in=best).values_list("initiative_id", "words")
    )
    words = set().union(*(d.keys() for d in documents.values()))
    frequency.update(_frequencies(words - frequency.keys()))
    idfs = {w: idf(frequency.get(w, 1), size) for w in words}
    vectors = ((key, weigh(documents[key], idfs, average)) for key in sorted(documents))
    return cosine_matches(query_weights, vectors, limit=limit, threshold=threshold)
