#!/usr/bin/env python3
"""The include graph between the folders of src/, and a check that no folder includes one later in the order.

Usage: scripts/include_graph.py [--check] [--dot]
  (default) one line per edge: `from -> to  (N includes)`, in layer order
  --check   exit 1 and name every include that reaches a later layer (or a folder not in LAYERS)
  --dot     the graph in Graphviz's dot language

LAYERS is the order README.md's Layout table describes: text flows config -> tokenizer -> data -> model -> train
-> checkpoint -> eval, while the dependencies of the code point back along it; checkpoint/ (the file format) and
eval/ (the scoring that training's validation runs too) come before train/, which writes and uses them.
"""
import argparse
import collections
import pathlib
import re
import sys

LAYERS = ["util", "config", "tokenizer", "data", "plot", "model", "distributed", "checkpoint", "run", "eval",
          "train", "study", "interop", "cli"]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([a-z_0-9]+)/', re.MULTILINE)


def edges(src):
    counts = collections.Counter()
    for path in sorted(src.rglob("*")):
        if path.suffix not in (".h", ".cpp", ".cc") or not path.is_file():
            continue
        folder = path.relative_to(src).parts[0]
        for target in INCLUDE.findall(path.read_text(encoding="utf-8", errors="replace")):
            if target != folder:
                counts[(folder, target)] += 1
    return counts


def rank(folder):
    return LAYERS.index(folder) if folder in LAYERS else len(LAYERS)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    parser.add_argument("--dot", action="store_true")
    args = parser.parse_args()
    src = pathlib.Path(__file__).resolve().parent.parent / "src"
    graph = edges(src)
    ordered = sorted(graph.items(), key=lambda item: (rank(item[0][0]), rank(item[0][1])))
    if args.dot:
        print("digraph src {")
        for (a, b), n in ordered:
            print(f'  "{a}" -> "{b}" [label={n}];')
        print("}")
    elif not args.check:
        for (a, b), n in ordered:
            print(f"{a:>11} -> {b:<11} ({n} includes)")
    folders = {p.name for p in src.iterdir() if p.is_dir()}
    wrong = [f"{a} includes {b} ({n}x), which comes later in the layer order {' < '.join(LAYERS)}"
             for (a, b), n in ordered if rank(b) >= rank(a)]
    wrong += [f"src/{f}/ is not in the layer order (add it to LAYERS in scripts/include_graph.py and to the "
              f"README's Layout table)" for f in sorted(folders - set(LAYERS))]
    for line in wrong:
        print("include_graph: " + line, file=sys.stderr)
    return 1 if args.check and wrong else 0


if __name__ == "__main__":
    sys.exit(main())
