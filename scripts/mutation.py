"""Mutation testing of the pure engines, with a floor.

mutmut (configured in pyproject.toml, [tool.mutmut]) copies the package into ``mutants/`` and writes
every mutant of the engine files there. This script sorts the mutants into two kinds before running
any: a mutant that only changes the text of a message or a label (a string literal holding Chinese
text) tells nothing about a verdict or an amount and is left out; every other mutant — an operator, a
number, a condition, a code string such as a feed code or a category — is run. It then prints killed /
total and the percentage, lists the survivors, and exits non-zero when the share killed is below the
floor.

    uv run python scripts/mutation.py [--floor 90] [--max-children 2] [--keep [--survivors]]

Timed-out mutants count as killed (the mutant made the tests hang); mutants that no test reaches count
as survivors.
"""

from __future__ import annotations

import argparse
import ast
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
KILLED = {1, 3, 36, -24, 24, 152, 255}  # tests failed, pytest internal error, timeouts
_NAME = re.compile(r"^(?P<base>.+)__mutmut_(?P<n>\d+|orig)$")


def _is_text(value: object) -> bool:
    """A string literal that is message or label text: it holds a character outside ASCII."""
    return isinstance(value, str) and any(ord(c) > 127 for c in value)


class _Blank(ast.NodeTransformer):
    """Replace every text literal by one placeholder, so two functions that differ only in their
    messages dump to the same tree."""

    def visit_Constant(self, node: ast.Constant) -> ast.AST:
        if _is_text(node.value):
            return ast.copy_location(ast.Constant(value="<text>"), node)
        return node


def _text_blind(node: ast.AST) -> str:
    tree = _Blank().visit(ast.parse(ast.unparse(node)))
    assert isinstance(tree, ast.Module)
    body = tree.body[0]
    assert isinstance(body, ast.FunctionDef | ast.AsyncFunctionDef)
    body.name = "f"
    return ast.dump(body)


def _functions(tree: ast.Module) -> dict[str, ast.AST]:
    out: dict[str, ast.AST] = {}
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            out[node.name] = node
        elif isinstance(node, ast.ClassDef):
            for inner in node.body:
                if isinstance(inner, ast.FunctionDef | ast.AsyncFunctionDef):
                    out[inner.name] = inner
    return out


def classify() -> tuple[list[str], list[str]]:
    """(non-text mutant names, text-only mutant names) over every mutated file."""
    counted: list[str] = []
    text_only: list[str] = []
    for meta in sorted(MUTANTS.rglob("*.py.meta")):
        source = meta.with_suffix("")  # foo.py.meta -> foo.py
        module = ".".join(source.relative_to(MUTANTS).with_suffix("").parts)
        functions = _functions(ast.parse(source.read_text(encoding="utf-8")))
        originals = {
            m["base"]: _text_blind(node)
            for name, node in functions.items()
            if (m := _NAME.match(name)) and m["n"] == "orig"
        }
        for name in json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"]:
            function = name.rpartition(".")[2]
            m = _NAME.match(function)
            assert m is not None, name
            same = _text_blind(functions[function]) == originals[m["base"]]
            (text_only if same else counted).append(name)
            assert name.startswith(module + "."), (name, module)
    return counted, text_only


def _mutmut(*args: str) -> None:
    subprocess.run([sys.executable, "-m", "mutmut", *args], cwd=ROOT, check=True)


def _generate() -> None:
    """Write the mutants without running any: mutmut's own generation step."""
    code = (
        "import os\n"
        "from mutmut.__main__ import copy_src_dir, copy_also_copy_files, create_mutants\n"
        "from mutmut.utils.file_utils import setup_source_paths\n"
        "from mutmut.configuration import config\n"
        "os.makedirs('mutants', exist_ok=True)\n"
        "copy_src_dir(); copy_also_copy_files(); setup_source_paths(); create_mutants(2)\n"
    )
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


def _exit_codes() -> dict[str, int | None]:
    out: dict[str, int | None] = {}
    for meta in MUTANTS.rglob("*.py.meta"):
        out.update(json.loads(meta.read_text(encoding="utf-8"))["exit_code_by_key"])
    return out


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    parser.add_argument("--floor", type=float, default=90.0, help="least percentage of mutants killed")
    parser.add_argument("--max-children", default="2")
    parser.add_argument("--keep", action="store_true", help="reuse mutants/ instead of writing it anew")
    parser.add_argument(
        "--survivors",
        action="store_true",
        help="with --keep: run again only the mutants the last run left alive",
    )
    args = parser.parse_args()

    # The last run's results, read before generating: generation writes the metadata files anew.
    before = _exit_codes() if args.keep and args.survivors and MUTANTS.exists() else {}
    if not args.keep and MUTANTS.exists():
        shutil.rmtree(MUTANTS)
    _generate()
    counted, text_only = classify()
    to_run = counted
    if args.keep and args.survivors:
        to_run = [n for n in counted if before.get(n) not in KILLED]
    if to_run:
        _mutmut("run", "--max-children", args.max_children, *to_run)

    # Mutants not run again keep the last run's result; those run again take the new one.
    rerun = set(to_run)
    exit_codes = {**_exit_codes(), **{n: c for n, c in before.items() if n not in rerun}}
    killed = [n for n in counted if exit_codes.get(n) in KILLED]
    survived = sorted(set(counted) - set(killed))
    share = 100.0 * len(killed) / len(counted) if counted else 100.0
    print()
    print(f"变异测试：{len(text_only)} 个仅改提示文字的变异体不计入")
    for name in survived:
        print(f"  存活：{name}（退出码 {exit_codes.get(name)}）")
    print(f"变异测试：杀死 {len(killed)} / {len(counted)} = {share:.1f}%（下限 {args.floor:g}%）")
    if share < args.floor:
        print(f"!! 变异得分低于下限 {args.floor:g}%：请为存活的变异体补充测试", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
