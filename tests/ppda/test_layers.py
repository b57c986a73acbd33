"""Layers point one way: ppda/ (the foundation) < cases/ < oversight/ < panels/.

A lower layer never imports a higher one, not even lazily inside a function: the higher app provides the
selector, or registers with the lower one (cases.extensions, ppda.demo.demo_step_register). The check reads
every module's source (ast), so it sees imports that only run later, and it is shown to fail on a planted
reverse import.
"""

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
# Each package, and the packages it must never import.
LAYERS = ["ppda", "cases", "oversight", "panels"]
FORBIDDEN = {low: set(LAYERS[i + 1 :]) for i, low in enumerate(LAYERS)}


def _module_name(path: Path, root: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _imported(tree: ast.AST, module: str, is_package: bool) -> list[tuple[int, str]]:
    """(line, absolute module name) of every import in the module, relative ones resolved."""
    found = []
    package = module if is_package else module.rpartition(".")[0]
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [(node.lineno, alias.name) for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)] if node.level > 1 else base
                name = ".".join([*base, node.module] if node.module else base)
            else:
                name = node.module or ""
            found.append((node.lineno, name))
    return found


def reverse_imports(root: Path) -> list[str]:
    """Every import of a higher layer by a lower one under `root`, as "file:line imports module"."""
    wrong = []
    for low, higher in FORBIDDEN.items():
        if not higher or not (root / low).is_dir():
            continue
        for path in sorted((root / low).rglob("*.py")):
            if "migrations" in path.parts:
                continue
            module = _module_name(path, root)
            tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for line, name in _imported(tree, module, path.name == "__init__.py"):
                if name.split(".")[0] in higher:
                    wrong.append(f"{path.relative_to(root)}:{line} imports {name}")
    return wrong


def test_no_lower_layer_imports_a_higher_one():
    assert reverse_imports(ROOT) == []


def test_the_check_fails_on_a_planted_reverse_import(tmp_path):
    (tmp_path / "ppda" / "sub").mkdir(parents=True)
    (tmp_path / "ppda" / "__init__.py").write_text("")
    (tmp_path / "ppda" / "sub" / "__init__.py").write_text("")
    (tmp_path / "ppda" / "sub" / "lazy.py").write_text("def f():\n    from cases.models import Case\n    return Case\n")
    (tmp_path / "ppda" / "fine.py").write_text("from ppda.roles import Role\nfrom . import sub\n")
    (tmp_path / "cases").mkdir()
    (tmp_path / "cases" / "climb.py").write_text("from oversight import models\nimport panels.access\n")
    (tmp_path / "cases" / "ok.py").write_text("import ppda.models\n")
    assert reverse_imports(tmp_path) == [
        "ppda/sub/lazy.py:2 imports cases.models",
        "cases/climb.py:1 imports oversight",
        "cases/climb.py:2 imports panels.access",
    ]


def test_relative_imports_are_resolved_against_their_package():
    tree = ast.parse("from ..accounts import services\nfrom . import x\nfrom .y import z\n")
    assert _imported(tree, "ppda.notifications.views", is_package=False) == [
        (1, "ppda.accounts"),
        (2, "ppda.notifications"),
        (3, "ppda.notifications.y"),
    ]
