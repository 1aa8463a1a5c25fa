"""The dev corpus: gold files are valid and grounded, and extract() holds its invariants
and the accuracy baseline on every article."""
import json
import re

import pytest

from vn_reform_extract import extract, gazetteer
from vn_reform_extract.evaluate import evaluate

from .conftest import CORPUS, corpus_ids

FIELDS = ("provinces", "agencies", "officials", "dates", "facts", "legal_refs")


@pytest.mark.parametrize("gid", corpus_ids())
def test_corpus_gold_is_grounded(gid):
    gold = json.loads((CORPUS / "gold" / f"{gid}.json").read_text(encoding="utf-8"))
    text = (CORPUS / "texts" / f"{gid}.txt").read_text(encoding="utf-8")
    assert gold["id"] == gid and set(FIELDS) <= set(gold)
    for name in gold["provinces"]:
        assert gazetteer.province_by_name(name) is not None, name
    for d in gold["dates"]:
        assert re.fullmatch(r"(?:\d{4}|XXXX)(?:-(?:\d{2}|Q[1-4]|H[12]))?(?:-\d{2})?(?:/[\dX-]+(?:-Q[1-4])?)?", d), d


@pytest.mark.parametrize("gid", corpus_ids())
def test_corpus_offsets_slice_the_text(gid, corpus_meta):
    text = (CORPUS / "texts" / f"{gid}.txt").read_text(encoding="utf-8")
    a = extract(text, published=corpus_meta[gid]["published"])
    for field in ("provinces", "agencies", "dates", "facts", "legal_refs"):
        for m in getattr(a, field):
            assert text[m.start:m.end] == m.text, (field, m)
    for o in a.officials:
        for m in o.mentions:
            assert m.start < m.end and (not m.text or text[m.start:m.end] == m.text)
    for s in a.sentences:
        assert 0 <= s.start < s.end <= len(text)


def test_corpus_accuracy_not_below_baseline():
    baseline = json.loads((CORPUS / "baseline.json").read_text(encoding="utf-8"))
    result = evaluate(CORPUS / "gold")
    for field, f1 in baseline.items():
        assert result["fields"][field]["f1"] >= f1 - 0.005, (field, result["fields"][field]["f1"], f1)
