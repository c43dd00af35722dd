"""`make bench`: the portal served as in production (gunicorn, PostgreSQL), loaded from
127.0.0.1, with a bare view as the ceiling and the Django admin's changelist over the same rows
as the peer. Prints the tables and writes bench/results.md and bench/results.json. Not a test:
it measures and compares with the targets, it does not assert.

For each size of the generated city, every page is measured twice: one client at a time (the
server's time per request, over a kept-alive connection on the loopback), then CLIENTS at once
with wrk (Debian's package; Python threads when it is not installed), with the load generator's
own share of the CPU beside it, as it competes with the server for the same cores.

Environment: BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432/dx_bench — the
database is dropped and created anew), BENCH_INITIATIVES (the sizes, comma-separated, default
10000,100000), BENCH_SECONDS per page under load (default 8), BENCH_SINGLE_SECONDS per page one
client at a time (default 3), BENCH_CLIENTS (concurrent connections, default 8).
"""

import http.client
import json
import os
import re
import secrets
import shutil
import signal
import statistics
import subprocess
import sys
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlparse

ROOT = Path(__file__).resolve().parent.parent
DB_URL = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/dx_bench")
SECONDS = float(os.environ.get("BENCH_SECONDS", "8"))
SINGLE_SECONDS = float(os.environ.get("BENCH_SINGLE_SECONDS", "3"))
CLIENTS = int(os.environ.get("BENCH_CLIENTS", "8"))
SIZES = [int(n) for n in os.environ.get("BENCH_INITIATIVES", "10000,100000").split(",")]
PORT = 18300
WRK = shutil.which("wrk")
CPUS = len(os.sched_getaffinity(0))

os.environ.update(
    DATABASE_URL=DB_URL,
    DEBUG="0",
    SECRET_KEY=secrets.token_urlsafe(50),
    ALLOWED_HOSTS="127.0.0.1,testserver",
    SECURE_SSL_REDIRECT="0",
    SECURE_COOKIES="0",
    SECURE_HSTS_SECONDS="0",
    # The benchmark signs in with a password alone (the second factor is a separate concern).
    TWO_FACTOR_REQUIRED="0",
    DJANGO_SETTINGS_MODULE="bench.settings",
    LOG_LEVEL="WARNING",
)
# The app servers share a Redis as in production (a database number of its own, emptied first)
# when one answers on 127.0.0.1:6379; otherwise each worker keeps its own cache in memory.
CACHE_URL = os.environ.get("BENCH_CACHE_URL", "redis://127.0.0.1:6379/14")
sys.path.insert(0, str(ROOT))

# Single-client targets (ms) at the first size; at a larger one, 1.5 times the first's figure.
TARGET_MS = {
    "home": 12,
    "list": 12,
    "list with filters": 12,
    "detail": 12,
    "inbox": 12,
    "dashboard": 15,
    "plan": 15,
    "public page": 8,
    "public detail": 8,
}
BARE = "bare view (/healthz)"
PEER = "admin changelist"
ADMIN_PAGES = (PEER, "admin changelist, filtered")
EXPORT_TARGET_S = {"csv": 1.5, "xlsx": 4}


def choose_cache():
    import redis

    try:
        client = redis.Redis.from_url(CACHE_URL, socket_connect_timeout=0.5)
        client.flushdb()
    except redis.RedisError:
        return "each worker's memory (no Redis at " + CACHE_URL + ")"
    os.environ["CACHE_URL"] = CACHE_URL
    return CACHE_URL


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
    """The key pages, with objects picked from the generated city, and the admin's peers."""
    from initiatives.models import Initiative
    from plans.models import ImplementationPlan
    from policies.models import PolicyEdition

    policy = PolicyEdition.objects.in_force().policies.get(number=1)
    detail = Initiative.objects.filter(status="in_progress").order_by("pk")[20]
    public = Initiative.objects.filter(is_public=True).order_by("pk").first()
    plan = ImplementationPlan.objects.get()
    return {
        BARE: "/healthz",
        "home": "/",
        "list": "/initiatives/",
        "list with filters": f"/initiatives/?status=in_progress&policy={policy.pk}&q=電子申請&sort=-submitted",
        PEER: "/admin/initiatives/initiative/",
        # The same filters and order as the portal's filtered list (column 7: submitted_at).
        "admin changelist, filtered": "/admin/initiatives/initiative/"
        f"?status__exact=in_progress&policy__id__exact={policy.pk}&q=電子申請&o=-7",
        "detail": f"/initiatives/{detail.pk}/",
        "inbox": "/reviews/",
        "dashboard": "/dashboard/",
        "plan": f"/initiatives/plans/{plan.pk}/?fiscal_year=2026&policy=1",
        "public page": "/public/",
        "public detail": f"/public/initiatives/{public.pk}/",
        "export (CSV, filtered)": f"/initiatives/export.csv?status=in_progress&policy={policy.pk}",
    }


def admin_user():
    from accounts.models import User
    from bench import generate

    user, _ = User.objects.get_or_create(
        username="bench-admin",
        defaults={"last_name": "管理者", "is_staff": True, "is_superuser": True},
    )
    user.set_password(generate.PASSWORD)
    user.save()
    return user


def query_counts(urls, user, admin):
    from django.core.cache import cache
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    clients = {}
    for who in (user, admin):
        clients[who.pk] = Client()
        clients[who.pk].force_login(who)
    out = {}
    for name, url in urls.items():
        client = clients[(admin if name in ADMIN_PAGES else user).pk]
        cache.clear()  # the queries of computing the page, not of reading it from the cache
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


def single_client(path, cookie):
    """The median time of one request at a time, after two to warm the caches."""
    path = quote(path, safe="/?&=%")
    conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=120)
    times, statuses = [], set()
    stop = None
    while stop is None or (time.monotonic() < stop and len(times) < 2000) or len(times) < 5:
        started = time.perf_counter()
        conn.request("GET", path, headers={"Cookie": cookie})
        response = conn.getresponse()
        response.read()
        statuses.add(response.status)
        times.append(time.perf_counter() - started)
        if len(times) == 2 and stop is None:
            times.clear()  # the first two warm the worker and the cache
            stop = time.monotonic() + SINGLE_SECONDS
    return {"ms": 1000 * statistics.median(times), "n": len(times), "status": sorted(statuses)}


def load_wrk(path, cookie):
    url = f"http://127.0.0.1:{PORT}{quote(path, safe='/?&=%')}"
    started = time.monotonic()
    process = subprocess.Popen(
        [
            WRK,
            "-t1",
            f"-c{CLIENTS}",
            f"-d{SECONDS:.0f}s",
            "--timeout",
            "60s",
            "-s",
            str(ROOT / "bench" / "wrk_report.lua"),
            "-H",
            f"Cookie: {cookie}",
            url,
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    output = process.stdout.read()
    _, status, usage = os.wait4(process.pid, 0)
    process.returncode = os.waitstatus_to_exitcode(status)
    elapsed = time.monotonic() - started
    figures = json.loads(re.search(r"^BENCH (.*)$", output, re.M).group(1))
    seconds = figures["duration_us"] / 1e6
    return {
        "requests": figures["requests"],
        "rps": figures["requests"] / seconds,
        "p50_ms": figures["p50_us"] / 1000,
        "p95_ms": figures["p95_us"] / 1000,
        "errors": figures["errors"] + figures["non_2xx"],
        "loadgen_cpu_pct": 100 * (usage.ru_utime + usage.ru_stime) / (elapsed * CPUS),
        "tool": "wrk",
    }


def load_threads(path, cookie):
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
    cpu = time.process_time()
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
        "loadgen_cpu_pct": 100 * (time.process_time() - cpu) / (elapsed * CPUS),
        "tool": "python threads",
    }


def load(path, cookie):
    return load_wrk(path, cookie) if WRK else load_threads(path, cookie)


def export_child(kind):
    """`run.py --export csv|xlsx`: every initiative the reviewer sees, exported, as JSON."""
    import django

    django.setup()
    from bench import generate
    from initiatives import exports
    from initiatives.models import Initiative

    queryset = Initiative.objects.visible_to(generate.reviewer())
    started = time.perf_counter()
    rows = exports.export_queryset(queryset)
    if kind == "csv":
        size = sum(len(chunk.encode()) for chunk in exports.csv_chunks(rows))
    else:
        size = exports.xlsx_file(rows).seek(0, 2)
    seconds = time.perf_counter() - started
    # The high-water mark of this process's resident memory since it started (the parent's
    # ru_maxrss of a child would count the bench's own memory, copied at the fork).
    status = Path("/proc/self/status").read_text()
    peak_kib = int(re.search(r"^VmHWM:\s+(\d+) kB", status, re.M).group(1))
    print(
        json.dumps(
            {
                "rows": queryset.count(),
                "seconds": seconds,
                "bytes": size,
                "peak_rss_mib": peak_kib / 1024,
            }
        )
    )


def export_figures():
    """Time and peak memory (the whole process's, its maximum resident set) of each export,
    each in a fresh process."""
    out = {}
    for kind in ("csv", "xlsx"):
        output = subprocess.run(
            [sys.executable, __file__, "--export", kind],
            cwd=ROOT,
            check=True,
            stdout=subprocess.PIPE,
        ).stdout
        out[kind] = json.loads(output)
    return out


def serve():
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
    for _ in range(60):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", PORT, timeout=2)
            conn.request("GET", "/readyz")
            if conn.getresponse().status == 200:
                break
        except OSError:
            time.sleep(0.5)
    return server


def measure(size, user, admin, small):
    from django.db import connection

    from bench import generate

    print(f"generating {size} initiatives…", flush=True)
    generate.initiatives(size)
    # Generated around the services: the index of similar proposals is built once, as after an
    # import.
    manage("rebuild_similarity_index")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")  # as autovacuum would, after a bulk load
    urls = pages()
    counts = query_counts(urls, user, admin)
    out = {
        "queries": {
            name: {
                "at_100": small[name][1],
                f"at_{size}": counts[name][1],
                "status": counts[name][0],
            }
            for name in urls
        },
        "single": {},
        "load": {},
    }
    server = serve()
    try:
        cookies = {
            "user": session_cookie(user.username, generate.PASSWORD),
            "admin": session_cookie(admin.username, generate.PASSWORD),
        }
        for name, url in urls.items():
            cookie = cookies["admin" if name in ADMIN_PAGES else "user"]
            out["single"][name] = single_client(url, cookie)
            out["load"][name] = load(url, cookie)
            print(
                f"  {name}: {out['single'][name]['ms']:.1f} ms alone, "
                f"{out['load'][name]['rps']:.1f} req/s with {CLIENTS} clients",
                flush=True,
            )
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        server.wait(timeout=30)
    out["export"] = export_figures()
    return out


def main():
    shared_cache = choose_cache()
    print(f"benchmark database: {DB_URL}; sizes {SIZES}; load from {WRK or 'Python threads'}")
    print(f"cache: {shared_cache}")
    recreate_database()
    manage("migrate", "--no-input")
    manage("collectstatic", "--no-input")
    manage("load_master_data", "data/yachiyo.yaml")
    import django

    django.setup()
    from bench import generate

    generate.departments_and_staff()
    user, admin = generate.reviewer(), admin_user()
    results = {
        "settings": {
            "seconds": SECONDS,
            "single_seconds": SINGLE_SECONDS,
            "clients": CLIENTS,
            "sizes": SIZES,
            "cpus": CPUS,
            "load_generator": "wrk" if WRK else "python threads",
            "cache": shared_cache,
            "load_average_at_start": os.getloadavg(),
        },
        "sizes": {},
    }
    generate.initiatives(100)
    manage("rebuild_similarity_index")
    small = query_counts(pages(), user, admin)
    for size in SIZES:
        results["sizes"][str(size)] = measure(size, user, admin, small)
        report(results)  # written after each size: the larger ones take long


def report(results):
    settings = results["settings"]
    sizes = [int(size) for size in results["sizes"]]  # those measured so far
    first = str(sizes[0])
    lines = [
        f"# Benchmark ({time.strftime('%Y-%m-%d %H:%M')}; {settings['cpus']} CPUs shared by the "
        f"server, PostgreSQL and the load generator; {settings['clients']} clients for "
        f"{settings['seconds']:.0f} s per page with {settings['load_generator']}; cache: "
        f"{settings['cache']}; load average {settings['load_average_at_start'][0]:.1f} at the start)",
        "",
        "Single client: the median time of one request at a time (the server's time per page; "
        "the loopback adds about 0.1 ms). × admin: requests/s against the Django admin's "
        "changelist over the same rows in the same run. Load generator CPU: its share of all "
        "CPUs while it loaded the page.",
    ]
    verdicts = []
    for size in map(str, sizes):
        figures = results["sizes"][size]
        peer = figures["load"][PEER]["rps"]
        lines += [
            "",
            f"## {int(size):,} initiatives",
            "",
            "| page | single client ms | target ms | req/s | p50 ms | p95 ms | × admin | "
            f"load generator CPU | queries at 100 | queries at {int(size):,} | errors |",
            "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
        ]
        for name, load in figures["load"].items():
            single = figures["single"][name]["ms"]
            target = TARGET_MS.get(name)
            if target is not None and size != first:
                target = 1.5 * results["sizes"][first]["single"][name]["ms"]
            q = figures["queries"][name]
            lines.append(
                f"| {name} | {single:.1f} | {f'{target:.1f}' if target else ''} | "
                f"{load['rps']:.1f} | {load['p50_ms']:.1f} | {load['p95_ms']:.1f} | "
                f"{load['rps'] / peer:.1f} | {load['loadgen_cpu_pct']:.0f}% | {q['at_100']} | "
                f"{q[f'at_{size}']} | {load['errors']} |"
            )
            if target is not None:
                verdicts.append(
                    (
                        size,
                        f"{name}: single client {single:.1f} ms ≤ {target:.1f}",
                        single <= target,
                    )
                )
                verdicts.append(
                    (
                        size,
                        f"{name}: {load['rps'] / peer:.1f}× the admin's req/s ≥ 3",
                        load["rps"] >= 3 * peer,
                    )
                )
                verdicts.append(
                    (size, f"{name}: p95 {load['p95_ms']:.0f} ms ≤ 100", load["p95_ms"] <= 100)
                )
                verdicts.append(
                    (
                        size,
                        f"{name}: queries at 100 and at {size} equal",
                        q["at_100"] == q[f"at_{size}"],
                    )
                )
        lines += [
            "",
            "| export (every initiative) | rows | seconds | target s | peak memory of the process (MiB) | size (bytes) |",
            "|---|---:|---:|---:|---:|---:|",
        ]
        for kind, export in figures["export"].items():
            target = EXPORT_TARGET_S[kind] * export["rows"] / 10_000
            lines.append(
                f"| {kind} | {export['rows']} | {export['seconds']:.2f} | {target:.1f} | "
                f"{export['peak_rss_mib']:.0f} | {export['bytes']} |"
            )
            if export["rows"] <= 10_000:
                verdicts.append(
                    (
                        size,
                        f"export {kind}: {export['seconds']:.2f} s ≤ {EXPORT_TARGET_S[kind]}",
                        export["seconds"] <= EXPORT_TARGET_S[kind],
                    )
                )
    if len(sizes) > 1:
        last = str(sizes[-1])
        for kind in ("csv", "xlsx"):
            a = results["sizes"][first]["export"][kind]["peak_rss_mib"]
            b = results["sizes"][last]["export"][kind]["peak_rss_mib"]
            verdicts.append(
                (
                    last,
                    f"export {kind}: peak memory {a:.0f} → {b:.0f} MiB flat (≤ +20%)",
                    b <= 1.2 * a,
                )
            )
    lines += ["", "## Targets", ""]
    lines += [
        f"- {'met' if ok else '**missed**'} ({int(size):,}): {text}" for size, text, ok in verdicts
    ]
    text = "\n".join(lines)
    print()
    print(text)
    (ROOT / "bench" / "results.md").write_text(text + "\n", encoding="utf-8")
    (ROOT / "bench" / "results.json").write_text(
        json.dumps(results, ensure_ascii=False, indent=1), encoding="utf-8"
    )


if __name__ == "__main__":
    if sys.argv[1:2] == ["--export"]:
        export_child(sys.argv[2])
    elif sys.argv[1:2] == ["--report"]:  # the tables again, from bench/results.json
        report(json.loads((ROOT / "bench" / "results.json").read_text(encoding="utf-8")))
    else:
        main()
