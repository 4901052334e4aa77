"""The package layout: sub-packages by role, an import graph without cycles that points down.

Roles, from the bottom: the private helpers (``minikan._checks``, ``minikan._archive``), the data
sets, ``core`` (the KAN), then ``baselines`` and ``interpret``, then ``applications`` and ``tools``.
A module may import (at module level) only from its own role or a lower one. The one exception is
delegation: the models' pykan-style methods (``KAN.plot``, ``KAN.prune``, ``MLP.save``, ...) import
their implementation when called; such function-level imports are allowed from the modules of the
model classes only, no module they reach imports the model back, and the graph of all imports
stays acyclic.
"""
import ast
import pathlib

import minikan

PACKAGE = pathlib.Path(minikan.__file__).parent
RANK = {"_checks": 0, "_version": 0, "datasets": 0, "core": 1, "baselines": 2, "interpret": 2,
        "applications": 3, "tools": 3, "__init__": 4, "__main__": 4}


def _modules():
    """{dotted name: path} of every module of the package."""
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        if parts[-1] == "__init__" and len(parts) > 1:
            parts = parts[:-1]
        out[".".join(parts)] = path
    return out


def _imports(name, path):
    """[(imported module, at module level?)] of one module, relative imports resolved."""
    tree = ast.parse(path.read_text())
    is_package = path.name == "__init__.py"
    top_level = {id(node) for node in tree.body}
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if not target.startswith("minikan"):
                continue
            for alias in node.names:  # ``from pkg import module`` imports the module
                sub = f"{target}.{alias.name}"
                found.append((sub if sub in MODULES else target, id(node) in top_level))
        elif isinstance(node, ast.Import):
            for alias in node.names:
                if alias.name.startswith("minikan"):
                    found.append((alias.name, id(node) in top_level))
    return found


MODULES = _modules()
# the modules of the model classes, whose pykan-style methods delegate at call time
MODEL_CLASSES = ("minikan.core.model", "minikan.baselines.mlp")


def _role(module):
    parts = module.split(".")
    return "__init__" if len(parts) == 1 else parts[1]


def test_every_module_sits_in_a_role_package():
    loose = [m for m in MODULES if m.count(".") == 1 and _role(m) not in RANK]
    assert not loose, f"modules outside the role packages: {loose}"


def test_module_level_imports_point_down():
    upward = []
    for name, path in MODULES.items():
        for target, top in _imports(name, path):
            if top and RANK[_role(target)] > RANK[_role(name)]:
                upward.append(f"{name} -> {target}")
    assert not upward, "imports that point up: " + ", ".join(upward)


def test_only_the_model_delegates_upward():
    upward = []
    for name, path in MODULES.items():
        for target, top in _imports(name, path):
            if not top and RANK[_role(target)] > RANK[_role(name)] and name not in MODEL_CLASSES:
                upward.append(f"{name} -> {target}")
    assert not upward, "function-level imports that point up: " + ", ".join(upward)


def test_import_graph_is_acyclic():
    graph = {name: {t for t, _ in _imports(name, path) if t in MODULES and t != name}
             for name, path in MODULES.items()}
    # package __init__ files import their children for re-export; leave them out of the cycle test
    graph = {n: {t for t in ts if not t == "minikan"} for n, ts in graph.items() if n != "minikan"}
    state, stack, cycles = {}, [], []

    def visit(node):
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                cycles.append(stack[stack.index(nxt):] + [nxt])
            elif nxt not in state:
                visit(nxt)
        stack.pop()
        state[node] = "done"

    for node in sorted(graph):
        if node not in state:
            visit(node)
    assert not cycles, "import cycles: " + "; ".join(" -> ".join(c) for c in cycles)


def test_no_implementation_module_imports_the_model_class_back():
    # the modules the model delegates to must not import minikan.core.model
    back = []
    for owner in MODEL_CLASSES:
        delegates = {t for t, top in _imports(owner, MODULES[owner]) if not top}
        back += [f"{d} -> {owner}" for d in delegates if owner in {t for t, _ in _imports(d, MODULES[d])}]
    assert not back, f"modules the model delegates to that import it back: {back}"
