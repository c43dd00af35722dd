"""gunicorn settings for the DX portal (see docs/production.md).

    gunicorn -c deploy/gunicorn.conf.py yachiyo_dx.wsgi

Everything that differs between servers comes from the environment (the systemd unit reads
/etc/dx-portal/env), so this file is the same on every app server and is versioned with the code.
"""

import os
from pathlib import Path

# The release directory (the one holding manage.py). gunicorn changes into it and puts it first
# on sys.path, so the code, templates/ and staticfiles/ of this release are used wherever
# gunicorn is started from.
chdir = str(Path(__file__).resolve().parent.parent)
wsgi_app = "yachiyo_dx.wsgi:application"

# Where to listen. Default: loopback only, for nginx on the same host. With nginx on another host,
# bind to the internal address (e.g. 10.0.0.11:8000) and let the firewall admit only the proxy
# and the monitoring server: the app trusts X-Forwarded-Proto (BEHIND_TLS_PROXY=1) from whoever
# can reach this port. Several addresses may be given, comma-separated.
bind = [
    address.strip()
    for address in os.environ.get("GUNICORN_BIND", "127.0.0.1:8000").split(",")
    if address.strip()
]


def _cpu_count():
    try:
        return len(os.sched_getaffinity(0))  # the CPUs this process may use (cgroups, taskset)
    except AttributeError:
        return os.cpu_count() or 1


# Synchronous workers: the portal's views are short database round trips, and nginx buffers
# slow clients (uploads and downloads) so a worker is never held by a slow network. The usual
# 2 x CPUs + 1; each worker keeps one database connection (CONN_MAX_AGE), so PostgreSQL's
# max_connections must exceed the sum over all app servers plus the scheduled jobs.
workers = int(os.environ.get("GUNICORN_WORKERS") or 2 * _cpu_count() + 1)
worker_class = "sync"

# A request taking longer than this kills its worker (the user gets 502 from nginx). The largest
# Excel exports and 20 MB attachments finish well within it; nginx's proxy_read_timeout is set
# a little higher so that gunicorn, not nginx, decides.
timeout = 60
# On restart or shutdown (SIGTERM), requests in progress get this long to finish.
graceful_timeout = 30
# Keep-alive with nginx's upstream keepalive connections.
keepalive = 5

# Recycle each worker after about 1000 requests (jitter so that the workers do not all restart
# together): bounds the memory a long-running worker may accumulate.
max_requests = 1000
max_requests_jitter = 100

# No gunicorn access log: the application writes one JSON line per request itself
# (yachiyo_dx/observability.py), with the user id and duration. Errors (worker timeouts,
# crashes, start-up failures) go to stderr, which systemd sends to the journal.
accesslog = None
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOG_LEVEL", "info")

# Addresses of the proxies allowed to tell gunicorn the request came over HTTPS
# (X-Forwarded-Proto): nginx's address when it runs on another host, comma-separated.
# This sets wsgi.url_scheme only; Django itself reads the header because BEHIND_TLS_PROXY=1.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# Request line and header limits stay at gunicorn's defaults (4094 bytes per line, 100 header
# fields of at most 8190 bytes each); nothing in the portal needs more, and nginx rejects
# oversized requests first. Spelled out here so that a change is a deliberate one.
limit_request_line = 4094
limit_request_fields = 100
limit_request_field_size = 8190

# Name the processes so that `ps` tells the portal's gunicorn from others on the host.
proc_name = "dx-portal"

# gunicorn 25.1+ opens a control socket for `gunicornc` in $XDG_RUNTIME_DIR or ~/.gunicorn by
# default. systemd manages the process here (restart, stop), and the service's home is read-only
# (ProtectSystem=strict), so it stays off. Older gunicorn ignores the unknown setting.
control_socket_disable = True
