"""The shape of the code (docs/architecture.md): the layers hold, no module reaches into
another's private names, and every import made inside a function says why.

These prove engineering rules, not a SPEC requirement, so they carry no requirement id.
"""

from __future__ import annotations

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "estatedesk"


def _sources() -> list[Path]:
    return sorted(p for p in PACKAGE.rglob("*.py") if "migrations" not in p.parts)


def _module(path: Path) -> str:
    return ".".join(path.relative_to(ROOT).with_suffix("").parts).removesuffix(".__init__")


def test_no_module_imports_another_modules_private_names():
    found = []
    for path in _sources():
        module = _module(path)
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("estatedesk"):
                continue
            for alias in node.names:
                private = alias.name.startswith("_") and not alias.name.startswith("__")
                if private and node.module != module:
                    found.append(f"{path.relative_to(ROOT)}:{node.lineno} {node.module}.{alias.name}")
    assert not found, "\n".join(found)


class _InnerImports(ast.NodeVisitor):
    """Imports inside a function whose line, or one of the two lines above, has no comment."""

    def __init__(self, lines: list[str]) -> None:
        self.lines = lines
        self.depth = 0
        self.unexplained: list[int] = []

    def visit_FunctionDef(self, node: ast.AST) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Import(self, node: ast.Import | ast.ImportFrom) -> None:
        if not self.depth:
            return
        # A comment on the import, or on the lines just above it (it may explain a block of imports).
        start = node.lineno - 1
        window = self.lines[max(0, start - 2) : (node.end_lineno or node.lineno)]
        above = start
        while above > 0 and self.lines[above - 1].strip().startswith(("from ", "import ")):
            above -= 1  # the first import of a block carries the block's reason
        window += self.lines[max(0, above - 2) : above]
        if not any("#" in line for line in window):
            self.unexplained.append(node.lineno)

    visit_ImportFrom = visit_Import


def test_imports_inside_functions_say_why():
    found = []
    for path in _sources():
        source = path.read_text(encoding="utf-8")
        visitor = _InnerImports(source.splitlines())
        visitor.visit(ast.parse(source))
        found += [f"{path.relative_to(ROOT)}:{line}" for line in visitor.unexplained]
    assert not found, "\n".join(found)


@pytest.mark.skipif(
    shutil.which("lint-imports", path=str(Path(sys.executable).parent)) is None,
    reason="import-linter is not installed",
)
def test_the_layers_hold():
    """`lint-imports` with the contracts in .importlinter: layers, no cycles."""
    command = str(Path(sys.executable).parent / "lint-imports")
    result = subprocess.run(  # noqa: S603 - our own tool from our own venv
        [command, "--no-cache"], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stdout[-4000:]
