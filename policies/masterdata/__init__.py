"""Load a city's master data from one YAML (or JSON) file.

The file is checked whole before anything is written: every problem is reported with its place
(`editions[0].policies[1].name`), and the load runs in one transaction. Loading is idempotent:
records are matched by their code (or number), created when missing, updated when the file says
otherwise, and never deleted. A policy edition, once loaded, is never changed: a revised policy is
a new edition, and a new checklist version is added beside the old ones.
"""

from .loader import LoadResult, load
from .reader import MasterDataError
from .schema import parse, read_file

__all__ = ["LoadResult", "MasterDataError", "load", "parse", "read_file"]
