"""The labelled set `make similarity` measures with (bench/similarity_set.yaml) keeps the shape
its figures depend on: enough groups and near misses in every part, no group or near miss that
crosses parts, and the members of a group each from another department."""

from collections import Counter, defaultdict
from pathlib import Path

import pytest
import yaml

SET = Path(__file__).resolve().parent.parent / "bench" / "similarity_set.yaml"
PARTS = ("dev", "held_out", "fresh", "blind")


@pytest.fixture(scope="module")
def proposals():
    return yaml.safe_load(SET.read_text(encoding="utf-8"))["proposals"]


def test_every_proposal_is_whole_and_once(proposals):
    ids = Counter(p["id"] for p in proposals)
    assert [i for i, n in ids.items() if n > 1] == []
    for p in proposals:
        assert p["split"] in PARTS, p["id"]
        assert p["title"].strip() and p["department"].strip(), p["id"]
        assert p.get("issues", "").strip() or p.get("content", "").strip(), p["id"]
        assert not (p.get("group") and p.get("near")), p["id"]


def test_the_set_has_enough_groups_and_near_misses_in_all(proposals):
    groups = {p["group"] for p in proposals if p.get("group")}
    assert len(proposals) >= 80
    assert len(groups) >= 12
    assert sum(1 for p in proposals if p.get("near")) >= 15


def test_groups_are_two_to_four_proposals_of_different_departments(proposals):
    members = defaultdict(list)
    for p in proposals:
        if p.get("group"):
            members[p["group"]].append(p)
    for group, ps in members.items():
        assert 2 <= len(ps) <= 4, group
        assert len({p["department"] for p in ps}) == len(ps), group
        assert len({p["split"] for p in ps}) == 1, f"{group} crosses parts"


def test_near_misses_name_a_group_of_their_own_part(proposals):
    part_of = {p["group"]: p["split"] for p in proposals if p.get("group")}
    for p in proposals:
        if p.get("near"):
            assert part_of.get(p["near"]) == p["split"], p["id"]


def test_every_part_has_groups_near_misses_and_unrelated_proposals(proposals):
    for part in PARTS:
        ps = [p for p in proposals if p["split"] == part]
        assert len({p["group"] for p in ps if p.get("group")}) >= 7, part
        assert sum(1 for p in ps if p.get("near")) >= 10, part
        assert sum(1 for p in ps if not p.get("group") and not p.get("near")) >= 10, part
