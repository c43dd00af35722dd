"""Values that many requests share (the dashboard's figures, the inbox's counts, the citizens'
pages), kept in the cache that CACHE_URL names: this process's memory by default, Redis in
production so that every app server sees the same values and the same invalidation.

Every shared value is stored under the current *generation* of the portal's data. A write to a
model of the portal's apps moves the generation on: at once, so that the writing request itself
and the rest of its transaction read fresh values, and again when its transaction commits, so
that a value another request computed from the rows as they were before the commit is never
served afterwards. Old generations are simply no longer read and expire.

Saves, deletes and many-to-many changes are seen through Django's model signals (below:
reading them is no business logic, only a note that something changed). Bulk writes and
`QuerySet.update()` send no signal, but every service writes its audit row (core.AuditEvent)
in the same transaction, and that save moves the generation on at commit, after all of them.
"""

import contextlib
import contextvars
import logging
import time

from django.core.cache import cache
from django.db import transaction
from django.db.models.signals import m2m_changed, post_delete, post_save

logger = logging.getLogger(__name__)

GENERATION = "portal:generation"
# A value outlives no write (the generation moves), so this only bounds what an unused
# generation keeps in memory, and how stale a value computed from the clock (today) can be.
TIMEOUT = 10 * 60
# The apps whose rows the shared values are computed from. Accounts (a login writes last_login)
# and sessions are not among them: no shared value reads them.
APPS = frozenset({"core", "policies", "initiatives", "reviews", "plans"})


# While a request runs (RequestMemoMiddleware), or inside memo_scope(), what it has read once:
# the generation (a page that reads several shared values asks the cache server once, not once
# per value) and values every template asks for, such as the city's names (per_request). A write
# of the request itself empties it (_bump); another server's commit during the request shows
# from the next request on, as it would had the request read everything first.
_memo: contextvars.ContextVar[dict | None] = contextvars.ContextVar("request_memo", default=None)


def per_request(name, compute):
    """`compute()` once per request (or memo_scope); every time outside one."""
    memo = _memo.get()
    if memo is None:
        return compute()
    if name not in memo:
        memo[name] = compute()
    return memo[name]


@contextlib.contextmanager
def memo_scope():
    """Read values once inside the block as in a request (a file written row by row after the
    request has returned, a command that sends many mails)."""
    if _memo.get() is not None:
        yield
        return
    token = _memo.set({})
    try:
        yield
    finally:
        _memo.reset(token)


def _read_generation() -> int:
    value = cache.get(GENERATION)
    if value is None:
        # Started from the clock, not from 1: a generation that was evicted or lost with a
        # restarted cache server must not come back to a number whose values may still be kept.
        start = time.time_ns() // 1000
        cache.add(GENERATION, start, timeout=None)
        value = cache.get(GENERATION, start)
    return value


def generation() -> int:
    return per_request(GENERATION, _read_generation)


def _bump():
    memo = _memo.get()
    if memo is not None:
        memo.clear()
    try:
        cache.incr(GENERATION)
    except ValueError:  # evicted or never set: any new value starts a new generation
        cache.set(GENERATION, generation() + 1, timeout=None)
    except Exception:  # the cache server is down: nothing is served from it either
        logger.warning("cache unavailable: generation not moved on", exc_info=True)


def changed():
    """The portal's data changed: shared values are computed afresh, now and after commit."""
    _bump()
    transaction.on_commit(_bump)


def shared(name, compute, *, timeout=TIMEOUT):
    """The value `compute()` returns, computed once per generation for every app server.

    `name` must say everything the value depends on besides the data (a date, a page number).
    A cache server that does not answer makes the page slower, never broken.
    """
    try:
        key = f"portal:{generation()}:{name}"
        value = cache.get(key)
    except Exception:
        logger.warning("cache unavailable: %s computed afresh", name, exc_info=True)
        return compute()
    if value is None:
        value = compute()
        try:
            cache.set(key, value, timeout)
        except Exception:
            logger.warning("cache unavailable: %s not kept", name, exc_info=True)
    return value


def _on_write(sender, **kwargs):
    if sender._meta.app_label in APPS:
        changed()


def connect():
    post_save.connect(_on_write, dispatch_uid="core.cache.save")
    post_delete.connect(_on_write, dispatch_uid="core.cache.delete")
    m2m_changed.connect(_on_write, dispatch_uid="core.cache.m2m")


class RequestMemoMiddleware:
    """Gives each request its own memo (see _memo)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        token = _memo.set({})
        try:
            return self.get_response(request)
        finally:
            _memo.reset(token)
