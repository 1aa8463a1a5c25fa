import csv
from collections import Counter

import pytest

from vn_reform_extract import gazetteer
from vn_reform_extract.textnorm import key

from .conftest import ROOT


def test_gazetteers_build_reproduces_committed_files():
    pytest.importorskip("underthesea")
    import sys
    sys.path.insert(0, str(ROOT / "gazetteers"))
    import build
    for name, content in build.build_all().items():
        if name == "MANIFEST.json":
            continue  # records the installed package versions
        assert (ROOT / "gazetteers" / name).read_text(encoding="utf-8") == content, name


def test_gazetteers_63_old_units_map_onto_34_new():
    provs = gazetteer.provinces()
    assert len(provs) == 63
    new = list(csv.DictReader((ROOT / "gazetteers" / "provinces_34.csv").open(encoding="utf-8")))
    assert len(new) == 34
    members = Counter(c for r in new for c in r["predecessor_codes"].split("|"))
    assert sorted(members) == sorted(provs) and set(members.values()) == {1}
    for p in provs.values():
        assert p.code in next(r for r in new if r["code"] == p.merged_2025_code)["predecessor_codes"].split("|")


@pytest.mark.parametrize("code,merged", [("74", "79"), ("77", "79"), ("17", "25"), ("46", "46"), ("15", "15"), ("10", "15")])
def test_gazetteers_merger_examples(code, merged):
    assert gazetteer.provinces()[code].merged_2025_code == merged


def test_gazetteers_every_alias_resolves_to_its_own_row():
    for p in gazetteer.provinces().values():
        for alias in p.aliases:
            assert gazetteer.province_by_name(alias) == p, alias


def test_gazetteers_regions_and_kinds():
    provs = gazetteer.provinces().values()
    assert Counter(p.kind for p in provs) == {"tỉnh": 58, "thành phố": 5}
    assert Counter(p.region for p in provs) == {
        "Trung du và miền núi phía Bắc": 14, "Đồng bằng sông Hồng": 11,
        "Bắc Trung Bộ và Duyên hải miền Trung": 14, "Tây Nguyên": 5, "Đông Nam Bộ": 6,
        "Đồng bằng sông Cửu Long": 13}


def test_gazetteers_ministries_before_and_after_2025():
    from datetime import date
    rows = [r for r in gazetteer.ministries() if r["kind"] in ("ministry", "ministerial_agency")]
    assert sum(gazetteer.valid_on(r, date(2025, 2, 1)) for r in rows) == 22
    assert sum(gazetteer.valid_on(r, date(2025, 3, 1)) for r in rows) == 17


def test_gazetteers_names_are_canonical():
    for p in gazetteer.provinces().values():
        assert key(p.name) == p.name.lower(), p.name


@pytest.mark.parametrize("text,code", [("Bình Dươg", "74"), ("Ha Noii", "01"), ("Thanh Hoa", "38")])
def test_gazetteers_fuzzy_lookup(text, code):
    assert gazetteer.province_by_name(text, fuzzy=True).code == code


def test_gazetteers_fuzzy_lookup_rejects_junk():
    assert gazetteer.province_by_name("xyz qwerty", fuzzy=True) is None
    assert gazetteer.province_by_name("Bình Dươg") is None
