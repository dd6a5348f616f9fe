"""The shape of the package: no import cycles, between stages or between modules.

Imports inside functions count: a lazy import that closes a cycle is still a cycle in the design.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "src" / "rustcoder"


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def module_graph() -> dict[str, set[str]]:
    modules = {module_name(p): p for p in ROOT.rglob("*.py")}
    graph: dict[str, set[str]] = {name: set() for name in modules}
    for name, path in modules.items():
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            targets: list[str] = []
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                targets = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
            elif isinstance(node, ast.Import):
                targets = [a.name for a in node.names]
            graph[name] |= {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle through each strongly connected component with more than one member (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for nxt in graph[node]:
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def package_graph(graph: dict[str, set[str]]) -> dict[str, set[str]]:
    def stage(module: str) -> str:
        return ".".join(module.split(".")[:2])

    packages: dict[str, set[str]] = {}
    for module, targets in graph.items():
        packages.setdefault(stage(module), set()).update(
            stage(t) for t in targets if stage(t) != stage(module)
        )
    for targets in list(packages.values()):
        for target in targets:
            packages.setdefault(target, set())
    return packages


def test_the_cycle_finder_finds_cycles():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_module_imports_itself_round_about():
    assert cycles(module_graph()) == []


def test_no_two_stages_import_each_other():
    assert cycles(package_graph(module_graph())) == []


@pytest.mark.parametrize(
    ("stage", "must_not_import"),
    [
        ("rustcoder.prompting", {"rustcoder.execute", "rustcoder.evaluation", "rustcoder.generation"}),
        ("rustcoder.metrics", {"rustcoder.evaluation", "rustcoder.generation", "rustcoder.execute"}),
        ("rustcoder.execute", {"rustcoder.backends", "rustcoder.prompting", "rustcoder.generation"}),
        ("rustcoder.backends", {"rustcoder.execute", "rustcoder.evaluation", "rustcoder.prompting"}),
    ],
)
def test_stages_depend_only_on_earlier_ones(stage, must_not_import):
    assert not package_graph(module_graph())[stage] & must_not_import


def test_test_modules_share_helpers_only_through_conftest():
    tests = Path(__file__).resolve().parent
    for path in tests.glob("test_*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("tests."):
                assert node.module == "tests.conftest", f"{path.name} imports {node.module}"
