"""The domain core must not import Django (docs/architecture.md)."""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "finsam"
PURE = [ROOT / "domain", ROOT / "evaluation"]


def test_no_django_imports_in_the_domain_core():
    offenders = []
    for base in PURE:
        for path in base.rglob("*.py"):
            if "web" in path.relative_to(base).parts:
                continue  # the evaluation package's thin Django app
            tree = ast.parse(path.read_text(encoding="utf-8"))
            for node in ast.walk(tree):
                names = []
                if isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                elif isinstance(node, ast.ImportFrom) and node.module:
                    names = [node.module]
                if any(n == "django" or n.startswith("django.") for n in names):
                    offenders.append(str(path.relative_to(ROOT)))
    assert offenders == []
