"""Finding proposals that express the same idea, so that duplicates are seen early: by the
proposer before submitting, and by the secretariat when gathering and reviewing.

Texts are compared by their words. SudachiPy (with its core dictionary, installed as a package,
nothing fetched at run time) splits Japanese into morphemes and gives each its normalised form,
which folds much 表記ゆれ by itself (申込・申し込み, 受付・受け付け, 出来る・できる). A long
compound is taken whole and also in its parts, so that 電子申請 and オンライン申請 share 申請.
Only content words count (nouns, verbs, adjectives), less a short list of words every proposal
uses (導入, 活用, 業務, 職員…), and a small thesaurus folds the synonyms a dictionary does not
(スマホ→スマートフォン, ネット→インターネット, 会議録→議事録).

Words are weighted as in BM25 (a word's weight saturates with its count, long texts are damped,
rare words weigh more), and two texts are compared by the cosine of their weighted vectors: 0 is
nothing in common, 1 the same words. Unlike a raw BM25 sum, a cosine means the same thing in a
pool of 50 or of 10,000, so one threshold, chosen on the labelled set (bench/similarity_set.yaml,
`make similarity`), decides whether anything is shown at all. Each match carries the words that
made it, to say why it is shown, as the proposal writes them (AI, スマホ, 会議録), though they are
matched as normalised forms (ai, スマートフォン, 議事録).

Tried on the dev half and not taken, as none finds more duplicates while keeping ≥90% of the
proposals without one silent (this ranking: 72% first and 96% silent for any threshold from 0.22
to 0.25): a fusion with character-bigram BM25 cosine (better unthresholded, 89% → 94% first, the
same 72% once thresholded); Sudachi's synonym groups as extra words (56–67%); split mode B, or A
alone, other k1, b, title weights and backgrounds, overlap, Ruzicka or √tf cosines (72–78%, each
78% at a single threshold only); showing only matches within a share of the best (the same two
figures; at 0.6 it hides 2 of the 4 non-duplicates shown, and 1 of the 16 duplicates). What is
missed shares few words with its duplicate (RPA for 住民異動 against ソフトウェアロボット for
住所変更), as few as a near miss does: finding it takes meaning, not spelling.

Meaning was then tried and not taken either: chiVe's word vectors as the ja-ginza wheel ships
them, in a soft cosine (a word counts against a word of like meaning by their cosine squared,
from 0.35), and a match shown only if it scores 90% of its own best among the query and the
other candidates. Tuned on the dev half it reached 100% first and 100% silent there, but 82%
first and 79% silent on the held-out half, and 60% first and 79% silent on the fresh part
(written later, blind to both rankings), against this ranking's 52% and 86% there: it lifts the
near misses (the same LINE 配信 for disasters and for child care) as much as the duplicates, and
the reciprocity check hides the odd member of a group of three. On the fresh part this ranking
without its threshold puts a duplicate first for 80% and in the first three for 96%: what is
lost is lost at the threshold, where duplicates worded apart score no higher than proposals that
only share a subject.

Deciding what to show on several measures instead of the cosine alone did no better either: a
logistic model over the cosine, the number of shared words, the share of the best shared word,
the gap to the next candidate, the titles' cosine and the character-bigram cosine, each trained
on two of the three parts and judged on the third, moved each part's figures by a proposal or
two either way against the cosine's, both with thresholds chosen the same way on the other two
parts (the model: dev 50–61% first, held-out 71–82%, fresh 52–60%, at 86–100% silent; the
cosine alone so chosen: 50%, 71% and 52%); nor did telling
the words of a service from those of a means (AI, LINE, 予約, 申請), as near misses share one
kind and duplicates both. On the blind part, written last by someone who saw neither the ranking
nor the other parts, this ranking is 28% first and 89% silent (62% first and 91% in the first
three without the threshold). So the pages also offer a search in the person's own words beside
the similar proposals (templates/initiatives/similar_search.html): the same idea worded apart
is found by someone who knows another name for it.
"""

import math
import threading
from collections import Counter
from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

# How often the title counts against the body: it names the idea most compactly.
TITLE_WEIGHT = 2
# Below this cosine two proposals share words, not an idea (chosen on the dev half of the set).
THRESHOLD = 0.23
# BM25's saturation (k1, low: a word said twice is hardly more of the idea) and length damping (b).
K1 = 0.5
B = 0.75
# Document frequencies are counted as if the pool held this many more texts, none with the word:
# in a small pool (a city's first proposals) a word two texts share would otherwise weigh
# nothing, and in a large one it changes nothing.
BACKGROUND = 50
# How many shared words a match shows.
SHARED_WORDS = 4

# Parts of speech that carry the idea (Sudachi's first two levels).
_CONTENT = {
    ("名詞", "普通名詞"),
    ("名詞", "固有名詞"),
    ("動詞", "一般"),
    ("形容詞", "一般"),
}
# Words (normalised forms) nearly every proposal uses: they say nothing about which idea it is.
_STOP_WORDS = """
    導入 活用 利用 業務 職員 市 市民 化 為る 有る 居る 成る 出来る 行う 図る 進める 始める 使う
    よる こと 言う 人 部 一部 込む 付ける 為 事 物 様 方 等 上 中 際 時 場合 必要 可能 対応 実施
    整備 推進 検討 効率 効率化 向上 改善
    促進 支援 負担 作業 時間 課題 現状 取組 取り組み 仕組み 環境 システム 担当 担当者 部署 課 各課
    全て 多い 少ない 無い 良い 大きい 掛かる 増える 減らす 減る 出す 見る 来る 行く 持つ 取る
"""
STOP_WORDS = frozenset(_STOP_WORDS.split())
# Synonyms the dictionary does not fold, as normalised forms: the variant → the word it means.
# Only words that mean the other wherever they stand: not 記録 (住民記録, 運行記録) for 議事録,
# nor 大型 (大型車) for 粗大.
THESAURUS = {
    "スマホ": "スマートフォン",
    "携帯電話": "スマートフォン",
    "ネット": "インターネット",
    "ウェブ": "インターネット",
    "web": "インターネット",
    "ホームページ": "インターネット",
    "サイト": "インターネット",
    "ウェブサイト": "インターネット",
    "オンライン": "インターネット",
    "電子申請": "オンライン申請",
    "会議録": "議事録",
    "文字起こし": "文字化",
    "テキスト化": "文字化",
    "塵": "ごみ",
    "ゴミ": "ごみ",
    "粗大塵": "粗大ごみ",
    "パソコン": "端末",
    "タブレット端末": "タブレット",
    "ロボット": "rpa",
    "光学文字認識": "ocr",
    "ai-ocr": "ocr",
    "問い合わせ": "問合せ",
    "問合わせ": "問合せ",
    "申込": "申し込み",
    "申込み": "申し込み",
    "在宅勤務": "テレワーク",
    "ペーパー": "紙",
    "電子マネー": "キャッシュレス",
    "クレジットカード": "キャッシュレス",
    "カード払い": "キャッシュレス",
    "qrコード決済": "キャッシュレス",
    "スマホ決済": "キャッシュレス",
    "打ち込む": "入力",
    "手入力": "入力",
    "転記": "入力",
    "入力作業": "入力",
    "パンチ入力": "入力",
    "保育園": "保育所",
    "保育施設": "保育所",
}
# Phrases the dictionary splits into several words, replaced in the text before it is analysed.
PHRASES = {
    "光学文字認識": "OCR",
    "文字認識": "OCR",
    "電子マネー": "キャッシュレス",
    "ソフトウェアロボット": "RPA",
}


# The version of the analysis code itself (how texts are split into words, which parts of
# speech count, how compounds are split, how long a stored word may be): raise it with any
# change there, so that the fingerprint below moves and deploys rebuild the stored index.
ANALYSIS_VERSION = 1


@lru_cache(maxsize=1)
def analysis_fingerprint() -> str:
    """What decides the words of a text, as one hash: the analyser's and its dictionary's
    versions, ANALYSIS_VERSION and this module's word lists. The stored index remembers the one
    it was built with, and `rebuild_similarity_index --if-stale` rebuilds it when this changes."""
    import hashlib
    from importlib.metadata import version

    parts = (
        ANALYSIS_VERSION,
        version("SudachiPy"),
        version("SudachiDict-core"),
        TITLE_WEIGHT,
        sorted(_CONTENT),
        sorted(STOP_WORDS),
        sorted(THESAURUS.items()),
        list(PHRASES.items()),  # in order: they are replaced one after the other
    )
    return hashlib.sha256(repr(parts).encode()).hexdigest()


@lru_cache(maxsize=1)
def _dictionary():
    from sudachipy import Dictionary

    return Dictionary(dict="core")


_local = threading.local()


def _tokenizer():
    """One tokenizer per thread: Sudachi's tokenizer keeps state while it works."""
    tokenizer = getattr(_local, "tokenizer", None)
    if tokenizer is None:
        from sudachipy import SplitMode

        tokenizer = _local.tokenizer = _dictionary().tokenizer(mode=SplitMode.C)
    return tokenizer


def _fold(form: str) -> str:
    form = form.lower()
    return THESAURUS.get(form, form)


def words(text: str) -> list[str]:
    """The content words of a text, as normalised forms, compounds whole and in their parts:
    「スマホで申込できる電子申請」→ [スマートフォン, 申し込み, オンライン申請, 電子, 申請]."""
    return [word for word, _ in _analysed(text)]


def _analysed(text: str) -> list[tuple[str, str]]:
    """words(text), each as the text writes it (after NFKC): (ai, AI), (議事録, 会議録)."""
    import unicodedata

    from sudachipy import SplitMode

    text = unicodedata.normalize("NFKC", text or "")
    if not text.strip():
        return []
    for phrase, replacement in PHRASES.items():
        text = text.replace(phrase, replacement)
    found = []
    for morpheme in _tokenizer().tokenize(text):
        pos = morpheme.part_of_speech()
        # Nouns that work as adverbs (ため, 後, 際) carry no idea either.
        if tuple(pos[:2]) not in _CONTENT or pos[2] == "副詞可能":
            continue
        word = _fold(morpheme.normalized_form())
        if word in STOP_WORDS or (len(word) < 2 and not word.isalpha()):
            continue
        # A verb or adjective spelt as written, uninflected (できた → できる, not 出来る).
        written = morpheme.surface() if pos[0] == "名詞" else morpheme.dictionary_form()
        found.append((word, written))
        # Compound nouns also count in their parts; a verb's parts (受け付ける → 付ける) do not.
        parts = morpheme.split(SplitMode.A) if pos[0] == "名詞" else ()
        if len(parts) > 1:
            for part in parts:
                piece = _fold(part.normalized_form())
                if piece != word and piece not in STOP_WORDS and len(piece) > 1:
                    found.append((piece, part.surface()))
    return found


def features(title: str, current_issues: str = "", content: str = "") -> Counter:
    """How often each content word occurs in a proposal, the title counted TITLE_WEIGHT times."""
    return analyse(title, current_issues, content)[0]


def analyse(title: str, current_issues: str = "", content: str = "") -> tuple[Counter, dict]:
    """features(...), and how the proposal writes each word the first time it uses it (the
    title first): matching is on normalised forms, but a person reads the words as written."""
    counts, surfaces = Counter(), {}
    for weight, part in ((TITLE_WEIGHT, title), (1, current_issues), (1, content)):
        for word, surface in _analysed(part):
            counts[word] += weight
            surfaces.setdefault(word, surface)
    return counts, surfaces


def initiative_features(initiative) -> Counter:
    return features(initiative.title, initiative.current_issues, initiative.content)


def as_written(shared: Iterable[str], surfaces: Mapping[str, str]) -> tuple[str, ...]:
    """Shared words (normalised forms) as the proposal writes them, each once: a compound's part
    and a folded synonym may be written alike."""
    return tuple(dict.fromkeys(surfaces.get(word, word) for word in shared))


@dataclass(frozen=True)
class Match:
    key: Hashable
    score: float
    # The words the two texts share, those that weigh most first.
    shared: tuple[str, ...]


def idf(document_frequency: int, size: int) -> float:
    """BM25's inverse document frequency (the +1 inside the log keeps it positive for a word in
    every text), over the pool and BACKGROUND more texts."""
    size += BACKGROUND
    return math.log(1 + (size - document_frequency + 0.5) / (document_frequency + 0.5))


def weigh(counts: Mapping[str, int], idfs: Mapping[str, float], average_length: float) -> dict:
    """A text's BM25 weights: saturated counts, damped by its length against the average."""
    length = sum(counts.values())
    damping = K1 * (1 - B + B * length / (average_length or 1))
    return {
        word: idfs[word] * tf * (K1 + 1) / (tf + damping)
        for word, tf in counts.items()
        if idfs.get(word)
    }


def cosine_matches(query: dict, candidates: Iterable[tuple[Hashable, dict]], *, limit, threshold):
    """The candidates (key, weights) whose cosine with `query` (weights) reaches `threshold`,
    best first, equal scores in key order, each with the words that contributed most."""
    query_norm = math.sqrt(sum(w * w for w in query.values()))
    if not query_norm or limit <= 0:
        return []
    scored = []
    for key, vector in candidates:
        norm = math.sqrt(sum(w * w for w in vector.values()))
        if not norm:
            continue
        contributions = {
            word: weight * vector[word] for word, weight in query.items() if word in vector
        }
        score = sum(contributions.values()) / (query_norm * norm)
        if score >= threshold:
            shared = sorted(contributions, key=lambda w: (-contributions[w], w))[:SHARED_WORDS]
            scored.append(Match(key, min(round(score, 9), 1.0), tuple(shared)))
    scored.sort(key=lambda m: (-m.score, m.key))
    return scored[:limit]


class Ranker:
    """BM25-weighted cosine over a fixed set of documents given as word counts, in memory.

    The portal keeps these counts in the database (initiatives.similarity_index); this class is
    the same ranking for a set given at once, as `make similarity` and the tests use it.
    """

    def __init__(self, documents: Mapping[Hashable, Counter]):
        self.documents = dict(documents)
        self.size = len(self.documents)
        self.document_frequency = Counter()
        for counts in self.documents.values():
            self.document_frequency.update(counts.keys())
        lengths = [sum(c.values()) for c in self.documents.values()]
        self.average_length = sum(lengths) / len(lengths) if lengths else 0
        self.idfs = {w: idf(df, self.size) for w, df in self.document_frequency.items()}

    def _idfs_for(self, counts):
        # A word the set lacks weighs as a word seen once: it makes the query less like anything.
        return {w: self.idfs.get(w) or idf(1, self.size + 1) for w in counts}

    def matches(self, counts: Counter, *, limit=5, exclude=(), threshold=THRESHOLD):
        query = weigh(counts, self._idfs_for(counts), self.average_length)
        excluded = set(exclude)
        candidates = (
            (key, weigh(doc, self.idfs, self.average_length))
            for key, doc in self.documents.items()
            if key not in excluded and not doc.keys().isdisjoint(counts.keys())
        )
        return cosine_matches(query, candidates, limit=limit, threshold=threshold)


class Similar(NamedTuple):
    """A proposal shown as similar: how similar (0–1) and the words that make it so."""

    initiative: object
    score: float
    shared: tuple[str, ...]


def similar_initiatives(initiative, candidates, limit=5) -> list[Similar]:
    """The initiatives among `candidates` (a queryset: what the viewer may see) most like
    `initiative`, best first, only those at or above THRESHOLD, from the stored index
    (initiatives.similarity_index).

    The initiative itself and drafts, withdrawn and consolidated ones are never offered, nor the
    items it is linked to by a consolidation (the item an original became, the originals of a
    merged item): the page shows that link already, and they are alike because one was made from
    the other. At most six queries whatever the size of the pool: five for the index (none when
    the ranking is in the shared cache), one for the winners with what a list row shows.
    """
    from core import cache

    from .workflow import NOT_SIMILAR

    # The ranking is the same for every viewer and changes only with the data: kept in the
    # shared cache, so that a page seen again neither analyses the text nor reads the index.
    ranked = cache.shared(f"similar:{initiative.pk}", lambda: _ranked(initiative))
    if not ranked:
        return []
    winners = (
        candidates.exclude(status__in=NOT_SIMILAR)
        .exclude(consolidated_into=initiative.pk)
        .select_related("department", "department__parent", "proposer")
        .in_bulk([key for key, _, _ in ranked])
    )
    shown = [Similar(winners[key], score, words) for key, score, words in ranked if key in winners]
    return shown[:limit]


def _ranked(initiative):
    """[(initiative id, score, shared words as written)] from the index, best first."""
    from .similarity_index import lookup

    query, surfaces = analyse(initiative.title, initiative.current_issues, initiative.content)
    linked = {initiative.pk, initiative.consolidated_into_id}
    return [
        (m.key, m.score, as_written(m.shared, surfaces))
        for m in lookup(initiative, query=query)
        if m.key not in linked
    ]
