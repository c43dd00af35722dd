"""Roles are functions, not names. Which a user holds is data the 管理者 edits (and the
master-data file may load): the 所属 of a member of staff, the promoter flag of a department's
promoter, membership of the secretariat and of each body. Only the administrators' group is a
Django group, because Django's admin permissions hang on it.

Code refers to the functions through these constants; what the city calls them (its
secretariat, its bodies, its promoters) comes from policies.names.
"""

STAFF = "staff"  # works in one of the city's 所属
PROMOTER = "promoter"  # the department's promoter (e.g. DX推進員)
SECRETARIAT = "secretariat"  # the team that consolidates, reviews and keeps the records
COUNCIL = "council"  # a member of the body that gives opinions (Body.Kind.COUNCIL)
HEADQUARTERS = "headquarters"  # a member of the body that decides (Body.Kind.HEADQUARTERS)
COMMITTEE = "committee"  # a member of a committee that proposes on a channel

ADMIN_GROUP = "管理者"


def body_role(code: str) -> str:
    """The role of a member of one body."""
    return f"body:{code}"
