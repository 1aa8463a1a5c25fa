"""The gazetteer of communes, wards and districts of both maps, and locality resolution."""
import csv
from collections import Counter

import pytest

from vn_reform_extract import extract, gazetteer, localities

from .conftest import ROOT


def _csv(name):
    with (ROOT / "gazetteers" / name).open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def test_every_2025_commune_lies_in_one_of_the_34_units():
    new_codes = {r["code"] for r in _csv("provinces_34.csv")}
    rows = _csv("communes_2025.csv")
    assert 3000 < len(rows) < 3500
    assert {r["province_code"] for r in rows} == new_codes
    assert set(Counter(r["kind"] for r in rows)) == {"xã", "phường", "đặc khu"}
    provs = gazetteer.provinces()
    for r in rows:
        olds = r["old_province_codes"].split("|")
        assert olds and all(provs[c].merged_2025_code == r["province_code"] for c in olds), r


def test_every_old_commune_maps_to_a_successor_in_its_provinces_successor():
    provs = gazetteer.provinces()
    new = {(r["province_code"], f"{r['kind']} {r['name']}") for r in _csv("communes_2025.csv")}
    rows = _csv("communes_pre2025.csv")
    assert len(rows) > 9000
    assert set(Counter(r["kind"] for r in rows)) == {"xã", "phường", "thị trấn"}
    for r in rows:
        succ = r["successors"].split("|")
        assert succ and all((provs[r["province_code"]].merged_2025_code, s) in new for s in succ), r


@pytest.mark.parametrize("name,key_fields", [
    ("communes_2025.csv", ("province_code", "name")),
    ("communes_pre2025.csv", ("province_code", "district", "kind", "name")),
])
def test_names_are_unique_within_their_province(name, key_fields):
    counts = Counter(tuple(r[k] for k in key_fields) for r in _csv(name))
    assert [k for k, n in counts.items() if n > 1] == []


@pytest.mark.parametrize("name,scope", [
    ("communes_2025.csv", ("province_code",)),
    ("communes_pre2025.csv", ("province_code", "district")),
])
def test_ambiguous_names_are_flagged(name, scope):
    rows = _csv(name)
    places = {}
    for r in rows:
        places.setdefault((r["kind"], r["name"]), set()).add(tuple(r[k] for k in scope))
    for r in rows:
        assert (r["ambiguous"] == "1") == (len(places[(r["kind"], r["name"])]) > 1), r
    # many "xã Tân Phú" before 2025
    assert sum(1 for r in rows if r["kind"] == "xã" and r["name"] == "Tân Phú") > 1 or name == "communes_2025.csv"


def test_province_names_on_a_date():
    hue = gazetteer.provinces()["46"]
    from datetime import date
    assert hue.full_name() == "tỉnh Thừa Thiên Huế"
    assert hue.full_name(date(2024, 12, 31)) == "tỉnh Thừa Thiên Huế"
    assert hue.full_name(date(2025, 1, 1)) == "thành phố Huế"
    assert gazetteer.provinces()["74"].full_name(date(2026, 2, 1)) == "tỉnh Bình Dương"


@pytest.mark.parametrize("text,published,expected", [
    ("UBND phường Bến Thành (TP.HCM) họp.", "2026-02-01", ("Ủy ban nhân dân phường Bến Thành", "79")),
    ("Công an xã Ia Pa, tỉnh Gia Lai vừa bắt giữ.", "2026-02-01", ("Công an xã Ia Pa", "64")),
    ("Chủ tịch UBND TP Huế chủ trì.", "2026-02-01", ("Ủy ban nhân dân thành phố Huế", "46")),
    ("UBND huyện Tân Kỳ tổ chức hội nghị.", "2019-05-01", ("Ủy ban nhân dân huyện Tân Kỳ", "40")),
    # names as of the article's date, unless the text marks the old name
    ("Chủ tịch UBND TP Huế chủ trì.", "2024-06-01", ("Ủy ban nhân dân tỉnh Thừa Thiên Huế", "46")),
    ("UBND tỉnh Thừa Thiên Huế cũ đã ban hành.", "2026-02-01", ("Ủy ban nhân dân tỉnh Thừa Thiên Huế", "46")),
    ("Bộ KH&ĐT hướng dẫn các địa phương.", "2026-02-01", ("Bộ Tài chính", None)),
    ("Bộ KH&ĐT hướng dẫn các địa phương.", "2024-02-01", ("Bộ Kế hoạch và Đầu tư", None)),
    ("Trước đây, Bộ KH&ĐT đã hướng dẫn.", "2026-02-01", ("Bộ Kế hoạch và Đầu tư", None)),
    ("Sở TN&MT tỉnh Gia Lai báo cáo.", "2026-02-01", ("Sở Nông nghiệp và Môi trường tỉnh Gia Lai", "64")),
    # after 1 July 2025 the article's province is its 2025 unit, named after the predecessor it kept
    ("Tỉnh Kon Tum cũ có nhiều xã. Tỉnh Kon Tum cũ và tỉnh Quảng Ngãi. UBND tỉnh đã họp.", "2026-02-01",
     ("Ủy ban nhân dân tỉnh Quảng Ngãi", "51")),
    ("Tỉnh Gia Lai đẩy mạnh chuyển đổi số. UBND tỉnh đã họp.", "2026-02-01", ("Ủy ban nhân dân tỉnh Gia Lai", "64")),
])
def test_local_bodies_take_the_province_of_their_locality(text, published, expected):
    agencies = extract(text, published=published).agencies
    assert [(a.name, a.province_code) for a in agencies] == [expected]


def test_an_article_naming_only_localities_gets_their_province():
    a = extract("Người dân phường Bến Thành và phường Sài Gòn đến làm thủ tục. UBND phường cho biết...",
                published="2026-02-01")
    assert a.provinces == []
    assert {loc.province_code for loc in a.localities} == {"79"}


def test_ambiguous_name_without_province_stays_unresolved():
    a = extract("Người dân xã Tân Phú đến làm thủ tục.", published="2019-03-01")
    [loc] = a.localities
    assert (loc.name, loc.province_code, loc.merged_2025_province_code) == ("Tân Phú", None, None)


def test_locality_offsets_point_into_the_original_text():
    text = "Tại  xã\u00a0Ia Pa, tỉnh Gia Lai\r\n"
    [loc] = extract(text, published="2026-02-01").localities
    assert text[loc.start:loc.end] == loc.text == "xã\u00a0Ia Pa"


def test_units_table_is_keyed_by_kind_and_name():
    assert any(u.era == "2025" for u in localities.units()[("phường", "bến thành")])


def _two_eras():
    return [extract("Năm 2019, tỉnh Bình Dương đạt 91,5% hồ sơ đúng hạn.", published="2019-05-01"),
            extract("Phường Bến Thành đạt 95% hồ sơ đúng hạn.", published="2026-02-01")]


def test_to_frames_by_2025_province():
    pytest.importorskip("pandas")
    from vn_reform_extract import to_frames
    f = to_frames(_two_eras(), by_2025_province=True)
    facts = f["facts"]
    assert facts.province_code.iloc[0] == "74"
    assert facts.province_2025_name.iloc[0] == "Hồ Chí Minh"
    assert list(f["localities"].province_2025_code) == ["79"]
    assert list(f["articles"].year) == ["2019", "2026"]
    assert "province_2025_code" not in to_frames(_two_eras())["facts"].columns


def test_sqlite_merger_views(tmp_path):
    import sqlite3
    from vn_reform_extract.batch import Task
    from vn_reform_extract.outputs import SqliteWriter
    db = tmp_path / "x.sqlite"
    w = SqliteWriter(str(db))
    for i, a in enumerate(_two_eras()):
        w.write(Task(text=a._text, id=str(i)), a)
    w.close()
    con = sqlite3.connect(db)
    rows = con.execute("SELECT province_code, province_2025_name, year, value FROM facts_by_province "
                       "WHERE kind = 'percent' ORDER BY year").fetchall()
    assert rows[0] == ("74", "Hồ Chí Minh", "2019", 91.5)
    by_list = dict(con.execute("SELECT list, province_2025_code FROM mentions_by_province "
                               "WHERE list IN ('provinces', 'localities')").fetchall())
    assert by_list == {"provinces": "79", "localities": "79"}
    assert "ix_localities_province_code" in {r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='index'")}


def test_localities_are_scored_only_when_the_gold_lists_them():
    from vn_reform_extract.evaluate import FIELDS, Counts, score_localities
    article = extract("Công an xã Ia Pa, tỉnh Gia Lai và phường Bến Thành (TP.HCM).",
                      published="2026-02-01").model_dump(mode="json")
    counts = {f: Counts() for f in FIELDS}
    score_localities(article, {"localities": ["xã Ia Pa", {"kind": "phường", "name": "Bến Thành",
                                                          "merged_2025_province_code": "79"}, "xã Tân Phú"]}, counts)
    c = counts["localities"]
    assert (c.tp, c.fp, c.fn) == (2, 0, 1)
    assert c.extra["merged_2025_province accuracy"] == [1, 1]
    assert "localities" not in FIELDS
