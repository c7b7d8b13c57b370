"""The foundation from Python: loading, validation, errors, synthetic data."""

from __future__ import annotations

import datetime
import threading
from pathlib import Path

import pytest

import finsam
from conftest import CORE_TEST_DATA

DELT_HEADER = (
    "deltagare_id;insats_id;forbund_id;kon;fodelsear;startdatum;slutdatum;forsorjning_fore;"
    "forsorjning_efter;status_efter;subventionerad;avslutsanledning;remitterande_part\n"
)


def test_synthetic_is_national_and_deterministic() -> None:
    data = finsam.synthetic()
    per_year = {y["ar"]: y for y in data.summary()["per_year"]}
    assert per_year[2020]["deltagare_totalt"] == 24_867
    assert per_year[2019]["deltagare_personuppgifter"] == 20_353
    assert per_year[2020]["forbund"] == 78
    assert data.uttagsdatum == datetime.date(2023, 12, 31)
    assert finsam.synthetic(scale=0.02, seed=5).to_json() == finsam.synthetic(scale=0.02, seed=5).to_json()


def test_csv_round_trip(small: finsam.Dataset, tmp_path: Path) -> None:
    small.to_csv(tmp_path)
    back = finsam.Dataset.from_csv(tmp_path)
    assert back.to_json() == small.to_json()
    assert back.num_rows == small.num_rows
    assert "deltaganden=" in repr(back)


def test_json_round_trip(small: finsam.Dataset) -> None:
    assert finsam.Dataset.from_json(small.to_json()).to_json() == small.to_json()


def test_windows_1252_export_is_read() -> None:
    data = finsam.Dataset.from_csv(CORE_TEST_DATA / "cp1252")
    assert "Östra Södertörn" in data.to_json()


def _write_bad(tmp_path: Path, small: finsam.Dataset, rows: str) -> Path:
    small.to_csv(tmp_path)
    (tmp_path / "deltaganden.csv").write_text(DELT_HEADER + rows, encoding="utf-8")
    return tmp_path


def test_bad_value_raises_input_error_with_location(small: finsam.Dataset, tmp_path: Path) -> None:
    insats = small.summary()  # any insats id from the data set
    del insats
    path = _write_bad(tmp_path, small, "1;1000;;K;1980;2019-02-30;;;;;;;\n")
    with pytest.raises(finsam.InputError) as info:
        finsam.Dataset.from_csv(path)
    e = info.value
    assert isinstance(e, finsam.FinsamError) and isinstance(e, ValueError)
    assert (e.code, e.line, e.row, e.column, e.value) == ("invalid_date", 2, 0, "startdatum", "2019-02-30")
    assert e.path is not None and e.path.endswith("deltaganden.csv")


def test_collect_reports_every_error(small: finsam.Dataset, tmp_path: Path) -> None:
    path = _write_bad(tmp_path, small, "1;1000;;X;1980;2019-01-01;;;;;;;\n2;1000;;K;abc;2019-01-01;;;;;;;\n3;999999;;K;1980;2019-01-01;;;;;;;\n")
    with pytest.raises(finsam.ValidationError) as info:
        finsam.Dataset.from_csv(path, errors="collect")
    e = info.value
    assert e.code == "invalid_data"
    assert e.total == 3
    assert e.counts == {"invalid_code": 1, "invalid_number": 1, "unknown_insats": 1}
    assert [type(x).__name__ for x in e.errors] == ["InputError", "InputError", "RuleError"]
    assert [x.line for x in e.errors] == [2, 3, 4]


def test_column_mapping_and_options(small: finsam.Dataset, tmp_path: Path) -> None:
    small.to_csv(tmp_path)
    text = (tmp_path / "anonyma_deltagare.csv").read_text(encoding="utf-8")
    (tmp_path / "anonyma.csv").write_text(text.replace("antal", "Antal anonyma").replace(";", ","), encoding="utf-8")
    (tmp_path / "anonyma_deltagare.csv").unlink()
    data = finsam.Dataset.from_csv(
        tmp_path, columns={"anonyma_deltagare": {"antal": "Antal anonyma"}}, files={"anonyma_deltagare": "anonyma.csv"}
    )
    assert data.num_rows["anonyma_deltagare"] == small.num_rows["anonyma_deltagare"]
    with pytest.raises(finsam.ArgumentError):
        finsam.Dataset.from_csv(tmp_path, encoding="latin-9")  # type: ignore[arg-type]
    with pytest.raises(finsam.ArgumentError):
        finsam.Dataset.from_csv(tmp_path, columns={"no_such_table": {}})


def test_missing_directory_is_a_file_access_error(tmp_path: Path) -> None:
    with pytest.raises(finsam.FileAccessError) as info:
        finsam.Dataset.from_csv(tmp_path / "missing")
    assert info.value.code == "io"


@pytest.mark.parametrize(
    "content",
    [b"", b"\xff\xfe\x00garbage", b"deltagare_id;insats_id\n1;2\n", DELT_HEADER.encode() + b"1;2;3\n", b'"unterminated;\n'],
)
def test_malformed_files_never_crash(small: finsam.Dataset, tmp_path: Path, content: bytes) -> None:
    small.to_csv(tmp_path)
    (tmp_path / "deltaganden.csv").write_bytes(content)
    try:
        finsam.Dataset.from_csv(tmp_path, errors="collect")
    except finsam.FinsamError as e:
        assert e.code in finsam.ERROR_CODES


def test_every_error_code_has_a_specific_exception() -> None:
    for code in finsam.ERROR_CODES:
        assert finsam.exception_for(code) is not finsam.FinsamError, code


def test_scale_is_validated() -> None:
    with pytest.raises(finsam.ArgumentError):
        finsam.synthetic(scale=float("nan"))


def test_threads_share_the_module(small: finsam.Dataset, tmp_path: Path) -> None:
    small.to_csv(tmp_path)
    results: list[int] = []

    def load() -> None:
        results.append(finsam.Dataset.from_csv(tmp_path).num_rows["deltaganden"])

    threads = [threading.Thread(target=load) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert results == [small.num_rows["deltaganden"]] * 4


def test_file_names_are_matched_ignoring_case_and_listed(small: finsam.Dataset, tmp_path: Path) -> None:
    small.to_csv(tmp_path)
    (tmp_path / "deltaganden.csv").rename(tmp_path / "Deltaganden.csv")
    (tmp_path / "readme.txt").write_text("not a table", encoding="utf-8")
    data = finsam.Dataset.from_csv(tmp_path)
    assert data.num_rows == small.num_rows
    # Every table of the contract, the comparison persons (jamforelsepersoner) included.
    assert len(data.num_rows) == 13
    load = data.load_summary
    assert load is not None and small.load_summary is None
    assert load["unmatched_files"] == ["readme.txt"]
    files = {f["table"]: f for f in load["files"]}
    assert len(files) == 13
    assert files["deltaganden"]["file"].endswith("Deltaganden.csv")
    assert files["deltaganden"]["rows"] == small.num_rows["deltaganden"]
    assert {f["encoding"] for f in files.values()} == {"UTF-8"}
    assert load["rows"] == small.num_rows


def test_windows_1252_is_reported_in_the_load_summary() -> None:
    load = finsam.Dataset.from_csv(CORE_TEST_DATA / "cp1252").load_summary
    assert load is not None
    assert {f["encoding"] for f in load["files"]} == {"Windows-1252"}


def test_two_files_of_one_table_are_an_error_naming_both(small: finsam.Dataset, tmp_path: Path) -> None:
    small.to_csv(tmp_path)
    (tmp_path / "Deltaganden.csv").write_bytes((tmp_path / "deltaganden.csv").read_bytes())
    with pytest.raises(finsam.InputError) as info:
        finsam.Dataset.from_csv(tmp_path)
    assert info.value.code == "duplicate_file"
    assert "Deltaganden.csv" in str(info.value) and "deltaganden.csv" in str(info.value)


def test_a_stray_byte_in_utf8_is_an_error_at_its_line(small: finsam.Dataset, tmp_path: Path) -> None:
    path = _write_bad(tmp_path, small, "")
    good = "1;1000;;K;1980;2019-01-01;;;;;;;Socialtjänst\n".encode()
    stray = b"2;1000;;K;1980;2019-01-01;;;;;;;Socialtj\xe4nst\n"  # one Windows-1252 byte
    (path / "deltaganden.csv").write_bytes(DELT_HEADER.encode() + good + stray)
    with pytest.raises(finsam.InputError) as info:
        finsam.Dataset.from_csv(path)
    assert (info.value.code, info.value.line, info.value.column) == ("invalid_encoding", 3, "remitterande_part")


def test_a_long_value_is_cut_in_the_error(small: finsam.Dataset, tmp_path: Path) -> None:
    path = _write_bad(tmp_path, small, f"1;1000;;{'X' * 100_000};1980;2019-01-01;;;;;;;\n")
    with pytest.raises(finsam.InputError) as info:
        finsam.Dataset.from_csv(path)
    e = info.value
    assert e.value == "X" * 80 + "…"
    assert len(str(e)) < 1_000 and "(100000 characters)" in str(e)
