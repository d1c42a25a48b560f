"""The evaluation package is pure Python: no Django anywhere in it."""

import ast
from pathlib import Path

import finsam.evaluation

PACKAGE = Path(finsam.evaluation.__file__).resolve().parent


def test_no_django_imports():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []
