"""Similar proposals: Japanese words, the BM25-weighted ranking and its threshold, and the
database side."""

import io
import itertools

import pytest
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from initiatives import services as initiative_services
from initiatives import similarity_index
from initiatives.models import Initiative, SimilarityEntry, SimilarityPosting, SimilarityWord
from initiatives.similarity import (
    THRESHOLD,
    TITLE_WEIGHT,
    Ranker,
    analyse,
    features,
    similar_initiatives,
    words,
)
from reviews import services as review_services

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
    """Initiatives with the given texts, cheaply: the foreign keys of `like`, no milestones,
    around the services, so that the index knows nothing of them until it is rebuilt."""
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
    """A proposal with these texts, indexed as the services would index it."""
    initiative = make_initiative(user, status=status, complete=False)
    Initiative.objects.filter(pk=initiative.pk).update(**text)
    initiative.refresh_from_db()
    similarity_index.refresh(initiative)
    return initiative


# --- Words -------------------------------------------------------------------------------------


def test_words_fold_spelling_variants_and_synonyms():
    one = set(words("スマホで保育園の申込ができる電子申請"))
    other = set(words("スマートフォンから保育所への申し込みができるオンライン申請"))
    assert {"スマートフォン", "保育所", "申し込み", "オンライン申請", "申請"} <= one & other


def test_words_with_a_general_meaning_are_not_folded_into_a_particular_one():
    # 記録 is not always a meeting's record, nor 大型 a bulky item: 住民記録 and 運行記録 have
    # nothing in common with 議事録, and a 大型車 is not 粗大ごみ.
    for text in ("住民記録システムの更新", "公用車の運行記録の電子化"):
        assert "議事録" not in words(text)
    assert "粗大" not in words("大型車の通行許可の電子申請")
    assert "議事録" in words("会議録の作成")


def test_words_keep_content_words_only():
    found = words("職員の業務を効率化するため、AIを導入する。")
    assert "ai" in found
    # Particles, auxiliaries, ため and the stock words of every proposal are not kept.
    assert not {"の", "を", "する", "ため", "為", "職員", "業務", "導入", "効率化"} & set(found)
    assert words("") == words("   ") == []


def test_analyse_keeps_each_word_as_written():
    counts, written = analyse("スマホで保育園の申込", "ＡＩが会議録を作った。", "")
    assert counts == features("スマホで保育園の申込", "ＡＩが会議録を作った。", "")
    # Matched as normalised forms, shown as the text writes them (a verb uninflected).
    assert written["スマートフォン"] == "スマホ"
    assert written["申し込み"] == "申込"
    assert written["ai"] == "AI"
    assert written["議事録"] == "会議録"
    assert written["作る"] == "作る"


def test_features_count_the_title_more():
    counts = features("議事録", "議事録", "")
    assert counts["議事録"] == TITLE_WEIGHT + 1


# --- Ranking on a fixed small set ----------------------------------------------------------------

SMALL_SET = {
    "childcare": (
        "保育所入所申込のオンライン化",
        "入所申込は窓口で紙の申込書を出すしかなく、共働きの保護者が平日に来庁する負担が大きい。",
        "電子申請で保育所の入所申込を受け付け、添付書類もアップロードできるようにする。",
    ),
    # The same idea in other words and spellings, from another department.
    "childcare_reworded": (
        "スマホで保育園の申し込みができるように",
        "共働き世帯から、保育園の申し込みのために仕事を休まなければならないという声がある。",
        "スマートフォンから保育園の利用申し込みができるオンライン申請を始める。",
    ),
    # The same service with another technology: a near miss.
    "childcare_ai": (
        "AIによる保育所入所選考の自動化",
        "保育所の入所選考は、点数と希望順位をもとに何日もかけて組み合わせを決めている。",
        "AIで入所希望と定員の組合せを自動で計算し、選考の作業を短くする。",
    ),
    "waste": (
        "粗大ごみ収集のインターネット受付",
        "粗大ごみの収集申込は電話のみで、月曜の午前はつながりにくい。",
        "粗大ごみの申込をWebで24時間受け付け、手数料の支払いまでオンラインで完結させる。",
    ),
    "drone": (
        "ドローンによる災害時の被害状況把握",
        "大雨の後、被害の全体像をつかむまでに時間がかかる。",
        "ドローンで上空から撮影し、土砂崩れや浸水の範囲を素早く把握する。",
    ),
    "library": (
        "電子図書館サービスの開始",
        "来館が難しい高齢者から、自宅で本を借りたいという要望がある。",
        "電子書籍を貸し出すサービスを始め、24時間借りられるようにする。",
    ),
}


@pytest.fixture
def small_ranker():
    return Ranker({key: features(*text) for key, text in SMALL_SET.items()})


def test_reworded_pair_is_found_first(small_ranker):
    for key, twin in (("childcare", "childcare_reworded"), ("childcare_reworded", "childcare")):
        found = small_ranker.matches(features(*SMALL_SET[key]), exclude={key})
        assert found[0].key == twin
        assert found[0].score >= THRESHOLD
        # It says why: the words the two share.
        assert "申し込み" in found[0].shared


def test_near_miss_is_not_shown_above_the_duplicate(small_ranker):
    found = [
        m.key
        for m in small_ranker.matches(features(*SMALL_SET["childcare"]), exclude={"childcare"})
    ]
    assert found[0] == "childcare_reworded"
    assert "childcare_ai" not in found[:1]


def test_nothing_is_shown_for_an_unrelated_proposal(small_ranker):
    for key in ("drone", "library", "childcare_ai"):
        assert small_ranker.matches(features(*SMALL_SET[key]), exclude={key}) == []


def test_threshold_decides_what_is_shown(small_ranker):
    query = features(*SMALL_SET["childcare"])
    everything = small_ranker.matches(query, exclude={"childcare"}, threshold=1e-9)
    shown = small_ranker.matches(query, exclude={"childcare"})
    assert len(everything) > len(shown) >= 1
    assert all(m.score >= THRESHOLD for m in shown)
    assert all(m.score < THRESHOLD for m in everything[len(shown) :])
    # The same text is a perfect match; scores are ordered, in [0, 1].
    same = small_ranker.matches(query, threshold=1e-9)
    assert same[0].key == "childcare" and same[0].score == pytest.approx(1.0)
    assert [m.score for m in same] == sorted((m.score for m in same), reverse=True)
    assert small_ranker.matches(features("", "", "")) == []


# --- Database: the stored index ------------------------------------------------------------------


def shown(initiative, pool=None):
    pool = Initiative.objects.all() if pool is None else pool
    return [similar.initiative for similar in similar_initiatives(initiative, pool)]


def test_reworded_duplicate_is_found_among_300_that_share_stock_words(proposer, outsider):
    target = make(proposer, **TARGET)
    duplicate = make(outsider, **DUPLICATE)
    bulk(target, generated_texts())
    call_command("rebuild_similarity_index", stdout=io.StringIO())
    assert SimilarityEntry.objects.count() == 2 + len(TEMPLATES) * len(TOPICS) * len(ACTIONS)

    result = similar_initiatives(target, Initiative.objects.all())

    assert [similar.initiative for similar in result] == [duplicate]
    assert result[0].initiative.department.name == "道路管理課"
    assert THRESHOLD <= result[0].score <= 1
    assert {"議事録", "録音"} <= set(result[0].shared)
    # The 300 that only share 「AI」「音声認識」「会議」「作成」 with it are not shown at all.
    assert shown(duplicate) == [target]


def test_shared_words_are_shown_as_the_proposal_writes_them(proposer, outsider):
    target = make(proposer, **TARGET)
    duplicate = make(outsider, **DUPLICATE)
    [found] = similar_initiatives(duplicate, Initiative.objects.all())
    assert found.initiative == target
    # The duplicate says 会議録 and AI; they match the target's 議事録 and AI as 議事録 and ai.
    assert "会議録" in found.shared and "議事録" not in found.shared
    [found] = similar_initiatives(target, Initiative.objects.all())
    assert "議事録" in found.shared
    assert all(word == word.upper() for word in found.shared if word.isascii())


def test_stored_index_ranks_as_the_ranker_does(proposer, outsider):
    """The index in the database gives the scores the in-memory ranking (the one `make
    similarity` measures) gives over the same pool."""
    target = make(proposer, **TARGET)
    make(outsider, **DUPLICATE)
    for text in itertools.islice(generated_texts(), 0, 300, 10):
        make(outsider, **text)
    pool = {
        pk: features(t, i, c)
        for pk, t, i, c in Initiative.objects.values_list(
            "pk", "title", "current_issues", "content"
        )
    }
    expected = Ranker(pool).matches(pool[target.pk], exclude={target.pk}, threshold=0.01)
    found = [m for m in similarity_index.lookup(target, threshold=0.01) if m.key != target.pk]
    assert [(m.key, round(m.score, 6)) for m in found[:5]] == [
        (m.key, round(m.score, 6)) for m in expected[:5]
    ]


def test_itself_and_closed_states_are_never_offered(proposer, outsider):
    target = make(proposer, **TARGET)
    hidden = [make(outsider, status=status, **TARGET) for status in (S.WITHDRAWN, S.DRAFT)]
    offered = [make(outsider, status=status, **DUPLICATE) for status in (S.SUBMITTED, S.RETURNED)]
    assert set(shown(target)) == set(offered)
    assert not SimilarityEntry.objects.filter(initiative__in=hidden).exists()
    # Identical texts would score 1.0: were they indexed, they would come first.
    assert shown(target, Initiative.objects.filter(pk__in=[h.pk for h in hidden])) == []


def test_limit_and_candidates_are_respected(proposer, outsider):
    target = make(proposer, **TARGET)
    duplicate = make(outsider, **DUPLICATE)
    make(outsider, **DUPLICATE)
    assert len(similar_initiatives(target, Initiative.objects.all())) == 2
    assert len(similar_initiatives(target, Initiative.objects.all(), limit=1)) == 1
    others = Initiative.objects.exclude(pk=duplicate.pk)
    assert duplicate not in shown(target, others)


def test_query_count_does_not_grow_with_the_pool(proposer, outsider):
    target = make(proposer, **TARGET)
    make(outsider, **DUPLICATE)

    def queries():
        with CaptureQueriesContext(connection) as ctx:
            result = similar_initiatives(target, Initiative.objects.all())
            for similar in result:  # what a list row shows, already loaded
                str(similar.initiative.department.parent)
                str(similar.initiative.proposer)
        assert result
        return len(ctx.captured_queries)

    small = queries()
    bulk(target, generated_texts())
    call_command("rebuild_similarity_index", stdout=io.StringIO())
    # Pool statistics, its words' frequencies, the postings, the candidates, their words'
    # frequencies, and the winners: nothing is rebuilt.
    assert small == queries() == 6


def test_a_lookup_never_rebuilds(proposer, outsider):
    """Rows written around the services stay out of the index until the command rebuilds it."""
    target = make(proposer, **TARGET)
    bulk(target, [DUPLICATE])
    assert shown(target) == []
    out = io.StringIO()
    call_command("rebuild_similarity_index", stdout=out)
    assert "2件" in out.getvalue()
    assert len(shown(target)) == 1
    call_command("rebuild_similarity_index", "--if-empty", stdout=out)
    assert "すでにあります" in out.getvalue()


@pytest.fixture
def fresh_fingerprint():
    """The analysis fingerprint computed anew during and after the test, whatever it patches."""
    from initiatives import similarity

    similarity.analysis_fingerprint.cache_clear()
    yield similarity.analysis_fingerprint.cache_clear
    similarity.analysis_fingerprint.cache_clear()


def test_a_deploy_rebuilds_an_index_built_with_another_analysis_and_only_then(
    proposer, outsider, monkeypatch, fresh_fingerprint
):
    from initiatives import similarity

    target = make(proposer, **TARGET)
    make(outsider, **DUPLICATE)

    def deploy():
        out = io.StringIO()
        call_command("rebuild_similarity_index", "--if-stale", stdout=out)
        return out.getvalue()

    def indexed_words():
        return SimilarityEntry.objects.get(initiative=target).words

    # An index kept in step by the services but never built whole since the stamp came in.
    assert not similarity_index.is_current()
    assert "作り直しました（2件" in deploy()
    assert similarity_index.is_current()
    assert "最新です" in deploy()
    # A release that folds one more synonym changes the words of the texts already indexed.
    assert "録音" in indexed_words()
    monkeypatch.setitem(similarity.THESAURUS, "録音", "音声")
    fresh_fingerprint()
    assert not similarity_index.is_current()
    assert "作り直しました" in deploy()
    assert "録音" not in indexed_words()
    assert "最新です" in deploy()


# --- The index follows the services ----------------------------------------------------------------


def _edit(client, initiative, **text):
    """Save the proposal form as its owner does, changing only the texts."""
    page = client.get(reverse("initiatives:edit", args=[initiative.pk]))
    form, parts = page.context["form"], page.context
    data = {}
    for part in (form, parts["milestones"], parts["cases"], parts["self_check"]):
        for name in part.fields if hasattr(part, "fields") else ():
            value = part[name].value()
            if value is None:
                continue
            data[part.add_prefix(name)] = (
                [str(v) for v in value] if isinstance(value, list) else value
            )
        if hasattr(part, "management_form"):
            for name in part.management_form.fields:
                data[part.management_form.add_prefix(name)] = part.management_form[name].value()
            for sub in part.forms:
                for name in sub.fields:
                    value = sub[name].value()
                    if value is not None:
                        data[sub.add_prefix(name)] = value
    data.update(text)
    data["version"] = initiative.version
    response = client.post(reverse("initiatives:edit", args=[initiative.pk]), data)
    assert response.status_code == 302, response.context["errors"]


def test_index_follows_submission_and_saves(client, proposer, outsider, reviewer):
    target = make(outsider, **TARGET)
    draft = make_initiative(proposer, title="公園の樹木管理台帳の整備")
    assert not SimilarityEntry.objects.filter(initiative=draft).exists()
    initiative_services.submit(draft, actor=proposer)
    assert SimilarityEntry.objects.filter(initiative=draft).exists()
    assert draft not in shown(target)

    review_services.return_for_revision(draft, actor=reviewer, comment="内容を具体的に")
    draft.refresh_from_db()
    client.force_login(proposer)
    _edit(client, draft, title=DUPLICATE["title"], content=DUPLICATE["content"])
    entry = SimilarityEntry.objects.get(initiative=draft)
    assert "議事録" in entry.words and "樹木" not in entry.words
    assert SimilarityWord.objects.get(word="樹木").documents == 0
    assert shown(target) == [draft]


def test_index_follows_withdrawal(proposer, outsider):
    target = make(outsider, **TARGET)
    duplicate = make(proposer, **DUPLICATE)
    assert shown(target) == [duplicate]
    initiative_services.withdraw(duplicate, actor=proposer, comment="重複のため")
    assert shown(target) == []
    assert not SimilarityEntry.objects.filter(initiative=duplicate).exists()
    assert not SimilarityPosting.objects.filter(initiative=duplicate).exists()
    assert SimilarityWord.objects.get(word="録音").documents == 1  # the target's, not its own


def merged_pair_and_a_third(proposer, outsider, reviewer):
    """Two proposals of one idea consolidated, and a third like them: (one, two, third, merged)."""
    one = make(proposer, **TARGET)
    two = make(outsider, **DUPLICATE)
    third = make(outsider, title="AI議事録の作成支援", content="音声認識で議事録の下書きを作る。")
    result = review_services.consolidate(
        [one, two],
        actor=reviewer,
        source=two,
        title="AIによる議事録作成",
        content=TARGET["content"],
    )
    return one, two, third, result


def test_index_follows_consolidation_and_its_undoing(proposer, outsider, reviewer):
    one, two, third, result = merged_pair_and_a_third(proposer, outsider, reviewer)
    indexed = set(SimilarityEntry.objects.values_list("initiative_id", flat=True))
    # The originals leave the pool; the merged item takes their place.
    assert indexed == {result.pk, third.pk}
    assert shown(third) == [result]
    review_services.undo_consolidation(result, actor=reviewer, reason="別の趣旨だった")
    indexed = set(SimilarityEntry.objects.values_list("initiative_id", flat=True))
    assert indexed == {one.pk, two.pk, third.pk}


def test_items_linked_by_a_consolidation_are_not_offered_to_each_other(
    proposer, outsider, reviewer
):
    one, two, third, result = merged_pair_and_a_third(proposer, outsider, reviewer)
    one.refresh_from_db()
    assert one.consolidated_into == result
    # An original's page links to the item it became already: not a similar proposal too.
    assert result not in shown(one) and third in shown(one)
    assert one not in shown(result) and two not in shown(result)
    assert shown(result) == [third]


def test_kept_in_step_it_equals_a_rebuild(proposer, outsider, reviewer):
    """Whatever the services did, the index is the one the command would build from scratch."""
    one = make(proposer, **TARGET)
    two = make(outsider, **DUPLICATE)
    gone = make(
        outsider, title="公園の樹木管理台帳の整備", content="樹木の点検記録を紙で管理している。"
    )
    initiative_services.withdraw(gone, actor=outsider, comment="取りやめ")
    review_services.consolidate(
        [one, two],
        actor=reviewer,
        source=one,
        title="AIによる議事録作成",
        content=TARGET["content"],
    )

    def state():
        entries = dict(SimilarityEntry.objects.values_list("initiative_id", "words"))
        postings = set(SimilarityPosting.objects.values_list("word", "initiative_id", "count"))
        used = dict(SimilarityWord.objects.filter(documents__gt=0).values_list("word", "documents"))
        return entries, postings, used

    kept = state()
    call_command("rebuild_similarity_index", stdout=io.StringIO())
    assert state() == kept
