"""The ``finsam`` command.

Each subcommand parses its arguments and calls one function of the Rust
core through the bindings; nothing is computed here. Errors go to stderr as
``finsam: error [code]: message`` without a traceback; the exit status is 1
for an error in the data or files, 2 for a usage error (a bad option, a key
that is missing or too short).

    finsam report [DIR | --synthetic] [--year Y] [--forbund ID] [--format md|csv|json|html|xlsx] [--locale plain|sv] [-o FILE]
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
import shutil
import sys
import time
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


class _TerminalProgress:
    """A progress line on a terminal's stderr for reading a delivery: the
    share read, MB and MB/s, and the time left. Drawn at most ten times a
    second; the command passes it only when stderr is a terminal, so that
    nothing is written into a pipe or a log, and the output never changes."""

    def __init__(self, what: str) -> None:
        self.what = what
        self.started = time.monotonic()
        self.drawn = 0.0
        self.shown = False
        self.done = False

    def __call__(self, read: int, total: int) -> None:
        now = time.monotonic()
        finished = total > 0 and read >= total
        if self.done or (now - self.drawn < 0.1 and not finished):
            return
        self.drawn = now
        elapsed = max(now - self.started, 1e-9)
        rate = read / elapsed
        line = f"{self.what}: {read / 1e6:,.0f} MB"
        if total > 0:
            left = (total - read) / rate if rate > 0 else 0.0
            line = f"{self.what}: {100 * read / total:3.0f} % {read / 1e6:,.0f} of {total / 1e6:,.0f} MB, {rate / 1e6:,.1f} MB/s, {left:,.0f} s left"
        # One line that the next redraw overwrites: never wider than the terminal.
        width = shutil.get_terminal_size().columns - 1
        sys.stderr.write("\r" + line[:width].ljust(min(width, 78)))
        self.shown = True
        if finished:
            self.end()
        sys.stderr.flush()

    def end(self) -> None:
        """Ends the line if one was drawn, so that what follows starts on a line of its own."""
        if self.shown and not self.done:
            sys.stderr.write("\n")
            sys.stderr.flush()
        self.done = True


def _progress(what: str) -> _TerminalProgress | None:
    """A progress line if stderr is a terminal, else nothing."""
    return _TerminalProgress(what) if sys.stderr.isatty() else None


def _is_parquet(directory: pathlib.Path) -> bool:
    return directory.is_dir() and any(directory.glob("*.parquet"))


def _read(directory: pathlib.Path, **options: Any) -> Any:
    """A delivery's directory of CSV or Parquet tables (Parquet if it holds
    any ``*.parquet`` table); CSV with a progress line on a terminal."""
    import finsam

    if _is_parquet(directory):
        return finsam.Dataset.from_parquet(directory, **options)
    progress = _progress(f"reading {directory}")
    try:
        return finsam.Dataset.from_csv(directory, progress=progress, **options)
    finally:
        if progress is not None:
            progress.end()


def _load(args: argparse.Namespace) -> Any:
    """The data set of ``report``: the synthetic one, or a delivery's directory."""
    import finsam

    if args.synthetic:
        return finsam.synthetic(scale=args.scale, seed=args.seed)
    if args.directory is None:
        raise ArgumentError("give a directory of the data contract, or --synthetic", code="invalid_argument")
    return _read(pathlib.Path(args.directory))


def _report(args: argparse.Namespace) -> int:
    import finsam

    if args.format == "xlsx" and args.output is None and sys.stdout.isatty():
        raise ArgumentError("an Excel workbook is binary: give -o FILE.xlsx (or redirect the output)", code="invalid_argument")
    data = _load(args)
    year = args.year
    if year is None:
        # As the README's main job: the latest year the delivery counts.
        if not data.reporting_years:
            raise ArgumentError("the data have no reporting year; give --year", code="invalid_argument")
        year = data.reporting_years[-1]
    suppress = not args.no_suppression
    # A förbund's report is of its part of the data, whose own years count
    # (one formed later has fewer).
    part = data.filter(forbund=args.forbund) if args.forbund else data
    report = finsam.annual_report(part, year, suppress=suppress)
    output: str | bytes
    if args.format == "html":
        # A förbund's page sets the national figures beside its own, and
        # follows its figures over the years through the earlier years'
        # reports (without the comparison of insatser, which the series
        # does not use and whose tables do not change the others).
        national = finsam.annual_report(data, year, suppress=suppress) if args.forbund else None
        earlier = [
            finsam.annual_report(part, y, suppress=suppress, compare_insatser=False)
            for y in part.reporting_years
            if y < year
        ]
        output = report.to_html_page(beside=national, earlier=earlier)
    elif args.format == "xlsx":
        output = report.to_xlsx()
    else:
        render: dict[str, Callable[[], str]] = {
            "md": lambda: report.to_markdown(locale=args.locale),
            "csv": report.to_csv,
            "json": report.to_json,
        }
        output = render[args.format]()
    _write(output, args.output)
    if args.output is not None:
        print(f"finsam: the {year} report ({len(report.names)} tables) written to {args.output}", file=sys.stderr)
    return 0


def _write(output: str | bytes, path: str | None) -> None:
    """Writes text or bytes to ``path``, or to standard output."""
    if path is None:
        if isinstance(output, bytes):
            sys.stdout.buffer.write(output)
        else:
            sys.stdout.write(output)
    elif isinstance(output, bytes):
        pathlib.Path(path).write_bytes(output)
    else:
        pathlib.Path(path).write_text(output, encoding="utf-8")


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
    p.add_argument(
        "--format",
        choices=["md", "csv", "json", "html", "xlsx"],
        default="md",
        help="md (default), csv, json, html (one self-contained page with charts) or xlsx (an Excel workbook)",
    )
    p.add_argument(
        "--locale",
        choices=["plain", "sv"],
        default="plain",
        help="numbers in md: plain (23000, 33.2 %%; default) or sv (23 000, 33,2 %%)",
    )
    p.add_argument("-o", "--output", metavar="FILE", default=None, help="write here (default: standard output)")
    p.add_argument("--no-suppression", action="store_true", help="publish small counts (internal use only)")
    p.set_defaults(run=_report)


def _validate(args: argparse.Namespace) -> int:
    import finsam

    directory = pathlib.Path(args.directory)
    try:
        data = _read(directory, errors="collect")
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
    except BrokenPipeError:
        # The reader of the output stopped reading (`| head`): not an error
        # of ours. Point stdout at nothing so Python's flush at exit is quiet.
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_DATA
    except OSError as e:
        print(f"finsam: error [io]: {e}", file=sys.stderr)
        return EXIT_DATA
    return status


if __name__ == "__main__":
    sys.exit(main())
