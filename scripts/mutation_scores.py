"""The score of the last `make mutation` run, per mutated module (docs/developers/testing.md).

Reads mutmut's results under `mutants/` and prints one row per module: how many mutants the
tests killed, how many survived, and those no test runs. The score is killed ÷ checked, with
timeouts counted as killed (the mutant made a test hang, which a test run notices) and shown
apart, since a loaded machine can time out a mutant the tests would have killed anyway.
Run from the repository root after `mutmut run`; `--survivors` lists the surviving mutants'
names (`.venv/bin/mutmut show <name>` prints the change). `--sample N MODULE…` prints instead
N mutant names drawn at random (a fixed seed, `--seed`) from each module, for
`mutmut run $(…)` when a whole module would take too long: the same names every time, so a
sampled score can be re-checked.
"""

import argparse
import json
import random
import sys
from collections import Counter
from pathlib import Path

from mutmut.stats import status_by_exit_code

MUTANTS = Path("mutants")


def module_results(meta: Path) -> tuple[str, dict[str, str]]:
    """The dotted module name and each of its mutants' status, from one `.py.meta` file."""
    module = ".".join(meta.relative_to(MUTANTS).with_suffix("").with_suffix("").parts)
    exit_codes = json.loads(meta.read_text())["exit_code_by_key"]
    return module, {name: status_by_exit_code[code] for name, code in exit_codes.items()}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--survivors", action="store_true", help="list surviving mutants")
    parser.add_argument("--sample", type=int, metavar="N", help="print N names per module")
    parser.add_argument("--seed", type=int, default=20261208, help="the sample's random seed")
    parser.add_argument("modules", nargs="*", help="dotted module names, for --sample")
    args = parser.parse_args()
    metas = sorted(MUTANTS.glob("**/*.py.meta"))
    if not metas:
        print("No results under mutants/: run `make mutation` first.", file=sys.stderr)
        return 1
    if args.sample:
        results = dict(module_results(meta) for meta in metas)
        for module in args.modules:
            names = sorted(results[module])
            draw = random.Random(args.seed)  # noqa: S311 - reproducible on purpose, not a secret
            sample = draw.sample(names, min(args.sample, len(names)))
            print("\n".join(sorted(sample)))
        return 0
    print("| module | mutants | killed | timeout | survived | no tests | not run | score |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    survivors = []
    for meta in metas:
        module, statuses = module_results(meta)
        counts = Counter(statuses.values())
        killed = counts["killed"] + counts["timeout"]
        checked = killed + counts["survived"] + counts["no tests"]
        score = f"{killed / checked:.0%}" if checked else "not yet measured"
        print(
            f"| {module} | {len(statuses)} | {counts['killed']} | {counts['timeout']} "
            f"| {counts['survived']} | {counts['no tests']} | {counts['not checked']} | {score} |"
        )
        survivors += sorted(name for name, status in statuses.items() if status == "survived")
    if args.survivors:
        print("\n".join(["", "Surviving mutants:", *survivors]))
    return 0


if __name__ == "__main__":
    sys.exit(main())
