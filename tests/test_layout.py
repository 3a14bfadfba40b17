"""Every module and function stays readable in one sitting: no function over 60 lines, no
module over 400 (STYLE.md: "keep files small enough to read in one sitting").

Lines are counted as written, docstrings and comments included: a function from its ``def``
line to its last line (decorators aside), a module from its first line to its last.
Migrations are generated and left out.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("candidacy", "common", "config", "patients", "rules")
MAX_FUNCTION_LINES = 60
MAX_MODULE_LINES = 400


def source_files() -> list[Path]:
    return sorted(
        path
        for package in PACKAGES
        for path in (ROOT / package).rglob("*.py")
        if "migrations" not in path.relative_to(ROOT).parts
    )


def functions(tree: ast.AST, prefix: str = ""):
    """(qualified name, node) of every function and method, nested ones too."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef):
            name = f"{prefix}{node.name}"
            if not isinstance(node, ast.ClassDef):
                yield name, node
            yield from functions(node, f"{name}.")
        else:
            yield from functions(node, prefix)


def offenders() -> dict[str, str]:
    """What is too long, by where it is ("path" or "path:function"), with its length."""
    found = {}
    for path in source_files():
        where = path.relative_to(ROOT).as_posix()
        text = path.read_text(encoding="utf-8")
        lines = len(text.splitlines())
        if lines > MAX_MODULE_LINES:
            found[where] = f"module of {lines} lines (at most {MAX_MODULE_LINES})"
        for name, node in functions(ast.parse(text, filename=where)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found[f"{where}:{name}"] = f"{length} lines (at most {MAX_FUNCTION_LINES})"
    return found


def test_the_walk_finds_the_source_packages_and_skips_migrations():
    found = {path.relative_to(ROOT).as_posix() for path in source_files()}
    assert "rules/defaults.py" in found and "candidacy/screening/services.py" in found
    assert not any("/migrations/" in path for path in found)


def test_no_function_or_module_is_too_long_to_read_in_one_sitting():
    too_long = offenders()
    assert not too_long, "Split these by concern:\n" + "\n".join(
        f"- {where}: {why}" for where, why in sorted(too_long.items())
    )


def test_a_long_method_is_named_with_its_class():
    tree = ast.parse("class A:\n    def b(self):\n        def c():\n            pass\n")
    assert [name for name, _ in functions(tree)] == ["A.b", "A.b.c"]
