"""Dask on a real distributed LocalCluster (2 processes) gives what extract_many gives."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

dask = pytest.importorskip("dask")
distributed = pytest.importorskip("distributed")
pd = pytest.importorskip("pandas")

from vn_reform_extract import extract_many, to_frames  # noqa: E402
from vn_reform_extract.dask_integration import extract_bag, extract_frames  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]


def records(n: int = 40) -> list[dict]:
    with open(ROOT / "corpus" / "news_sample.jsonl", encoding="utf-8") as fh:
        recs = [json.loads(ln) for _, ln in zip(range(n), fh)]
    recs.append({"id": "null", "text": None, "published": None})
    recs.append({"id": "empty", "text": "", "published": None})
    return recs


def as_json(r):
    d = r.model_dump(mode="json")
    d.pop("position", None)  # errors: dask knows no global position
    return d


def plain(df):
    """Same values whatever string dtype dask chose (pyarrow strings vs object)."""
    df = df.reset_index(drop=True).astype(object)
    return df.where(df.notna(), None)


@pytest.fixture(scope="module")
def client():
    from distributed import Client, LocalCluster
    cluster = LocalCluster(n_workers=2, processes=True, threads_per_worker=1, dashboard_address=":0",
                           silence_logs=40)
    c = Client(cluster)
    try:
        yield c
    finally:
        c.close()
        cluster.close()


def expected(recs):
    items = [(r["text"], {"id": r["id"], "published": r["published"]}) for r in recs]
    return [res for res, _ in extract_many(items, as_tuples=True)]


def test_bag_on_cluster_matches_extract_many(client):
    import dask.bag as db
    recs = records()
    bag = db.from_sequence(recs, npartitions=4)
    got = extract_bag(bag).compute()
    exp = expected(recs)
    assert len(got) == len(recs)
    assert [type(g).__name__ for g in got] == [type(e).__name__ for e in exp]
    assert [as_json(g) for g in got] == [as_json(e) for e in exp]
    # it really ran on both workers' processes
    assert len(client.scheduler_info()["workers"]) == 2


def test_dataframe_on_cluster_matches_to_frames(client):
    import dask.dataframe as dd
    recs = records()
    pdf = pd.DataFrame(recs)
    tables = extract_frames(dd.from_pandas(pdf, npartitions=3))
    computed = dict(zip(tables, dask.compute(*tables.values())))
    from vn_reform_extract.dask_integration import _json_lists
    exp = _json_lists(to_frames(list(zip(expected(recs), ({"id": r["id"]} for r in recs)))))
    assert set(computed) == set(exp)
    for name, df in computed.items():
        e = exp[name]
        assert list(df.columns) == list(e.columns), name
        if name == "errors":
            df, e = df.drop(columns="position"), e.drop(columns="position")
        pd.testing.assert_frame_equal(plain(df), plain(e), check_dtype=False, obj=name)


def test_bag_of_plain_texts_json_output(client):
    import dask.bag as db
    texts = ["Hà Nội.", "", "TP.HCM."]
    got = extract_bag(db.from_sequence(texts, npartitions=2), as_json=True).compute()
    assert [g["article"] for g in got] == [as_json(a) for a in extract_many(texts)]
