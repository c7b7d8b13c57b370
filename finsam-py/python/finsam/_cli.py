"""The ``finsam`` command.

Each subcommand parses its arguments and calls one function of the Rust
core through the bindings; nothing is computed here. Errors go to stderr as
``finsam: error [code]: message`` without a traceback; the exit status is 1
for an error in the data or files, 2 for a usage error (a bad option, a key
that is missing or too short).

    finsam report [DIR | --synthetic] [--year Y] [--forbund ID] [--format md|csv|json|html] [-o FILE]
    finsam validate DIR
    finsam synthetic OUT [--scale S] [--seed N]
    finsam pseudonymise IN OUT --column personnummer --key-file study.key [--reject rejects.csv]

The key is read from a file (``--key-file``) or an environment variable
(``--key-env``), never from the command line, where other users and the
shell's history would see it.
"""

from __future__ import annotations

import argparse
import pathlib
import sys
from collections.abc import Callable, Sequence
from typing import Any

from finsam.exceptions import ArgumentError, FinsamError

__all__ = ["main"]

EXIT_DATA = 1
EXIT_USAGE = 2


def _pseudonymise(args: argparse.Namespace) -> int:
    from finsam._pseudonym import pseudonymise_csv

    summary = pseudonymise_csv(
        args.input,
        args.output,
        column=args.column,
        key_file=args.key_file,
        key_env=args.key_env,
        reject=args.reject,
        encoding=args.encoding,
        delimiter=args.delimiter,
        reference_date=args.reference_date,
    )
    message = f"finsam: {summary['pseudonymised']} of {summary['rows']} rows pseudonymised into {args.output}"
    if args.reject is not None:
        message += f"; {summary['rejected']} rejected into {args.reject}"
    print(message, file=sys.stderr)
    return 0


def _add_pseudonymise(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "pseudonymise",
        # `--key` must not pass as an abbreviation of --key-file or --key-env.
        allow_abbrev=False,
        help="replace a personnummer column of a CSV file by keyed pseudonyms",
        description=(
            "Replaces COLUMN of the CSV file IN by HMAC-SHA-256 pseudonyms of the normalised personnummer "
            "and writes OUT; every other field is kept. An invalid personnummer stops the run (exit 1), or "
            "with --reject its row goes to that file with its line and reason. Nothing is written unless the "
            "whole input was read."
        ),
    )
    p.add_argument("input", metavar="IN", help="the CSV file to read")
    p.add_argument("output", metavar="OUT", help="the CSV file to write")
    p.add_argument("--column", required=True, help="the column holding the personnummer")
    key = p.add_mutually_exclusive_group(required=True)
    key.add_argument("--key-file", metavar="K", help="a file holding the secret key (at least 16 bytes)")
    key.add_argument("--key-env", metavar="VAR", help="an environment variable holding the secret key")
    p.add_argument("--reject", metavar="FILE", help="write rows with invalid numbers here instead of failing")
    p.add_argument("--encoding", choices=["auto", "utf-8", "windows-1252"], default="auto")
    p.add_argument("--delimiter", default=None, help="the field delimiter (default: detected)")
    p.add_argument(
        "--reference-date",
        metavar="YYYY-MM-DD",
        default=None,
        help="the date that decides a ten-digit number's century (default: today)",
    )
    p.set_defaults(run=_pseudonymise)


def _load(args: argparse.Namespace) -> Any:
    """The data set of ``report``: the synthetic one, or a directory of CSV
    or Parquet tables (Parquet if it holds any ``*.parquet`` table)."""
    import finsam

    if args.synthetic:
        return finsam.synthetic(scale=args.scale, seed=args.seed)
    if args.directory is None:
        raise ArgumentError("give a directory of the data contract, or --synthetic", code="invalid_argument")
    directory = pathlib.Path(args.directory)
    if directory.is_dir() and any(directory.glob("*.parquet")):
        return finsam.Dataset.from_parquet(directory)
    return finsam.Dataset.from_csv(directory)


def _html_page(report: Any) -> str:
    """The report as one self-contained HTML page: its tables, no network."""
    title = f"Finsam årsrapport {report.year}"
    return (
        '<!doctype html>\n<html lang="sv">\n<head>\n<meta charset="utf-8">\n'
        f"<title>{title}</title>\n"
        "<style>body{font-family:system-ui,sans-serif;margin:2em;max-width:75em}"
        "table{border-collapse:collapse;margin:1em 0}td,th{border:1px solid #ccc;padding:.2em .5em;text-align:right}"
        "th{background:#f3f3f3}</style>\n</head>\n<body>\n"
        f"{report._repr_html_()}\n</body>\n</html>\n"
    )


def _report(args: argparse.Namespace) -> int:
    import finsam

    data = _load(args)
    year = args.year
    if year is None:
        # As the README's main job: the latest year the delivery counts.
        if not data.reporting_years:
            raise ArgumentError("the data have no reporting year; give --year", code="invalid_argument")
        year = data.reporting_years[-1]
    report = finsam.annual_report(data, year, forbund=args.forbund, suppress=not args.no_suppression)
    render: dict[str, Callable[[], str]] = {
        "md": report.to_markdown,
        "csv": report.to_csv,
        "json": report.to_json,
        "html": lambda: _html_page(report),
    }
    text = render[args.format]()
    if args.output is None:
        sys.stdout.write(text)
    else:
        pathlib.Path(args.output).write_text(text, encoding="utf-8")
        print(f"finsam: the {year} report ({len(report.names)} tables) written to {args.output}", file=sys.stderr)
    return 0


def _add_report(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "report",
        allow_abbrev=False,
        help="the annual report of a delivery or of the synthetic data",
        description=(
            "Computes the annual report of DIR (a directory of the data contract's CSV or Parquet tables) or "
            "of the calibrated synthetic data (--synthetic), for --year (default: the latest reporting year), "
            "nationally or for one förbund (--forbund, with those it was formed from), with small-cell "
            "suppression unless --no-suppression. Exit status 0, 1 for an error in the data, 2 for a usage error."
        ),
    )
    p.add_argument("directory", metavar="DIR", nargs="?", help="the delivery's directory")
    p.add_argument("--synthetic", action="store_true", help="the embedded, calibrated synthetic data set")
    p.add_argument("--scale", type=float, default=1.0, help="the synthetic data's scale (default 1: national)")
    p.add_argument("--seed", type=int, default=2004, help="the synthetic data's seed")
    p.add_argument("--year", type=int, default=None)
    p.add_argument("--forbund", type=int, action="append", metavar="ID", help="a förbund's report (repeatable)")
    p.add_argument("--format", choices=["md", "csv", "json", "html"], default="md")
    p.add_argument("-o", "--output", metavar="FILE", default=None, help="write here (default: standard output)")
    p.add_argument("--no-suppression", action="store_true", help="publish small counts (internal use only)")
    p.set_defaults(run=_report)


def _validate(args: argparse.Namespace) -> int:
    import finsam

    directory = pathlib.Path(args.directory)
    parquet = directory.is_dir() and any(directory.glob("*.parquet"))
    try:
        read = finsam.Dataset.from_parquet if parquet else finsam.Dataset.from_csv
        data = read(directory, errors="collect")
    except finsam.ValidationError as e:
        print(f"finsam: {e.total} errors in {directory}", file=sys.stderr)
        for code, count in sorted(e.counts.items()):
            print(f"[{code}] {count}", file=sys.stderr)
            for err in (x for x in e.errors if x.code == code):
                print(f"  {err}", file=sys.stderr)
        return EXIT_DATA
    rows = ", ".join(f"{table} {n}" for table, n in sorted(data.num_rows.items()) if n)
    print(f"finsam: {directory} is valid: {rows}", file=sys.stderr)
    return 0


def _add_validate(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "validate",
        allow_abbrev=False,
        help="check a delivery against every rule of the data contract",
        description=(
            "Reads DIR (CSV or Parquet tables) and checks every rule; lists every error grouped by code, with "
            "its file, line and column. Exit status 0 if valid, 1 if not, 2 for a usage error."
        ),
    )
    p.add_argument("directory", metavar="DIR")
    p.set_defaults(run=_validate)


def _synthetic(args: argparse.Namespace) -> int:
    import finsam

    finsam.synthetic(scale=args.scale, seed=args.seed).to_csv(args.output)
    print(f"finsam: the synthetic data set (scale {args.scale}, seed {args.seed}) written to {args.output}", file=sys.stderr)
    return 0


def _add_synthetic(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    p = commands.add_parser(
        "synthetic",
        allow_abbrev=False,
        help="write the calibrated synthetic data set as a delivery",
        description="Writes the calibrated synthetic data set into OUT as CSV files of the data contract.",
    )
    p.add_argument("output", metavar="OUT")
    p.add_argument("--scale", type=float, default=1.0, help="1 is the national scale")
    p.add_argument("--seed", type=int, default=2004)
    p.set_defaults(run=_synthetic)


#: Every subcommand: adds its parser. More subcommands append here.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [
    _add_report,
    _add_validate,
    _add_synthetic,
    _add_pseudonymise,
]


def parser() -> argparse.ArgumentParser:
    """The argument parser of the ``finsam`` command."""
    p = argparse.ArgumentParser(
        prog="finsam", description="Follow-up and evaluation of finansiell samordning.", allow_abbrev=False
    )
    commands = p.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for add in SUBCOMMANDS:
        add(commands)
    return p


def main(argv: Sequence[str] | None = None) -> int:
    """Runs the command line ``argv`` (default: ``sys.argv[1:]``) and returns the exit status."""
    args = parser().parse_args(argv)
    try:
        status: int = args.run(args)
    except ArgumentError as e:
        print(f"finsam: error [{e.code}]: {e}", file=sys.stderr)
        return EXIT_USAGE
    except FinsamError as e:
        print(f"finsam: error [{e.code}]: {e}", file=sys.stderr)
        return EXIT_DATA
    return status


if __name__ == "__main__":
    sys.exit(main())
