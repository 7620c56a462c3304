"""The modules import one another without a circle, and every app only imports the apps below
it: read from the source, every import counted, those inside functions too (a lazy import is
still an arrow). A newcomer reads the apps bottom up in this order."""

import ast
from collections import defaultdict
from pathlib import Path

import safepassage

ROOT = Path(safepassage.__file__).parent

# Bottom to top. The package root (settings, URLs, middleware, the CLI) wires everything.
LAYERS = (
    "formats",  # Django's date formats per language, data only
    "lib",
    "vault",
    "sqlite",
    "audit",
    "programmes",
    "cases",
    "reception",
    "passage",
    "aftercare",
    "volunteer",
    "families",
    "outreach",
    "intake",
    "inbox",
    "bot",
    "dashboard",
    "ops",
    "",
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in ROOT.rglob("*.py"):
        if "migrations" in path.parts:
            continue
        parts = ("safepassage", *path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts = parts[:-1]
        found[".".join(parts)] = path
    return found


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    graph: dict[str, set[str]] = defaultdict(set)
    for name, path in modules.items():
        package = name if path.name == "__init__.py" else name.rpartition(".")[0]
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    up = package.split(".")[: len(package.split(".")) - node.level + 1]
                    base = ".".join([*up, base] if base else up)
                # `from a import b` names the module a.b if there is one, else a.
                targets = [f"{base}.{alias.name}" for alias in node.names]
                targets = [t if t in modules else base for t in targets]
            else:
                continue
            for target in targets:
                while target and target not in modules:
                    target = target.rpartition(".")[0]
                if target and target != name and target != "safepassage":
                    graph[name].add(target)
    return graph


def _app(module: str) -> str:
    parts = module.split(".")
    if len(parts) > 2 or (len(parts) == 2 and (ROOT / parts[1]).is_dir()):
        return parts[1]
    return ""


def _circles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's strongly connected components larger than one module."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for after in graph.get(node, ()):
            if after not in index:
                visit(after)
                low[node] = min(low[node], low[after])
            elif after in on_stack:
                low[node] = min(low[node], index[after])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_the_graph_is_read_from_the_source():
    graph = _graph()
    assert "safepassage.cases.models" in graph["safepassage.cases.submission"]
    assert "safepassage.lib.acts" in graph["safepassage.cases.transitions"]
    assert _circles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_no_circle_between_modules():
    assert _circles(_graph()) == []


def test_every_app_is_in_a_layer():
    apps = {_app(module) for module in _modules()}
    assert apps == set(LAYERS)


def test_no_app_imports_one_above_it():
    upward = sorted(
        f"{module} -> {target}"
        for module, targets in _graph().items()
        for target in targets
        if LAYERS.index(_app(target)) > LAYERS.index(_app(module))
    )
    assert upward == []
