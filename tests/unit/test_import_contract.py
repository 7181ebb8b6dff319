"""Dependencies one way (docs/architecture.md): the import contract of pyproject.toml
([tool.importlinter]) is kept, and no module depends on itself through others. Imports
inside functions count: a deferred import is still a dependency."""
from __future__ import annotations

from pathlib import Path

import grimp
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parents[2]


def test_the_layers_of_the_import_contract_are_kept(monkeypatch):
    monkeypatch.chdir(ROOT)
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def _cycles(imports: dict[str, set[str]]) -> list[list[str]]:
    """The groups of modules that import each other, directly or through others (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(module: str) -> None:
        index[module] = low[module] = len(index)
        stack.append(module)
        on_stack.add(module)
        for imported in imports[module]:
            if imported not in index:
                visit(imported)
                low[module] = min(low[module], low[imported])
            elif imported in on_stack:
                low[module] = min(low[module], index[imported])
        if low[module] == index[module]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == module:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for module in sorted(imports):
        if module not in index:
            visit(module)
    return groups


def _module_imports() -> dict[str, set[str]]:
    graph = grimp.build_graph("facilitator", cache_dir=None)
    # A package's own __init__ runs when any of its modules is imported; that is not a
    # dependency of the module on the package, so only module → module edges count.
    return {module: {m for m in graph.find_modules_directly_imported_by(module)
                     if m.startswith("facilitator")}
            for module in graph.modules}


def test_no_module_depends_on_itself_through_others():
    assert _cycles(_module_imports()) == []


def test_a_cycle_is_found_where_there_is_one():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert _cycles({"a": {"b"}, "b": set()}) == []
