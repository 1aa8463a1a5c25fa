"""Command line: ``vnre eval GOLD_DIR``, ``vnre extract ...``, ``vnre demo``."""
from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path


def _cmd_eval(args: argparse.Namespace) -> int:
    from .evaluate import evaluate, format_table
    result = evaluate(args.gold_dir)
    if args.json:
        print(json.dumps(result, ensure_ascii=False, indent=2))
    else:
        print(format_table(result))
    if args.update_baseline:
        base = {name: round(f["f1"], 4) for name, f in result["fields"].items()}
        Path(args.update_baseline).write_text(json.dumps(base, indent=2) + "\n", encoding="utf-8")
    return 0


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="vnre", description="Structured records from Vietnamese government news")
    sub = ap.add_subparsers(dest="command", required=True)
    ev = sub.add_parser("eval", help="score extract() against gold files (GOLD.md format)")
    ev.add_argument("gold_dir")
    ev.add_argument("--json", action="store_true", help="print the scores as JSON")
    ev.add_argument("--update-baseline", metavar="FILE", help="write per-field F1 to FILE (e.g. corpus/baseline.json)")
    ev.set_defaults(func=_cmd_eval)
    return ap


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    return args.func(args)


if __name__ == "__main__":
    sys.exit(main())
