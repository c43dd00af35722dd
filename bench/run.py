"""`make bench`: the portal served as in production (gunicorn, PostgreSQL), loaded from
127.0.0.1, with a bare view as the ceiling. Prints a table and writes bench/results.md and
bench/results.json. Not a test: it measures, it does not assert.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dx_bench — the
database is dropped and created anew), BENCH_SECONDS per page (default 8), BENCH_CLIENTS
(concurrent connections, default 8), BENCH_INITIATIVES (default 10000).
"""

import http.client
import json
import os
import secrets
import signal
import statistics
import subprocess
import sys
import threading
import time
import tracemalloc
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dx_bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
TARGET = int(os.environ.get("BENCH_INITIATIVES", "10000"))
PORT = 18300

os.environ.update(
    DATABASE_URL=DB_URL,
    DEBUG="0",
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS="127.0.0.1,testserver",
    SECURE_SSL_REDIRECT="0",
    SECURE_COOKIES="0",
    SECURE_HSTS_SECONDS="0",
    DJANGO_SETTINGS_MODULE="yachiyo_dx.settings",
    LOG_LEVEL="WARNING",
)
sys.path.insert(0, str(ROOT))


def recreate_database():
    url = urlparse(DB_URL)
    args = [
        "-h",
        url.hostname or "127.0.0.1",
        "-p",
        str(url.port or 5432),
        "-U",
        url.username or "postgres",
    ]
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


def pages():
    """The key pages, with objects picked from the generated city."""
    from initiatives.models import Initiative
    from plans.models import ImplementationPlan
    from policies.models import PolicyEdition

    policy = PolicyEdition.objects.in_force().policies.get(number=1)
    detail = Initiative.objects.filter(status="in_progress").order_by("pk")[20]
    public = Initiative.objects.filter(is_public=True).order_by("pk").first()
    plan = ImplementationPlan.objects.get()
    return {
        "bare view (/healthz)": "/healthz",
        "list with filters": f"/initiatives/?status=in_progress&policy={policy.pk}&q=電子申請&sort=-submitted",
        "detail": f"/initiatives/{detail.pk}/",
        "inbox": "/reviews/",
        "dashboard": "/dashboard/",
        "plan": f"/initiatives/plans/{plan.pk}/?fiscal_year=2026&policy=1",
        "public page": "/public/",
        "public detail": f"/public/initiatives/{public.pk}/",
        "export (CSV, filtered)": f"/initiatives/export.csv?status=in_progress&policy={policy.pk}",
    }


def query_counts(urls, user):
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    client = Client()
    client.force_login(user)
    out = {}
    for name, url in urls.items():
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url)
            if hasattr(response, "streaming_content"):
                for _ in response.streaming_content:
                    pass
        out[name] = (response.status_code, len(ctx.captured_queries))
    return out


def session_cookie(username, password):
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=30)
    conn.request("GET", "/accounts/login/")
    response = conn.getresponse()
    response.read()
    csrf = response.headers["Set-Cookie"].split("csrftoken=")[1].split(";")[0]
    body = f"username={username}&password={password}&csrfmiddlewaretoken={csrf}"
    conn.request(
        "POST",
        "/accounts/login/",
        body,
        {
            "Content-Type": "application/x-www-form-urlencoded",
            "Cookie": f"csrftoken={csrf}",
        },
    )
    response = conn.getresponse()
    response.read()
    cookies = [c.split(";")[0] for c in response.headers.get_all("Set-Cookie")]
    assert response.status == 302, response.status
    return "; ".join(cookies)


def load(path, cookie):
    path = quote(path, safe="/?&=%")
    latencies, errors = [], []
    stop = time.monotonic() + SECONDS
    lock = threading.Lock()

    def worker():
        conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=60)
        mine, bad = [], 0
        while time.monotonic() < stop:
            started = time.perf_counter()
            conn.request("GET", path, headers={"Cookie": cookie})
            response = conn.getresponse()
            response.read()
            mine.append(time.perf_counter() - started)
            if response.status != 200:
                bad += 1
        with lock:
            latencies.extend(mine)
            errors.append(bad)

    threads = [threading.Thread(target=worker) for _ in range(CLIENTS)]
    started = time.monotonic()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "requests": len(latencies),
        "rps": len(latencies) / elapsed,
        "p50_ms": 1000 * statistics.median(latencies),
        "p95_ms": 1000 * latencies[int(0.95 * (len(latencies) - 1))],
        "errors": sum(errors),
    }


def export_memory(user):
    """Time and peak Python memory of exporting 10,000 rows (CSV streamed, Excel write-only)."""
    from initiatives import exports
    from initiatives.models import Initiative

    out = {}
    for kind in ("csv", "xlsx"):
        queryset = Initiative.objects.visible_to(user)
        tracemalloc.start()
        started = time.perf_counter()
        rows = exports.export_queryset(queryset)
        if kind == "csv":
            size = sum(len(chunk) for chunk in exports.csv_chunks(rows))
        else:
            handle = exports.xlsx_file(rows)
            size = handle.seek(0, 2)
        elapsed = time.perf_counter() - started
        _, peak = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        out[kind] = {
            "rows": queryset.count(),
            "seconds": elapsed,
            "peak_mib": peak / 2**20,
            "bytes": size,
        }
    return out


def main():
    print(f"benchmark database: {DB_URL}")
    recreate_database()
    manage("migrate", "--no-input")
    manage("collectstatic", "--no-input")
    manage("load_master_data", "data/yachiyo.yaml")
    import django

    django.setup()
    from bench import generate

    generate.departments_and_staff()
    user = generate.reviewer()
    results = {"settings": {"seconds": SECONDS, "clients": CLIENTS, "initiatives": TARGET}}

    generate.initiatives(100)
    manage("rebuild_similarity_index")
    small = query_counts(pages(), user)
    print(f"generating {TARGET} initiatives…")
    generate.initiatives(TARGET)
    # Generated around the services: the index of similar proposals is built once, as after an import.
    manage("rebuild_similarity_index")
    urls = pages()
    large = query_counts(urls, user)
    results["queries"] = {
        name: {"at_100": small[name][1], f"at_{TARGET}": large[name][1], "status": large[name][0]}
        for name in urls
    }

    from django.db import connections

    connections.close_all()
    server = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "gunicorn",
            "-c",
            "deploy/gunicorn.conf.py",
            "--bind",
            f"127.0.0.1:{PORT}",
            "yachiyo_dx.wsgi",
        ],
        cwd=ROOT,
        start_new_session=True,
        stderr=subprocess.DEVNULL,
    )
    try:
        for _ in range(60):
            try:
                conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
                conn.request("GET", "/readyz")
                if conn.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.5)
        cookie = session_cookie(user.username, generate.PASSWORD)
        results["load"] = {}
        for name, url in urls.items():
            results["load"][name] = load(url, cookie)
            print(f"  {name}: {results['load'][name]['rps']:.1f} req/s")
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)

    results["export"] = export_memory(user)
    report(results)


def report(results):
    bare = results["load"]["bare view (/healthz)"]["rps"]
    lines = [
        f"# Benchmark ({time.strftime('%Y-%m-%d %H:%M')}, {results['settings']['initiatives']} initiatives, "
        f"{results['settings']['clients']} clients, {results['settings']['seconds']:.0f} s per page)",
        "",
        "| page | req/s | p50 ms | p95 ms | vs bare | queries at 100 | queries at "
        f"{results['settings']['initiatives']} | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    at_target = f"at_{results['settings']['initiatives']}"
    for name, figures in results["load"].items():
        q = results["queries"][name]
        lines.append(
            f"| {name} | {figures['rps']:.1f} | {figures['p50_ms']:.1f} | {figures['p95_ms']:.1f} | "
            f"{100 * figures['rps'] / bare:.0f}% | {q['at_100']} | {q[at_target]} | "
            f"{figures['errors']} |"
        )
    lines += [
        "",
        "| export | rows | seconds | peak Python memory (MiB) | size (bytes) |",
        "|---|---:|---:|---:|---:|",
    ]
    for kind, figures in results["export"].items():
        lines.append(
            f"| {kind} | {figures['rows']} | {figures['seconds']:.2f} | {figures['peak_mib']:.1f} | {figures['bytes']} |"
        )
    text = "\n".join(lines)
    print()
    print(text)
    (ROOT / "bench" / "results.md").write_text(text + "\n", encoding="utf-8")
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    main()
