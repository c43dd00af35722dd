"""`make similarity-scale`: the stored index of similar proposals with 10,000 proposals in
PostgreSQL. Prints how long the whole rebuild takes, a lookup (what a page asks), and a save's
share (keeping the index in step with one changed proposal). Not a test: it measures.

The texts are the labelled set's sentences recombined at random (a title of one proposal, the
issues of another, the content of a third), so that the vocabulary is a city's, not a template's.

Environment: SIMILARITY_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dx_similarity
— dropped and created anew), SIMILARITY_INITIATIVES (default 10000), SIMILARITY_REUSE=1 to
measure again on the database of the last run without generating it anew.
"""

import os
import random
import secrets
import statistics
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlparse

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get(
    "SIMILARITY_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dx_similarity"
)
TARGET = int(os.environ.get("SIMILARITY_INITIATIVES", "10000"))
LOOKUPS = 200
SAVES = 50

os.environ.update(
    DATABASE_URL=DB_URL,
    DEBUG="0",
    SECRET_KEY=secrets.token_urlsafe(50),
    DJANGO_SETTINGS_MODULE="yachiyo_dx.settings",
    LOG_LEVEL="WARNING",
)
sys.path.insert(0, str(ROOT))


def ms(seconds):
    return f"{seconds * 1000:.1f} ms"


def recreate_database():
    url = urlparse(DB_URL)
    args = ["-h", url.hostname or "127.0.0.1", "-p", str(url.port or 5432)]
    args += ["-U", url.username or "postgres"]
    name = url.path.lstrip("/")
    subprocess.run(["dropdb", *args, "--if-exists", "--force", name], check=True)
    subprocess.run(
        ["createdb", *args, "--encoding=UTF8", "--locale=C.UTF-8", "--template=template0", name],
        check=True,
    )


def manage(*args):
    subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, check=True, stdout=subprocess.DEVNULL
    )


def main():
    print(f"database: {DB_URL}")
    reuse = os.environ.get("SIMILARITY_REUSE") == "1"
    if not reuse:
        recreate_database()
        manage("migrate", "--no-input")
        manage("load_master_data", "data/yachiyo.yaml")
    import django

    django.setup()
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from bench import generate
    from bench.similarity import load
    from initiatives import similarity_index
    from initiatives.models import Initiative
    from initiatives.similarity import similar_initiatives

    rng = random.Random(11)
    labelled = load()
    if not reuse:
        generate.departments_and_staff()
        print(f"generating {TARGET} initiatives…")
        generate.initiatives(TARGET)
        rows = list(Initiative.objects.only("pk"))
        for n, initiative in enumerate(rows):
            initiative.title = f"{rng.choice(labelled)['title']}（{n}）"
            initiative.current_issues = rng.choice(labelled)["issues"]
            initiative.content = rng.choice(labelled)["content"]
        Initiative.objects.bulk_update(
            rows, ["title", "current_issues", "content"], batch_size=1000
        )
        started = time.perf_counter()
        indexed = similarity_index.rebuild()
        rebuild = time.perf_counter() - started
        print(f"rebuild_similarity_index: {indexed} indexed in {rebuild:.1f} s")
    rows = list(Initiative.objects.only("pk"))

    pool = Initiative.objects.all()
    sample = rng.sample(rows, LOOKUPS)
    texts = {i.pk: Initiative.objects.get(pk=i.pk) for i in sample}
    timings, queries, found = [], [], 0
    for initiative in texts.values():
        with CaptureQueriesContext(connection) as ctx:
            started = time.perf_counter()
            result = similar_initiatives(initiative, pool)
            timings.append(time.perf_counter() - started)
        queries.append(len(ctx.captured_queries))
        found += bool(result)
    timings.sort()
    print(
        f"lookup ({LOOKUPS} proposals): median {ms(statistics.median(timings))}, "
        f"p95 {ms(timings[int(0.95 * len(timings))])}, max {ms(timings[-1])}; "
        f"queries {min(queries)}–{max(queries)}; {found} found something"
    )

    saves = []
    for initiative in list(texts.values())[:SAVES]:
        other = rng.choice(labelled)
        initiative.current_issues, initiative.content = other["issues"], other["content"]
        with transaction.atomic():
            initiative.save(update_fields=["current_issues", "content", "updated_at"])
            started = time.perf_counter()
            similarity_index.refresh(initiative)
            saves.append(time.perf_counter() - started)
    saves.sort()
    print(
        f"index update on save ({SAVES} saves): median {ms(statistics.median(saves))}, "
        f"p95 {ms(saves[int(0.95 * len(saves))])}, max {ms(saves[-1])}"
    )
    print("targets: lookup under 50 ms, save adds under 50 ms, no request rebuilds the index")


if __name__ == "__main__":
    main()
