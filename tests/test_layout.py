"""The project's layout stays one a newcomer can find their way in: no folder of more
than 25 modules, no package holding more than a quarter of the code, and no circle of
imports between the project's files.

Imports are read with ``ast``, never executed. A circle counts imports at a module's top
level (those that run when it is imported), including ones inside ``try`` or ``if``;
imports under ``if TYPE_CHECKING:`` are left out, and so is the app-registry import
in an ``apps.py`` ``ready()``, which runs once every app is loaded.
"""

import ast
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APPS = (
    "config",
    "accounts",
    "voting",
    "notifications",
    "conversations",
    "reports",
    "search",
    "observability",
    "statements",
    "retention",
)
MAX_MODULES = 25
MAX_SHARE = 0.25


def _sources() -> dict[str, Path]:
    """Every module of the project's apps by dotted name, without migrations."""
    found = {}
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            parts = path.relative_to(ROOT).with_suffix("").parts
            if "migrations" in parts:
                continue
            if parts[-1] == "__init__":
                parts = parts[:-1]
            found[".".join(parts)] = path
    return found


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imports(tree: ast.Module, *, in_functions: bool):
    """The import statements run when the module is imported, or, with
    ``in_functions``, those inside its functions' bodies as well."""

    def walk(nodes, in_function):
        for node in nodes:
            if isinstance(node, ast.Import | ast.ImportFrom):
                if in_function == in_functions or not in_functions:
                    yield node
            elif isinstance(node, ast.If) and _is_type_checking(node):
                continue
            elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                if in_functions:
                    yield from walk(ast.iter_child_nodes(node), True)
            else:
                yield from walk(ast.iter_child_nodes(node), in_function)

    return list(walk(tree.body, False))


def import_graph(*, in_functions: bool = False) -> dict[str, set[str]]:
    """Module -> the project modules it imports. ``from package import name`` leads to
    ``package.name`` when that is a module, to ``package`` otherwise; the packages a
    module's parents' ``__init__`` would run are left out, as they are no edge of
    their own."""
    sources = _sources()
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in sources.items():
        is_package = path.name == "__init__.py"
        tree = ast.parse(path.read_text(), str(path))
        for node in _imports(tree, in_functions=in_functions):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            else:
                base = node.module or ""
                if node.level:
                    anchor = module.split(".")
                    anchor = anchor[
                        : len(anchor) - node.level + (1 if is_package else 0)
                    ]
                    base = ".".join([*anchor, base] if base else anchor)
                targets = [
                    f"{base}.{alias.name}"
                    if f"{base}.{alias.name}" in sources
                    else base
                    for alias in node.names
                ]
            for target in targets:
                if target in sources and target != module:
                    if (
                        path.name == "apps.py"
                        and in_functions
                        and target.endswith(".signals")
                    ):
                        continue  # ready(): the app registry is loaded by then
                    graph[module].add(target)
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan's)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = 0

    def visit(node: str) -> None:
        nonlocal counter
        index[node] = low[node] = counter
        counter += 1
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def _lines(path: Path) -> int:
    return len(path.read_text().splitlines())


def test_no_folder_has_more_than_25_modules():
    folders: dict[Path, int] = defaultdict(int)
    for path in _sources().values():
        if path.name != "__init__.py":
            folders[path.parent] += 1
    crowded = {
        str(folder.relative_to(ROOT)): count
        for folder, count in folders.items()
        if count > MAX_MODULES
    }
    assert not crowded


def test_no_folder_holds_more_than_a_quarter_of_the_code():
    folders: dict[Path, int] = defaultdict(int)
    for path in _sources().values():
        folders[path.parent] += _lines(path)
    total = sum(folders.values())
    heavy = {
        str(folder.relative_to(ROOT)): f"{lines / total:.0%}"
        for folder, lines in folders.items()
        if lines > total * MAX_SHARE
    }
    assert not heavy, f"of {total} lines"


def test_no_import_circles_between_modules():
    assert cycles(import_graph()) == []
