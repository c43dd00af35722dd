"""Similar proposals: Japanese normalisation, TF-IDF cosine ranking, and the database side."""

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from initiatives.models import Initiative
from initiatives.similarity import (
    SimilarityIndex,
    document_text,
    ngrams,
    normalise,
    similar_initiatives,
)

from .factories import make_initiative

pytestmark = pytest.mark.django_db
S = Initiative.Status

# Municipal business × digital means: every generated proposal shares stock phrases
# (「導入」「効率化」「職員」「時間がかかる」) with the others and with the target, and several
# mention AI, 音声認識, 会議 or 作成 too.
TOPICS = [
    "道路の損傷通報",
    "子育て支援の申請",
    "市税の納付",
    "窓口の待ち時間",
    "ごみの分別案内",
    "図書館の貸出予約",
    "住民票の交付",
    "介護保険の認定",
    "保育所の入所申込",
    "公共施設の予約",
    "会議室の予約",
    "議会の資料作成",
    "防災情報の配信",
    "職員の勤怠管理",
    "水道料金の請求",
]
ACTIONS = [
    "電子申請",
    "キャッシュレス決済",
    "AIチャットボット",
    "RPA",
    "オンライン相談",
    "AI-OCR",
    "音声認識",
    "ペーパーレス会議",
    "タブレット端末",
    "LINE通知",
]
TEMPLATES = [
    (
        "{action}による{topic}の効率化",
        "{topic}は紙と電話で受け付けており、職員の確認と入力に時間がかかっている。",
        "{action}を導入して{topic}の手続を見直し、まず一部の課で試行する。",
    ),
    (
        "{topic}への{action}の導入",
        "{topic}について市民からの問合せが多く、担当者が作業に追われ残業が続いている。",
        "{action}を活用し、{topic}に関する業務を自動化して職員の負担を減らす。",
    ),
]

TARGET = {
    "title": "AIを活用した議事録作成支援システムの導入",
    "current_issues": "会議録の作成に時間がかかっており、職員が録音を何度も聞き直して文字に起こしている。",
    "content": "AIの音声認識で会議の発言を自動で文字にし、議事録の下書きを作成するシステムを導入する。",
}
# The same idea from another department, in other words.
DUPLICATE = {
    "title": "会議録をAIで自動作成するツールの導入",
    "current_issues": "各課の会議のあと、担当者が録音を聞きながら手作業で記録を作っており、残業の原因になっている。",
    "content": "録音データから発言を自動でテキスト化し、要約まで行うAIツールを使って会議録づくりを省力化する。",
}


def generated_texts():
    for (title, issues, content), topic, action in itertools.product(TEMPLATES, TOPICS, ACTIONS):
        yield {
            "title": title.format(topic=topic, action=action),
            "current_issues": issues.format(topic=topic, action=action),
            "content": content.format(topic=topic, action=action),
        }


def bulk(like, texts, status=S.SUBMITTED):
    """Initiatives with the given texts, cheaply: the foreign keys of `like`, no milestones."""
    now = timezone.now()
    created = Initiative.objects.bulk_create(
        Initiative(
            edition_id=like.edition_id,
            channel_id=like.channel_id,
            department_id=like.department_id,
            proposer_id=like.proposer_id,
            status=status,
            submitted_at=now,
            **text,
        )
        for text in texts
    )
    return [initiative.pk for initiative in created]


def make(user, status=S.SUBMITTED, **text):
    initiative = make_initiative(user, status=status, complete=False)
    Initiative.objects.filter(pk=initiative.pk).update(**text)
    initiative.refresh_from_db()
    return initiative


def make_consolidated(user, into, **text):
    initiative = make(user, **text)
    # A consolidated initiative names where it went, where the model has that field.
    fields = {field.name for field in Initiative._meta.get_fields()}
    target = {"consolidated_into": into} if "consolidated_into" in fields else {}
    Initiative.objects.filter(pk=initiative.pk).update(status=S.CONSOLIDATED, **target)
    initiative.refresh_from_db()
    return initiative


# --- Text --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("ＡＩ　チャットボット", "aiチャットボット"),
        ("ｶﾀｶﾅ", "カタカナ"),
        (
            "ＲＰＡ（ロボティック・プロセス・オートメーション）",
            "rpaロボティックプロセスオートメーション",
        ),
        ("「電子申請」の拡充。来庁不要、２４時間！", "電子申請の拡充来庁不要24時間"),
        ("  Web 会議\n\tシステム ", "web会議システム"),
        ("", ""),
    ],
)
def test_normalise(raw, expected):
    assert normalise(raw) == expected


def test_ngrams_are_counted_within_runs_of_text():
    assert ngrams("会議録、会議") == {"会議": 2, "議録": 1}
    assert ngrams("ＡＩ議事録", n=3) == {"ai議": 1, "i議事": 1, "議事録": 1}
    # A run shorter than n is kept whole rather than lost.
    assert ngrams("税・ごみ") == {"税": 1, "ごみ": 1}


def test_document_text_counts_the_title_twice():
    initiative = Initiative(title="題", current_issues="課題", content="内容")
    assert normalise(document_text(initiative)) == "題題課題内容"


# --- Index -------------------------------------------------------------------------------------


def test_index_ranks_by_cosine_and_breaks_ties_by_key():
    index = SimilarityIndex(
        [
            (3, "電子申請の拡充"),
            (1, "電子申請の拡充"),
            (2, "電子申請システムの導入と拡充"),
            (4, "ごみ収集日の案内"),
        ]
    )
    result = index.most_similar("電子申請の拡充")
    assert [key for key, _ in result] == [1, 3, 2]
    assert result[0][1] == pytest.approx(1.0)
    assert result[0][1] == result[1][1] > result[2][1] > 0
    assert index.most_similar("電子申請の拡充", limit=1, exclude={1}) == [(3, result[1][1])]
    assert index.most_similar("まったく関係のない話") == []
    assert index.most_similar("") == []


# --- Database ----------------------------------------------------------------------------------


def test_reworded_duplicate_ranks_first(proposer, outsider):
    target = make(proposer, **TARGET)
    duplicate = make(outsider, **DUPLICATE)
    bulk(target, generated_texts())
    assert Initiative.objects.count() == 2 + len(TEMPLATES) * len(TOPICS) * len(ACTIONS) >= 300

    result = similar_initiatives(target, Initiative.objects.all())

    assert result[0][0] == duplicate
    assert result[0][0].department.name == "道路管理課"
    assert len(result) == 5
    scores = [score for _, score in result]
    assert all(0 < score <= 1 for score in scores)
    assert scores == sorted(scores, reverse=True)
    # Clearly ahead of the proposals that only share 「AI」「音声認識」「会議」「作成」.
    assert scores[0] > 1.3 * scores[1]


def test_duplicate_is_found_from_either_side(proposer, outsider):
    target = make(proposer, **TARGET)
    duplicate = make(outsider, **DUPLICATE)
    bulk(target, generated_texts())
    assert similar_initiatives(duplicate, Initiative.objects.all())[0][0] == target


def test_itself_and_closed_states_are_never_offered(proposer, outsider):
    target = make(proposer, **TARGET)
    hidden = [
        make(outsider, status=S.WITHDRAWN, **TARGET),
        make(outsider, status=S.DRAFT, **TARGET),
        make_consolidated(outsider, into=target, **TARGET),
    ]
    offered = [make(outsider, status=status, **DUPLICATE) for status in (S.SUBMITTED, S.RETURNED)]
    bulk(target, itertools.islice(generated_texts(), 30))

    found = [initiative for initiative, _ in similar_initiatives(target, Initiative.objects.all())]

    assert target not in found
    assert not set(hidden) & set(found)
    assert set(found[:2]) == set(offered)
    # Identical texts would score 1.0: were they not excluded, they would come first.
    assert (
        similar_initiatives(target, Initiative.objects.filter(pk__in=[h.pk for h in hidden])) == []
    )


def test_limit_and_candidates_are_respected(proposer, outsider):
    target = make(proposer, **TARGET)
    duplicate = make(outsider, **DUPLICATE)
    bulk(target, itertools.islice(generated_texts(), 50))
    assert len(similar_initiatives(target, Initiative.objects.all(), limit=2)) == 2
    others = Initiative.objects.exclude(pk=duplicate.pk)
    assert duplicate not in [i for i, _ in similar_initiatives(target, others)]


def test_query_count_does_not_grow_with_candidates(proposer, outsider):
    target = make(proposer, **TARGET)
    pks = bulk(target, generated_texts())

    def queries(n):
        with CaptureQueriesContext(connection) as ctx:
            result = similar_initiatives(target, Initiative.objects.filter(pk__in=pks[:n]))
            for initiative, _ in result:  # what a list row shows, already loaded
                str(initiative.department.parent)
                str(initiative.proposer)
        assert result
        return len(ctx.captured_queries)

    # The fingerprint, the texts (to build the index) and the winners.
    assert queries(20) == queries(200) == 3
    # Asked again with nothing changed, the index is reused: fingerprint and winners only.
    assert queries(200) == 2


def test_cached_index_follows_changes(proposer, outsider):
    target = make(proposer, **TARGET)
    other = make(
        outsider, title="公園の樹木管理台帳の整備", content="樹木の点検記録を紙で管理している。"
    )
    pool = Initiative.objects.all()
    assert all(i != other for i, _ in similar_initiatives(target, pool))
    Initiative.objects.filter(pk=other.pk).update(
        title=TARGET["title"], content=TARGET["content"], updated_at=timezone.now()
    )
    assert similar_initiatives(target, pool)[0][0] == other
