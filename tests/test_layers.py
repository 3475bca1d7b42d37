"""The layering rule (docs/architecture.md), enforced by walking every import with `ast`.

Layers, low to high: core; audio and storage; catalog; render, check and the other stages;
workflows; cli. A module may import its own package or a lower layer; siblings on one layer do
not import each other; nothing imports cli; no import loops between modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[1] / "src" / "podman"
LAYERS = {
    "core": 0,
    "audio": 1, "storage": 1,
    "catalog": 2,
    "render": 3, "check": 3, "importer": 3, "stats": 3,
    "workflows": 4,
    "cli": 5,
}
ROOT_MODULES = {"podman", "podman.__main__"}  # __init__ (the version) and `python -m podman`


def module_name(path: Path) -> str:
    parts = path.relative_to(SRC.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def package_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def podman_imports(path: Path) -> set[str]:
    """Every podman module a file imports, at the top or inside a function."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name.split(".")[0] == "podman"}
        elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
            if node.module.split(".")[0] != "podman":
                continue
            for alias in node.names:  # `from podman.audio import ffmpeg` imports a module
                sub = f"{node.module}.{alias.name}"
                found.add(sub if (SRC.parent / (sub.replace(".", "/") + ".py")).exists()
                          else node.module)
    return found


MODULES = {module_name(p): p for p in sorted(SRC.rglob("*.py"))}


def test_every_package_has_a_layer() -> None:
    packages = {package_of(m) for m in MODULES if m not in ROOT_MODULES}
    assert packages <= set(LAYERS), f"give these packages a layer: {packages - set(LAYERS)}"


@pytest.mark.parametrize("module", sorted(m for m in MODULES if m not in ROOT_MODULES))
def test_no_import_from_a_higher_layer_or_a_sibling(module: str) -> None:
    own = package_of(module)
    for target in podman_imports(MODULES[module]):
        other = package_of(target)
        if target == "podman" or other is None or other == own:
            continue
        assert LAYERS[other] < LAYERS[own], (
            f"{module} imports {target}: {other} (layer {LAYERS[other]}) is not below "
            f"{own} (layer {LAYERS[own]})")


def test_nothing_imports_cli() -> None:
    for module, path in MODULES.items():
        if package_of(module) == "cli" or module == "podman.__main__":
            continue
        assert not any(t.startswith("podman.cli") for t in podman_imports(path)), module


def test_no_import_loops() -> None:
    graph = {m: {t for t in podman_imports(p) if t in MODULES and t != m and t != "podman"}
             for m, p in MODULES.items()}
    state: dict[str, int] = {}

    def visit(node: str, trail: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = trail[trail.index(nxt):] + [nxt] if nxt in trail else [node, nxt]
                pytest.fail("import loop: " + " -> ".join(cycle))
            if nxt not in state:
                visit(nxt, [*trail, nxt])
        state[node] = 2

    for start in sorted(graph):
        if start not in state:
            visit(start, [start])


def test_the_rule_catches_a_violation(tmp_path: Path) -> None:
    """The walker sees function-local imports, so a lazy import cannot hide a violation."""
    bad = tmp_path / "m.py"
    bad.write_text("def f():\n    from podman.workflows.build import build\n", "utf-8")
    assert "podman.workflows.build" in podman_imports(bad)
