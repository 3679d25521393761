"""Shop-scale behaviour: a burst of orders, checkout while workers are busy, the resend command
over 100,000 orders and the back office over 10⁶ messages — every table in one run.

    python -m bench.scale [--only burst,checkout,resend,backoffice] [--small]

Each part runs in a process of its own (its own database and settings, its own memory to
measure), one after the other, on PostgreSQL (127.0.0.1:5432, databases `sealpost_scale*`
only) and Redis (dbs 6 and 7):

- `bench.scale_workers`: the burst and checkout while busy (fresh database, dropped after);
- `bench.scale_resend`: `resend_confirmations` over 100,000 generated orders (fresh, dropped);
- `bench.scale_backoffice`: the admin pages over the big data set (`bench.scale_data`), kept
  between runs (~4.7 GB) and reused, so only the first run pays its generation (~6 minutes).

`--small` shrinks every size (a quick check that the benchmark runs, not a measurement).
No timed test anywhere: these figures are printed, never asserted.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

PARTS = {
    "burst": ["bench.scale_workers", "--skip-checkout"],
    "checkout": ["bench.scale_workers", "--skip-burst"],
    "resend": ["bench.scale_resend"],
    "backoffice": ["bench.scale_backoffice"],
}
SMALL = {
    "burst": ["--burst", "60"],
    "checkout": ["--checkouts", "10", "--backlog", "60"],
    "resend": ["--orders", "3000"],
    "backoffice": ["--orders", "20000", "--database", "sealpost_scale_small"],
}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--only", default=",".join(PARTS), help="comma-separated parts")
    parser.add_argument("--small", action="store_true", help="small sizes: a smoke run")
    options = parser.parse_args()
    parts = [part.strip() for part in options.only.split(",") if part.strip()]
    if unknown := set(parts) - set(PARTS):
        parser.error(f"unknown part(s): {', '.join(sorted(unknown))}")
    print("Shop scale (2-core machine shared with other work: compare ratios within a run)\n")
    failed = []
    for part in parts:
        started = time.perf_counter()
        command = [sys.executable, "-m", *PARTS[part], *(SMALL[part] if options.small else [])]
        # Django's start-up lines (and warnings) go to stderr; the tables to stdout.
        result = subprocess.run(command, check=False, stderr=subprocess.PIPE, text=True)  # noqa: S603
        if result.returncode:
            failed.append(part)
            print(result.stderr[-3000:], file=sys.stderr)
        print(f"  ({part}: {time.perf_counter() - started:.0f} s)\n")
    if failed:
        raise SystemExit(f"failed: {', '.join(failed)}")


if __name__ == "__main__":
    main()
