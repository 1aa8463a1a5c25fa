"""Hostile batch inputs (issue 10): each broken record is one error record, the rest go on."""
from __future__ import annotations

import json
from datetime import date

import pytest

from vn_reform_extract.datefield import parse_date_field
from vn_reform_extract.io import iter_tasks


def test_deeply_nested_json_line_is_an_error_record(tmp_path):
    src = tmp_path / "d.jsonl"
    deep = '{"id": "deep", "text": "a", "j": ' + "[" * 100_000 + "]" * 100_000 + "}"
    src.write_text(deep + "\n" + json.dumps({"id": "ok", "text": "b"}) + "\n")
    tasks = list(iter_tasks([str(src)]))
    assert [t.error is None for t in tasks] == [False, True]
    assert "nested too deeply" in tasks[0].error and tasks[0].line == 1
    arr = tmp_path / "a.json"
    arr.write_text("[" * 100_000 + "]" * 100_000)
    (t,) = iter_tasks([str(arr)])
    assert "nested too deeply" in t.error


def test_lone_surrogate_ids_are_escaped(tmp_path):
    src = tmp_path / "s.jsonl"
    src.write_text('{"id":"x\\ud800","text":"a"}\n{"id":"ok","text":"b"}\n')
    tasks = list(iter_tasks([str(src)]))
    assert [t.id for t in tasks] == ["x\\ud800", "ok"]
    assert all(t.error is None for t in tasks)
    tasks[0].id.encode("utf-8")  # storable anywhere


def test_default_ids_do_not_collide_across_folders(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    for year in ("2023", "2024"):
        (tmp_path / year).mkdir()
        (tmp_path / year / "news.jsonl").write_text('{"text": "a"}\n{"text": "b"}\n')
    ids = [t.id for t in iter_tasks(["."])]
    assert ids == ["2023/news.jsonl:1", "2023/news.jsonl:2", "2024/news.jsonl:1", "2024/news.jsonl:2"]
    absolute = [t.id for t in iter_tasks([str(tmp_path / "2023" / "news.jsonl")])]
    assert absolute == ids[:2]  # same ids however the file is named


@pytest.mark.parametrize("body, expect", [
    # unclosed quote followed by a row with a quoted field
    ('a,"unclosed text\nb,"quoted"\nc,plain\n', [("x.csv:2", False), ("b", True), ("c", True)]),
    # unclosed quote running to the end of the file
    ('a,"unclosed text\nb,plain\nc,plain\n', [("x.csv:2", False), ("b", True), ("c", True)]),
    # text after a closing quote
    ('a,"closed" junk\nb,plain\n', [("x.csv:2", False), ("b", True)]),
    # a legitimate multi-line field is kept
    ('a,"line one\nline two"\nb,plain\n', [("a", True), ("b", True)]),
])
def test_csv_unclosed_quote_does_not_swallow_rows(tmp_path, monkeypatch, body, expect):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "x.csv").write_text("id,text\n" + body)
    tasks = list(iter_tasks(["x.csv"]))
    assert [(t.id, t.error is None) for t in tasks] == expect
    if not expect[0][1]:
        assert "quote" in tasks[0].error and tasks[0].line == 2


@pytest.mark.parametrize("raw, expect", [
    ("2022-11-02", date(2022, 11, 2)),
    ("02/11/2022", date(2022, 11, 2)),           # day first
    ("2/11/2022 08:15", date(2022, 11, 2)),
    ("02-11-2022", date(2022, 11, 2)),
    ("2022/11/02", date(2022, 11, 2)),
    ("2022-11-02T17:30:00+07:00", date(2022, 11, 2)),
    ("2022-11-02T17:30:00+00:00", date(2022, 11, 3)),  # 00:30 on the 3rd in Hà Nội
    ("2022-11-02 23:30:00Z", date(2022, 11, 3)),
    ("2022-11-02T23:30:00.123Z", date(2022, 11, 3)),
    ("02/11/2022 20:00 GMT", date(2022, 11, 3)),
    ("2022-11-02T01:00:00-05:00", date(2022, 11, 2)),
    ("Wed, 02 Nov 2022 17:30:00 +0000", date(2022, 11, 3)),
    ("2022-11-02 10:00", date(2022, 11, 2)),          # no timezone: Vietnam time already
    (1667410200, date(2022, 11, 3)),                   # 2022-11-02T17:30Z
    (1667410200000, date(2022, 11, 3)),
    ("Thứ Tư, 2/11/2022", date(2022, 11, 2)),
    ("ngày 2 tháng 11 năm 2022", date(2022, 11, 2)),
    ("", None), (None, None),
])
def test_date_field_formats(raw, expect):
    assert parse_date_field(raw) == expect


@pytest.mark.parametrize("raw", ["garbage", "31/02/2022", "9999-12-31", "02/11", True, [2022]])
def test_date_field_not_a_date(raw):
    with pytest.raises(ValueError):
        parse_date_field(raw)


def test_unparseable_date_is_a_warning(tmp_path):
    src = tmp_path / "d.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "x", "published": "hôm qua"}) + "\n"
                   + json.dumps({"id": "b", "text": "x", "published": "02/11/2022"}) + "\n")
    a, b = iter_tasks([str(src)])
    assert a.error is None and a.published is None and "hôm qua" in a.warnings[0]
    assert b.published == date(2022, 11, 2) and not b.warnings


@pytest.mark.parametrize("out", ["--db", "--out"])
def test_date_warning_reaches_the_tables(tmp_path, out):
    import csv
    import sqlite3
    from vn_reform_extract.cli import main
    src = tmp_path / "d.jsonl"
    src.write_text(json.dumps({"id": "a", "text": "Hà Nội.", "published": "hôm qua"}) + "\n"
                   + json.dumps({"id": "b", "text": "Hà Nội.", "published": "2022-11-02"}) + "\n", encoding="utf-8")
    target = tmp_path / ("o.sqlite" if out == "--db" else "o.csv")
    assert main(["extract", str(src), out, str(target), "-q", "--no-progress"]) == 0
    if out == "--db":
        rows = dict(sqlite3.connect(target).execute("SELECT article_id, warnings FROM articles"))
    else:
        with open(tmp_path / "o" / "articles.csv", encoding="utf-8", newline="") as f:
            rows = {r["article_id"]: r["warnings"] for r in csv.DictReader(f)}
    assert "hôm qua" in rows["a"] and not rows["b"]


def test_no_impossible_calendar_days():
    from vn_reform_extract import extract
    got = [d.value for d in extract("Ngày 29/2, UBND tỉnh họp. Ngày 31/4 cũng vậy.", published=date(2023, 5, 1)).dates]
    assert "2023-02-29" not in got and "2023-04-31" not in got
    leap = [d.value for d in extract("Ngày 29/2, UBND tỉnh họp.", published=date(2024, 5, 1)).dates]
    assert leap == ["2024-02-29"]


@pytest.mark.parametrize("published", [date.max, date.min])
def test_extreme_published_dates_do_not_overflow(published):
    from vn_reform_extract import extract
    art = extract("Hôm nay, ngày mai, hôm qua, tuần tới, tháng tới, năm sau, năm ngoái.", published=published)
    for d in art.dates:
        for part in d.value.split("/"):
            assert len(part.split("-")[0]) == 4
