"""The portal's settings with the benchmark's peer added: the Django admin's changelist over the
initiatives (bench/urls.py). The product has no admin page for initiatives; only `make bench`
serves one, to measure the portal's list against Django's own on the same rows."""

from yachiyo_dx.settings import *  # noqa: F403

ROOT_URLCONF = "bench.urls"
