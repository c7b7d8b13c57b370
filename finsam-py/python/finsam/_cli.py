"""The ``finsam`` command.

Each subcommand parses its arguments and calls one function of the Rust
core through the bindings; nothing is computed here. Errors go to stderr as
``finsam: error [code]: message`` without a traceback; the exit status is 1
for an error in the data or files, 2 for a usage error (a bad option, a key
that is missing or too short).

    finsam pseudonymise IN OUT --column personnummer --key-file study.key [--reject rejects.csv]

The key is read from a file (``--key-file``) or an environment variable
(``--key-env``), never from the command line, where other users and the
shell's history would see it.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable, Sequence

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


#: Every subcommand: adds its parser. More subcommands append here.
SUBCOMMANDS: list[Callable[[argparse._SubParsersAction[argparse.ArgumentParser]], None]] = [_add_pseudonymise]


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
