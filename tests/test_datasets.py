"""Dataset tables: indicator aliases, personnel events, officials timelines, incremental SQLite."""
from __future__ import annotations

import json
import sqlite3

import pytest
import yaml

from vn_reform_extract import extract
from vn_reform_extract.appointments import find_appointments
from vn_reform_extract.datasets import DATASET_TABLES, build_datasets, build_rows, title_key, update_sqlite
from vn_reform_extract.indicators import find_indicators, indicators
from vn_reform_extract.patterns import data_dir
from vn_reform_extract.schema import Article, NumericFact, Official


def _yaml(name):
    return yaml.safe_load((data_dir("patterns") / "datasets" / name).read_text(encoding="utf-8"))


INDICATOR_TABLE = _yaml("indicators.yaml")
APPOINTMENT_TABLE = _yaml("appointments.yaml")


@pytest.mark.parametrize("row", INDICATOR_TABLE["examples"], ids=lambda r: r["text"][:40])
def test_indicator_alias(row):
    assert {iid for _, _, iid in find_indicators(row["text"])} == {row["expect"]}


@pytest.mark.parametrize("text", INDICATOR_TABLE["negative"])
def test_indicator_alias_negative(text):
    assert find_indicators(text) == []


def test_every_indicator_has_an_alias_example():
    named = {r["expect"] for r in INDICATOR_TABLE["examples"]}
    assert set(indicators()) - named == set()


def _appointment_cases():
    for rule in APPOINTMENT_TABLE["rules"]:
        for ex in rule["examples"]:
            yield pytest.param(ex, False, id=f"{rule['name']}:{ex['text'][:40]}")
    for ex in APPOINTMENT_TABLE["negative"]:
        yield pytest.param(ex, True, id=f"NOT:{ex['text'][:40]}")


@pytest.mark.parametrize("example,negative", list(_appointment_cases()))
def test_appointment_example(example, negative):
    article = extract(example["text"], published=example.get("published"))
    events = find_appointments(example["text"], article)
    if negative:
        assert events == []
        return
    assert events, article.officials
    got = events[0].__dict__
    for k, v in example["expect"].items():
        assert got[k] == v, (k, got)


def _article(officials, published, facts=()):
    return Article(published=published, officials=officials, facts=list(facts))


def test_timeline_keeps_two_people_with_one_name_apart():
    a = _article([Official(name="Nguyễn Văn An", titles=["Chủ tịch UBND tỉnh"], province_code="74")], "2020-01-02")
    b = _article([Official(name="Nguyễn Văn An", titles=["Chủ tịch UBND tỉnh"], province_code="40")], "2021-03-04")
    tl = build_datasets([("a", a), ("b", b)])["officials_timeline"]
    assert tl.person_id.nunique() == 2
    assert sorted(tl.province_name) == ["Bình Dương", "Nghệ An"]


def test_timeline_joins_one_person_under_two_titles():
    a = _article([Official(name="Lê Văn Bình", titles=["Phó Chủ tịch UBND tỉnh Bình Dương"], province_code="74")],
                 "2019-05-01")
    b = _article([Official(name="Lê Văn Bình", titles=["Chủ tịch UBND tỉnh"], province_code="74")], "2022-07-01")
    c = _article([Official(name="Lê Văn Bình", titles=["Chủ tịch Ủy ban nhân dân tỉnh Bình Dương"])], "2023-01-01")
    tl = build_datasets([("a", a), ("b", b), ("c", c)])["officials_timeline"].sort_values("first_seen")
    assert tl.person_id.nunique() == 1
    assert len(tl) == 2                                   # two posts
    chair = tl.iloc[1]
    assert chair["first_seen"] == "2022-07-01" and chair["last_seen"] == "2023-01-01"
    assert json.loads(chair["article_ids"]) == ["b", "c"]


def test_title_key_expands_acronyms_and_drops_the_province():
    assert title_key("Chủ tịch UBND tỉnh Bình Dương") == title_key("Chủ tịch Ủy ban nhân dân tỉnh")
    assert title_key("Phó Chủ tịch UBND tỉnh") != title_key("Chủ tịch UBND tỉnh")


def _fact(value, kind="score", **kw):
    return NumericFact(text=str(value), start=0, end=1, kind=kind, value=value, **kw)


def test_indicator_values_agree_and_conflict_between_articles():
    f = dict(metric_id="par_index", province_code="74", period="2022")
    arts = [("a", _article([], "2023-05-01", [_fact(87.87, **f), _fact(50.0, **f)])),
            ("b", _article([], "2023-05-02", [_fact(87.87, **f)])),
            ("c", _article([], "2023-05-03", [_fact(86.0, **f)])),
            ("d", _article([], "2023-05-03", [_fact(90.0, target=True, **f)]))]
    values = build_datasets(arts)["indicator_values"]
    (row,) = values.to_dict("records")
    assert row["value"] == 87.87 and row["n_articles"] == 3 and row["status"] == "conflict"
    assert [c["value"] for c in json.loads(row["conflicting_values"])] == [86.0]
    assert row["province_2025_name"] == "Hồ Chí Minh"


def test_ranking_table_facts_take_the_indicator_and_year_of_their_heading():
    text = ("Bảng xếp hạng PCI 2016 1. Đà Nẵng 2. Quảng Ninh 3. Đồng Tháp. "
            "Đà Nẵng đứng thứ nhất với 70 điểm.")
    article = extract(text, published="2017-03-15")
    ranked = [f for f in article.facts if f.kind in ("rank", "score")]
    assert ranked and all(f.metric_id == "pci" for f in ranked)
    assert all(f.period == "2016" for f in ranked)


def _db(tmp_path, name, records):
    from vn_reform_extract.batch import Task
    from vn_reform_extract.outputs import SqliteWriter
    path = tmp_path / name
    w = SqliteWriter(str(path))
    for r in records:
        w.write(Task(text=r["text"], id=r["id"]), extract(r["text"], published=r.get("published")))
    w.close()
    return path


def _tables(path):
    con = sqlite3.connect(path)
    out = {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"'))) for t in DATASET_TABLES}
    con.close()
    return out


def test_incremental_sqlite_build_equals_a_full_build(tmp_path):
    from pathlib import Path
    sample = Path(__file__).resolve().parent.parent / "corpus" / "news_sample.jsonl"
    records = [json.loads(line) for line in sample.read_text(encoding="utf-8").splitlines()[:24]]
    full = _db(tmp_path, "full.sqlite", records)
    counts = update_sqlite(str(full))
    assert counts["articles_read"] == 24
    part = _db(tmp_path, "part.sqlite", records[:10])
    update_sqlite(str(part))
    from vn_reform_extract.batch import Task
    from vn_reform_extract.outputs import SqliteWriter
    w = SqliteWriter(str(part))
    for r in records[10:]:
        w.write(Task(text=r["text"], id=r["id"]), extract(r["text"], published=r.get("published")))
    w.close()
    assert update_sqlite(str(part))["articles_read"] == 14
    assert update_sqlite(str(part))["articles_read"] == 0
    assert _tables(part) == _tables(full)
    rows = build_rows([(r["id"], extract(r["text"], published=r.get("published"))) for r in records])
    assert sum(len(v) for v in _tables(full).values()) == sum(len(rows[t]) for t in DATASET_TABLES)


def test_cli_datasets_needs_an_extract_database(tmp_path):
    from vn_reform_extract.cli import main
    with pytest.raises(SystemExit):
        main(["datasets", str(tmp_path / "missing.sqlite")])


def test_charts_draw(tmp_path):
    matplotlib = pytest.importorskip("matplotlib")
    matplotlib.use("Agg")
    from vn_reform_extract.charts import plot_indicator, plot_official_timeline
    f = dict(metric_id="par_index")
    arts = [(str(i), _article([Official(name="Lê Văn Bình", titles=[t], province_code="74")], d,
                              [_fact(v, province_code=p, period=y, **f)]))
            for i, (t, d, v, p, y) in enumerate([("Phó Chủ tịch UBND tỉnh", "2019-01-01", 80.0, "74", "2019"),
                                                  ("Chủ tịch UBND tỉnh", "2021-01-01", 85.0, "74", "2020"),
                                                  ("Chủ tịch UBND tỉnh", "2022-01-01", 83.0, "40", "2020")])]
    data = build_datasets(arts)
    ax = plot_indicator(data, "par_index", by="province")
    assert [b.get_width() for b in ax.patches] == [85.0, 83.0]
    ax = plot_indicator(data, "par_index", by="year")
    assert len(ax.get_lines()) == 2
    ax = plot_official_timeline(data, "Lê Văn Bình")
    assert len(ax.patches) == 2
    ax.figure.savefig(tmp_path / "t.png")


def test_link_facts_by_bisection_matches_a_scan():
    """Facts find their indicator mention by bisection: the same links as scanning every
    mention (the nearest before the fact in its sentence, else after, else a table heading)."""
    import random
    from vn_reform_extract import indicators as ind

    def scan(found, sents, facts):
        table, out = ind.indicators(), []
        for start, end, kind, metric in facts:
            iid = ind.indicator_of(metric)
            def year_of(h):
                ys = [(abs(f[0] - start), f[3]) for f in found if f[2] == h and f[3]]
                return min(ys)[1] if ys else None
            if iid and kind in table[iid].kinds:
                out.append((iid, year_of(iid)))
                continue
            s0, s1 = ind._sentence_of(sorted(sents), start)
            fits = [f for f in found if kind in table[f[2]].kinds]
            before = [f for f in fits if s0 <= f[0] and f[1] <= start]
            after = [f for f in fits if end <= f[0] and f[1] <= s1]
            hit = before[-1] if before else (after[0] if after else None)
            if hit is None and kind in ("rank", "score"):
                near = [f for f in fits if start - 700 <= f[0] and f[1] <= start]
                hit = near[-1] if near else (fits[0] if len({f[2] for f in fits}) == 1 else None)
            out.append(None if hit is None else (hit[2], hit[3] or year_of(hit[2])))
        return out

    rng = random.Random(7)
    ids = ["pci", "par_index", "sipas", "on_time_rate"]
    ids = [i for i in ids if i in ind.indicators()] or list(ind.indicators())[:3]
    for _ in range(200):
        pos, found = 0, []
        for _ in range(rng.randint(1, 8)):
            pos += rng.randint(0, 400)
            found.append((pos, pos + 5, rng.choice(ids), rng.choice([None, "2016", "2022"])))
            pos += 5
        sents = [(a, a + 300) for a in range(0, pos + 1000, 300)]
        facts = [(p, p + 3, rng.choice(["rank", "score", "percent", "count"]), rng.choice([None, "PCI", "Chỉ số PAPI"]))
                 for p in sorted(rng.sample(range(0, pos + 800), 6))]
        assert ind.link_facts(found, sents, facts) == scan(found, sents, facts)
