"""Vietnamese number reading, price-parser style: one table of examples, one test."""
from __future__ import annotations

from typing import NamedTuple, Optional

import pytest

from vn_reform_extract import parse_money, parse_number
from vn_reform_extract.numbers import parse_range, read_quantity


class Example(NamedTuple):
    text: str
    value: Optional[float]


NUMBERS = [
    Example("1.159", 1159.0),
    Example("87,87", 87.87),
    Example("50.3", 50.3),
    Example("1.200.000", 1200000.0),
    Example("1,234,567", 1234567.0),
    Example("03", 3.0),
    Example("0", 0.0),
    Example("12%", 12.0),
    Example("1,2 triệu", 1200000.0),
    Example("300 nghìn", 300000.0),
    Example("65 ngàn", 65000.0),
    Example("9.300 tỷ", 9.3e12),
    Example("2 nghìn tỷ", 2e12),
    Example("mười tám", 18.0),
    Example("Mười tám", 18.0),
    Example("hai mươi ba", 23.0),
    Example("mười lăm", 15.0),
    Example("hai mươi mốt", 21.0),
    Example("hai mươi", 20.0),
    Example("ba trăm linh năm", 305.0),
    Example("hai nghìn", 2000.0),
    Example("hai", 2.0),
    Example("hơn 600", 600.0),
    Example("gần 300", 300.0),
    Example("khoảng trên 137.000", 137000.0),
    Example("dưới 5%", 5.0),
]
NO_NUMBER = [
    Example("", None),
    Example("abc", None),
    Example("1.1.1.1", None),
    Example("F1", None),
    Example("5 người", None),
    Example("mươi", None),
    Example("lăm", None),
]


@pytest.mark.parametrize("ex", NUMBERS + NO_NUMBER, ids=lambda e: e.text or "<empty>")
def test_parse_number(ex):
    got = parse_number(ex.text)
    if ex.value is None:
        assert got is None
    else:
        assert got is not None and abs(got - ex.value) < 1e-6 * max(1.0, ex.value)


MONEY = [
    ("9.300 tỷ đồng", (9.3e12, "VND")),
    ("31,8 triệu USD", (31.8e6, "USD")),
    ("10 đô la", (10.0, "USD")),
    ("2,5 triệu đồng", (2.5e6, "VND")),
    ("9,94 tỉ đồng/năm", (9.94e9, "VND")),
    ("hơn 469 triệu đồng", (469e6, "VND")),
    ("500.000 VNĐ", (500000.0, "VND")),
    ("$5", (5.0, "USD")),
    ("1 triệu euro", (1e6, "EUR")),
    ("5 người", None),
    ("đồng", None),
    ("", None),
]


@pytest.mark.parametrize("text,expected", MONEY, ids=[m[0] or "<empty>" for m in MONEY])
def test_parse_money(text, expected):
    got = parse_money(text)
    if expected is None:
        assert got is None
    else:
        assert got is not None and got[1] == expected[1]
        assert abs(got[0] - expected[0]) < 1e-6 * expected[0]


@pytest.mark.parametrize("text,expected", [
    ("12-15", (12.0, 15.0)),
    ("từ 5 đến 10", (5.0, 10.0)),
    ("5 - 10 triệu", (5e6, 10e6)),
    ("abc", None),
])
def test_parse_range(text, expected):
    assert parse_range(text) == expected


def test_read_quantity_keeps_qualifier():
    value, qual, rest = read_quantity("khoảng trên 12.000 người")
    assert (value, qual, rest.strip()) == (12000.0, "khoảng trên", "người")


def test_non_str_is_no_number():
    assert parse_number(None) is None  # type: ignore[arg-type]
    assert parse_money(5) is None  # type: ignore[arg-type]
