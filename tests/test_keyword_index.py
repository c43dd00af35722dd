"""The keyword filter's trigram indexes (initiatives migration 0013) serve the filter's own
query on PostgreSQL, Japanese words included."""

import pytest
from django.db import connection

from initiatives.filters import InitiativeFilter
from initiatives.models import Initiative

from .factories import make_initiative

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql", reason="trigram indexes are PostgreSQL's"
    ),
]


def test_each_searched_column_has_a_trigram_index():
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT indexname FROM pg_indexes WHERE tablename = 'initiatives_initiative' "
            "AND indexname LIKE '%%_trgm'"
        )
        names = {name for (name,) in cursor.fetchall()}
    assert names == {f"initiative_{c}_trgm" for c in ("title", "current_issues", "content")}


def test_the_keyword_filter_can_use_them(proposer):
    make_initiative(proposer, title="電子申請の拡充")
    queryset = InitiativeFilter({"q": "電子申請"}, queryset=Initiative.objects.all()).qs
    assert [i.title for i in queryset] == ["電子申請の拡充"]
    sql, params = queryset.order_by().query.sql_with_params()
    with connection.cursor() as cursor:
        # On a table this small the planner would rightly scan: forbid scanning (the table or
        # a whole index), to see whether the indexes match the filter's expressions at all.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(line for (line,) in cursor.fetchall())
    for column in ("title", "current_issues", "content"):
        assert f"initiative_{column}_trgm" in plan, plan
