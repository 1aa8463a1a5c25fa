"""The helpers' phrase tables in patterns/phrases/*.yaml (phrase -> expected value)."""
from __future__ import annotations

from datetime import date

import pytest
import yaml

from vn_reform_extract import parse_date, parse_money, parse_number
from vn_reform_extract.patterns import data_dir


def _table(name: str) -> dict:
    return yaml.safe_load((data_dir("patterns") / "phrases" / f"{name}.yaml").read_text(encoding="utf-8"))


def _cases(name: str):
    t = _table(name)
    for c in t.get("cases") or []:
        yield pytest.param(c, False, id=c["text"] or "<empty>")
    for n in t.get("negative") or []:
        c = n if isinstance(n, dict) else {"text": n}
        yield pytest.param(c, True, id="NOT:" + (c["text"] or "<empty>"))


def _close(a, b) -> bool:
    return a is not None and abs(a - b) <= 1e-9 * max(1.0, abs(b))


@pytest.mark.parametrize("case,negative", list(_cases("numbers")))
def test_parse_number_phrases(case, negative):
    got = parse_number(case["text"])
    if negative:
        assert got is None
    else:
        assert _close(got, float(case["value"])), got


@pytest.mark.parametrize("case,negative", list(_cases("money")))
def test_parse_money_phrases(case, negative):
    got = parse_money(case["text"])
    if negative:
        assert got is None
    else:
        assert got is not None and got[1] == case["code"] and _close(got[0], float(case["value"])), got


def _date_cases():
    t = _table("dates")
    for c in t.get("cases") or []:
        yield pytest.param(c, t["reference"], False, id=c["text"])
    for n in t.get("negative") or []:
        c = n if isinstance(n, dict) else {"text": n}
        yield pytest.param(c, c.get("reference", t["reference"]), True, id="NOT:" + (c["text"] or "<empty>"))


@pytest.mark.parametrize("case,reference,negative", list(_date_cases()))
def test_parse_date_phrases(case, reference, negative):
    ref = date.fromisoformat(reference) if reference else None
    got = parse_date(case["text"], ref)
    assert got == (None if negative else case["value"])
