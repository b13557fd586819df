"""The package stands alone: no module of dgskills_db imports from tests/ or reads a file
there (a declaration that tests, README, report and generators share lives in the product),
and none imports or loads the benchmarks' code in bench/ (it may read their result file)."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "dgskills_db"
TEST_MODULES = {p.stem for p in (ROOT / "tests").glob("*.py")} | {
    p.name for p in (ROOT / "tests").iterdir() if p.is_dir() and (p / "__init__.py").exists()}


def _docstrings(tree: ast.AST) -> set[int]:
    ids = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)) and node.body:
            first = node.body[0]
            if isinstance(first, ast.Expr) and isinstance(first.value, ast.Constant):
                ids.add(id(first.value))
    return ids


def offences(source: str) -> list[str]:
    tree = ast.parse(source)
    docs = _docstrings(tree)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.split(".")[0] in TEST_MODULES | {"tests", "bench"}]
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] in TEST_MODULES | {"tests", "bench"}:
                found.append(node.module)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docs:
            if re.search(r"(^|/)tests(/|$)|(^|/)bench/.*\.py$|^__main__\.py$", node.value):
                found.append(repr(node.value))
    return found


def test_no_package_module_imports_or_reads_tests():
    bad = {str(p.relative_to(ROOT)): o for p in sorted(PACKAGE.rglob("*.py"))
           if (o := offences(p.read_text(encoding="utf-8")))}
    assert bad == {}


def test_the_check_finds_what_it_looks_for():
    assert offences("import world\n") == ["world"]
    assert offences("from rls.access_matrix import TABLES\n") == ["rls.access_matrix"]
    assert offences("p = ROOT / 'tests' / 'rls' / 'x.py'\n") == ["'tests'"]
    assert offences("p = 'tests/world.py'\n") == ["'tests/world.py'"]
    assert offences('"""Read by tests/ too."""\nimport json\n') == []
    assert offences("from bench.__main__ import render\n") == ["bench.__main__"]
    assert offences("spec = ROOT / 'bench' / '__main__.py'\n") == ["'__main__.py'"]
    assert offences("p = ROOT / 'bench' / 'results' / 'latest.json'\n") == []
