"""The evaluation package is pure Python: no Django in it, except its thin app ``web/``."""

import ast
from pathlib import Path

import finsam.evaluation

PACKAGE = Path(finsam.evaluation.__file__).resolve().parent


def test_no_django_imports():
    offenders = []
    for path in PACKAGE.rglob("*.py"):
        if "web" in path.relative_to(PACKAGE).parts:
            continue  # the Django app: the command and the pages
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            names = []
            if isinstance(node, ast.Import):
                names = [a.name for a in node.names]
            elif isinstance(node, ast.ImportFrom):
                names = [node.module or ""]
            offenders += [f"{path.name}: {n}" for n in names if n.split(".")[0] == "django"]
    assert offenders == []


def test_the_web_app_is_the_only_exception():
    assert (PACKAGE / "web" / "apps.py").exists()
    assert [p.name for p in PACKAGE.iterdir() if p.is_dir() and p.name != "__pycache__"] == ["web"]
