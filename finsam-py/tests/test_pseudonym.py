"""Pseudonymisation from Python and from the ``finsam`` command, checked
against Python's own ``hmac`` and ``hashlib`` as the independent reference."""

from __future__ import annotations

import hashlib
import hmac
import os
import subprocess
import sys
from pathlib import Path

import pandas as pd
import polars as pl
import pyarrow as pa
import pytest

import finsam

KEY = b"0123456789abcdef0123456789abcdef"
REFERENCE = "2025-06-01"
FORMS = ["19800101-1231", "198001011231", "800101-1231", "8001011231", " 800101 1231 "]


def reference_pseudonym(twelve_digits: str, key: bytes = KEY) -> int:
    """The first 63 bits of HMAC-SHA-256(key, twelve digits), computed by Python."""
    digest = hmac.new(key, twelve_digits.encode(), hashlib.sha256).digest()
    return int.from_bytes(digest[:8], "big") & (2**63 - 1)


def test_every_form_gives_pythons_hmac_of_the_twelve_digits() -> None:
    t = pa.table({"pnr": FORMS, "ort": ["Umeå", None, "Luleå", "", "Kiruna"]})
    out = finsam.pseudonymise(t, column="pnr", key=KEY, reference_date=REFERENCE)
    assert isinstance(out, pa.Table)
    assert out["pnr"].to_pylist() == [reference_pseudonym("198001011231")] * len(FORMS)
    assert out["ort"] == t["ort"]
    assert out.schema.field("pnr").type == pa.int64()


def test_the_frame_comes_back_as_it_came_with_one_column_replaced() -> None:
    expected = [reference_pseudonym("198001011231"), reference_pseudonym("198112189876")]
    df = pd.DataFrame(
        {"x": [1.5, None], "pnr": ["800101-1231", "811218-9876"], "c": pd.Categorical(["a", "b"])},
        index=pd.Index([7, 9], name="lopnr"),
    )
    out = finsam.pseudonymise(df, column="pnr", key=KEY, reference_date=REFERENCE)
    assert isinstance(out, pd.DataFrame)
    assert out["pnr"].tolist() == expected
    pd.testing.assert_frame_equal(out.drop(columns="pnr"), df.drop(columns="pnr"))
    assert list(out.columns) == list(df.columns)

    pf = pl.DataFrame({"pnr": ["800101-1231", "811218-9876"], "n": [1, None]})
    out_pl = finsam.pseudonymise(pf, column="pnr", key=KEY, reference_date=REFERENCE)
    assert isinstance(out_pl, pl.DataFrame)
    assert out_pl["pnr"].to_list() == expected
    assert out_pl.drop("pnr").equals(pf.drop("pnr"))

    batch = pa.record_batch({"pnr": ["800101-1231", "811218-9876"]})
    out_b = finsam.pseudonymise(batch, column="pnr", key=KEY, reference_date=REFERENCE)
    assert isinstance(out_b, pa.RecordBatch)
    assert out_b["pnr"].to_pylist() == expected


def test_an_invalid_number_names_its_row_and_reason_never_its_value() -> None:
    t = pa.table({"pnr": ["800101-1231", "800101-1234"]})
    with pytest.raises(finsam.PersonnummerError) as info:
        finsam.pseudonymise(t, column="pnr", key=KEY, reference_date=REFERENCE)
    e = info.value
    assert (e.code, e.reason, e.row, e.column, e.value) == ("invalid_personnummer", "check_digit", 1, "pnr", None)
    assert "800101" not in str(e)
    assert isinstance(e, finsam.InputError)

    with pytest.raises(finsam.ValidationError) as collected:
        finsam.pseudonymise(
            pa.table({"pnr": ["x", "800101-1231", None]}), column="pnr", key=KEY, invalid="collect"
        )
    assert [(err.row, getattr(err, "reason")) for err in collected.value.errors] == [(0, "characters"), (2, "empty")]


def test_rejected_rows_are_left_out_and_listed() -> None:
    df = pd.DataFrame({"pnr": ["800101-1234", "800101-1231", "800230-1231"], "k": ["a", "b", "c"]})
    out, rejected = finsam.pseudonymise(df, column="pnr", key=KEY, invalid="reject", reference_date=REFERENCE)
    assert out["k"].tolist() == ["b"]
    assert out.index.tolist() == [1]
    assert rejected.to_pylist() == [{"row": 0, "reason": "check_digit"}, {"row": 2, "reason": "date"}]


def test_bad_options_are_argument_errors() -> None:
    t = pa.table({"pnr": ["800101-1231"]})
    for kwargs in [
        {"key": b"too short"},
        {"key": 12345},
        {"key": KEY, "invalid": "ignore"},
        {"key": KEY, "reference_date": "1 June"},
    ]:
        with pytest.raises(finsam.ArgumentError):
            finsam.pseudonymise(t, column="pnr", **kwargs)  # type: ignore[arg-type]
    with pytest.raises(finsam.InputError) as info:
        finsam.pseudonymise(t, column="personnummer", key=KEY)
    assert info.value.code == "missing_column"
    with pytest.raises(finsam.InputError) as info:
        finsam.pseudonymise(pa.table({"pnr": [1.5]}), column="pnr", key=KEY)
    assert info.value.code == "arrow_type"


def run_cli(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "finsam._cli", *args],
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=False,
    )


@pytest.fixture
def files(tmp_path: Path) -> Path:
    (tmp_path / "in.csv").write_bytes("pnr;ort\r\n19800101-1231;Umeå\r\n800101-1234;\"Luleå; C\"\r\n".encode())
    (tmp_path / "study.key").write_bytes(KEY + b"\n")
    return tmp_path


def test_the_command_pseudonymises_a_file_and_rejects_invalid_rows(files: Path) -> None:
    r = run_cli(
        "pseudonymise", str(files / "in.csv"), str(files / "out.csv"), "--column", "pnr",
        "--key-file", str(files / "study.key"), "--reject", str(files / "rej.csv"), "--reference-date", REFERENCE,
    )
    assert r.returncode == 0, r.stderr
    assert "1 of 2 rows" in r.stderr and "1 rejected" in r.stderr
    assert (files / "out.csv").read_bytes() == f"pnr;ort\r\n{reference_pseudonym('198001011231')};Umeå\r\n".encode()
    rejected = 'pnr;ort;finsam_line;finsam_reason\r\n800101-1234;"Luleå; C";3;check_digit\r\n'
    assert (files / "rej.csv").read_bytes() == rejected.encode()


def test_the_command_fails_on_an_invalid_number_without_a_traceback(files: Path) -> None:
    r = run_cli(
        "pseudonymise", str(files / "in.csv"), str(files / "out.csv"), "--column", "pnr",
        "--key-env", "FINSAM_TEST_KEY", env={"FINSAM_TEST_KEY": KEY.decode()},
    )
    assert r.returncode == 1
    assert r.stderr.startswith("finsam: error [invalid_personnummer]:")
    assert "line 3" in r.stderr and "800101" not in r.stderr and "Traceback" not in r.stderr
    assert not (files / "out.csv").exists()


def test_usage_errors_exit_2_and_the_key_is_never_an_argument(files: Path) -> None:
    base = ["pseudonymise", str(files / "in.csv"), str(files / "out.csv"), "--column", "pnr"]
    assert run_cli(*base).returncode == 2  # no key source
    r = run_cli(*base, "--key-file", str(files / "study.key"), "--key", KEY.decode())
    assert r.returncode == 2 and "unrecognized arguments" in r.stderr
    r = run_cli(*base, "--key-env", "FINSAM_TEST_UNSET_VARIABLE")
    assert r.returncode == 2 and "[invalid_argument]" in r.stderr and "FINSAM_TEST_UNSET_VARIABLE" in r.stderr
    (files / "short.key").write_bytes(b"abc")
    r = run_cli(*base, "--key-file", str(files / "short.key"))
    assert r.returncode == 2 and "abc" not in r.stderr
    r = run_cli(*base[:3], "--column", "pnr", "--key-file", str(files / "missing.key"))
    assert r.returncode == 1 and "[io]" in r.stderr
    assert run_cli().returncode == 2


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).with_name("finsam")
    assert script.exists()
    r = subprocess.run([str(script), "pseudonymise", "--help"], capture_output=True, text=True, check=False)
    assert r.returncode == 0 and "--key-file" in r.stdout
