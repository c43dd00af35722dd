"""Roles are Django groups, created by a migration. Code refers to them through these names."""

STAFF = "職員"
DX_PROMOTER = "DX推進員"
COUNTER_COMMITTEE = "窓口あり方検討委員会"
INFO_POLICY = "情報政策課"
HEADQUARTERS = "電子自治体推進本部"
COUNCIL = "情報化推進協議会"
ADMIN = "管理者"

ALL = (STAFF, DX_PROMOTER, COUNTER_COMMITTEE, INFO_POLICY, HEADQUARTERS, COUNCIL, ADMIN)
