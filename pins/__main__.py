"""``make outdated``: every pin of the ledger with the days left of its support.

    python -m pins [--today YYYY-MM-DD]

Offline: it reads pins/ledger.toml only. Exit status 1 when a pin is past or within
60 days of its end of support without a waiver in force (what the suite fails on).
"""
from __future__ import annotations

import argparse
import sys
from datetime import date

from . import WARNING_DAYS, expiry_problems, ledger


def table(today: date) -> str:
    rows = [("pin", "version", "end of support", "days left", "status", "successor")]
    for pin in sorted(ledger().pins.values(), key=lambda p: (p.days_left(today) is None, p.days_left(today) or 0, p.id)):
        left = pin.days_left(today)
        if pin.waiver is not None:
            status = f"waived until {pin.waiver.until}"
        elif left is None:
            status = "no end published"
        elif left < 0:
            status = "PAST"
        elif left < WARNING_DAYS:
            status = "SOON"
        else:
            status = "ok"
        rows.append((pin.id, pin.version, str(pin.end_of_support or "-"), "-" if left is None else str(left), status, pin.successor or "-"))
    widths = [max(len(row[i]) for row in rows) for i in range(len(rows[0]))]
    return "\n".join("  ".join(cell.ljust(width) for cell, width in zip(row, widths)).rstrip() for row in rows)


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(prog="python -m pins", description=__doc__.splitlines()[0])
    parser.add_argument("--today", type=date.fromisoformat, default=date.today(), help="the day to count from (default: today)")
    args = parser.parse_args(argv)
    print(f"the ledger (pins/ledger.toml) on {args.today}:")
    print(table(args.today))
    problems = expiry_problems(args.today)
    for problem in problems:
        print(f"! {problem}")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
