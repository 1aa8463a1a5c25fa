"""Every example in patterns/*.yaml is a test (Duckling-style corpora).

For an example ``{text, expect, published?, count?}`` the list named by the file's
``field`` must hold exactly ``count`` (default 1) items, the first of which has every
expected key/value. A negative example must yield no item in that list.
"""
from __future__ import annotations

import pytest

from vn_reform_extract import extract, patterns


def _cases():
    for name in patterns.all_files():
        pf = patterns.load(name)
        assert pf.field, f"patterns/{name}.yaml needs a 'field'"
        groups = [(r.name, r.examples, r.negative) for r in pf.rules] + [("file", pf.examples, pf.negative)]
        for rule_name, examples, negatives in groups:
            for ex in examples:
                yield pytest.param(pf.field, ex, False, id=f"{name}:{rule_name}:{ex['text'][:50]}",
                                   marks=[pytest.mark.xfail(strict=True)] if ex.get("known_failure") else [])
            for neg in negatives:
                ex = neg if isinstance(neg, dict) else {"text": neg}
                yield pytest.param(pf.field, ex, True, id=f"{name}:{rule_name}:NOT:{ex['text'][:50]}")


def _value(item, key):
    value = item.get(key) if isinstance(item, dict) else None
    if key == "mentions" and value is not None:
        return len(value)
    return value


@pytest.mark.parametrize("field,example,negative", list(_cases()))
def test_pattern_example(field, example, negative):
    article = extract(example["text"], published=example.get("published")).model_dump(mode="json")
    items = article[field] if field != "published" else ([article["published"]] if article["published"] else [])
    if negative:
        assert items == [], f"expected nothing, got {items}"
        return
    assert len(items) == example.get("count", 1), items
    expect = example.get("expect", {})
    got = items[0]
    if not isinstance(got, dict):
        assert got == expect, got
        return
    for k, v in expect.items():
        actual = _value(got, k)
        if isinstance(v, float) or isinstance(actual, float):
            assert actual is not None and abs(float(actual) - float(v)) < 1e-9, (k, actual, got)
        else:
            assert actual == v, (k, actual, got)
    if example.get("whole"):
        assert got["text"] == example["text"], got


def test_every_rule_has_an_example():
    for name in patterns.all_files():
        for rule in patterns.load(name).rules:
            assert rule.examples, f"patterns/{name}.yaml rule {rule.name!r} has no example"
