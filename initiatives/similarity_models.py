"""The similarity index: its tables, kept by initiatives.similarity_index and nothing else."""

from django.db import models


class SimilarityEntry(models.Model):
    """An initiative in the pool of similar proposals, with the words it is compared by. Kept in
    the database so that every app server shares one index, and kept in step by the services
    that save, submit, withdraw and consolidate (no request rebuilds it)."""

    initiative = models.OneToOneField(
        "initiatives.Initiative",
        on_delete=models.CASCADE,
        primary_key=True,
        related_name="similarity_entry",
    )
    words = models.JSONField("語の出現回数", default=dict)
    length = models.PositiveIntegerField("語数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "類似検索の索引"

    def __str__(self):
        return f"{self.initiative_id}: {self.length}語"


class SimilarityPosting(models.Model):
    """One word of one indexed initiative: what a lookup reads to find the candidates."""

    word = models.CharField("語", max_length=64)
    initiative = models.ForeignKey(
        "initiatives.Initiative", on_delete=models.CASCADE, related_name="+"
    )
    count = models.PositiveIntegerField("出現回数")

    class Meta:
        verbose_name = verbose_name_plural = "類似検索の語の出現"
        constraints = [
            models.UniqueConstraint(fields=["word", "initiative"], name="similarity_posting_unique")
        ]
        indexes = [models.Index(fields=["initiative"], name="similarity_posting_initiative")]

    def __str__(self):
        return f"{self.word} @ {self.initiative_id}"


class SimilarityWord(models.Model):
    """How many indexed initiatives use a word (its document frequency), counted up and down as
    entries change, so that a lookup weighs words without counting postings."""

    word = models.CharField("語", max_length=64, primary_key=True)
    documents = models.PositiveIntegerField("出現する提案の数", default=0)

    class Meta:
        verbose_name = verbose_name_plural = "類似検索の語"

    def __str__(self):
        return f"{self.word} ({self.documents})"


class SimilarityIndexState(models.Model):
    """The one row that says how the stored index was last built whole: with which analysis of
    the words (similarity.analysis_fingerprint), so that a release that changes the analysis (a
    new dictionary, stop words or thesaurus) is rebuilt at deploy, not left half old."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1, editable=False)
    analysis = models.CharField("語の扱いのハッシュ値", max_length=64)
    built_at = models.DateTimeField("作成日時")

    class Meta:
        verbose_name = verbose_name_plural = "類似検索の索引の状態"
        constraints = [
            models.CheckConstraint(condition=models.Q(id=1), name="similarity_state_single_row")
        ]

    def __str__(self):
        return f"{self.analysis[:12]} ({self.built_at:%Y-%m-%d %H:%M})"
