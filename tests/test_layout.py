"""The apps are floors of a house: each imports only the floors below it, never a sibling.

Also the size rule of the layout: no production module over 400 lines, no function over 60
unless the line above it says why (`# Long: …`).
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent

# app -> floor; apps on the same floor are siblings and never import each other.
FLOORS = {
    "core": 0,
    "policies": 1,
    "accounts": 2,
    "initiatives": 3,
    "reviews": 4,
    "plans": 4,
    "public": 5,
    "dashboard": 5,
    "yachiyo_dx": 6,
}
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def imported_apps(source: str, *, package: str = "") -> set[str]:
    """The top-level names of everything a module imports, at any depth (relative imports
    resolve to the module's own app)."""
    apps = set()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            apps |= {alias.name.split(".")[0] for alias in node.names}
        elif isinstance(node, ast.ImportFrom):
            apps.add(package if node.level else (node.module or "").split(".")[0])
    return apps


def violations(app: str, source: str) -> set[str]:
    """The apps of ours that `app` may not import but `source` does."""
    floor = FLOORS[app]
    return {
        other
        for other in imported_apps(source, package=app)
        if other in FLOORS and other != app and FLOORS[other] >= floor
    }


def production_modules():
    for app in FLOORS:
        for path in sorted((ROOT / app).rglob("*.py")):
            if "migrations" not in path.parts:
                yield app, path


def test_no_app_imports_a_floor_above_it_or_a_sibling():
    problems = [
        f"{path.relative_to(ROOT)} imports {', '.join(sorted(bad))} (floor {FLOORS[app]})"
        for app, path in production_modules()
        if (bad := violations(app, path.read_text()))
    ]
    assert not problems, "\n".join(problems)


@pytest.mark.parametrize(
    ("app", "source", "bad"),
    [
        ("reviews", "from plans.models import PlanEntry", {"plans"}),
        ("plans", "def f():\n    from reviews import services", {"reviews"}),
        ("policies", "import accounts.roles", {"accounts"}),
        ("core", "from initiatives.models import Initiative", {"initiatives"}),
        ("public", "from dashboard import figures", {"dashboard"}),
        ("initiatives", "from yachiyo_dx import reorganisation", {"yachiyo_dx"}),
        ("reviews", "from initiatives import services\nfrom .models import Meeting", set()),
        ("yachiyo_dx", "from plans import services\nfrom reviews import services", set()),
    ],
)
def test_the_floor_check_catches_an_upward_or_sideways_import(app, source, bad):
    assert violations(app, source) == bad


def test_every_app_is_on_a_floor():
    apps = {p.parent.name for p in ROOT.glob("*/apps.py")}
    assert apps == set(FLOORS), f"give each app a floor: {sorted(apps ^ set(FLOORS))}"


def _long_functions(source):
    lines = source.splitlines()
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            first = min([node.lineno, *(d.lineno for d in node.decorator_list)])
            length = node.end_lineno - node.lineno + 1
            reason = lines[first - 2].strip().startswith("# Long:") if first > 1 else False
            if length > MAX_FUNCTION_LINES and not reason:
                yield node.name, node.lineno, length


def test_modules_and_functions_stay_small():
    problems = []
    for _, path in production_modules():
        source = path.read_text()
        where = path.relative_to(ROOT)
        if (n := len(source.splitlines())) > MAX_MODULE_LINES:
            problems.append(f"{where}: {n} lines; split it by concern")
        problems += [
            f"{where}:{line} {name}() is {length} lines; split it or say why (# Long: …)"
            for name, line, length in _long_functions(source)
        ]
    assert not problems, "\n".join(problems)
