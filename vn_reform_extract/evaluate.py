"""Score ``extract`` against gold files in the corpus/GOLD.md format."""
from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Optional

from rapidfuzz import fuzz

from .textnorm import key

ABBREVIATIONS = {
    "ubnd": "ủy ban nhân dân", "hđnd": "hội đồng nhân dân", "tp.": "thành phố", "tp": "thành phố",
    "mttq": "mặt trận tổ quốc", "cchc": "cải cách hành chính", "tthc": "thủ tục hành chính",
}
FUZZY = 90


def name_key(text: str) -> str:
    words = key(text).replace(" - ", " ").replace("-", " ").split()
    return " ".join(ABBREVIATIONS.get(w, w) for w in words)


def _fuzzy_equal(a: str, b: str) -> bool:
    ka, kb = name_key(a), name_key(b)
    return ka == kb or fuzz.ratio(ka, kb) >= FUZZY


@dataclass
class Counts:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    extra: dict[str, list[int]] = field(default_factory=dict)  # name -> [correct, total]

    @property
    def p(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def r(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.p, self.r
        return 2 * p * r / (p + r) if p + r else 0.0

    def add_extra(self, name: str, ok: bool) -> None:
        c = self.extra.setdefault(name, [0, 0])
        c[0] += int(ok)
        c[1] += 1


def match(pred: list[Any], gold: list[Any], same: Callable[[Any, Any], bool]) -> list[tuple[Any, Any]]:
    """Greedy one-to-one matching; returns matched (pred, gold) pairs."""
    pairs, used = [], set()
    for g in gold:
        for i, p in enumerate(pred):
            if i not in used and same(p, g):
                used.add(i)
                pairs.append((p, g))
                break
    return pairs


def _score_set(c: Counts, pred: Iterable[Any], gold: Iterable[Any], same: Callable[[Any, Any], bool]) -> list[tuple[Any, Any]]:
    pred, gold = _unique(pred, same), _unique(gold, same)
    pairs = match(pred, gold, same)
    c.tp += len(pairs)
    c.fp += len(pred) - len(pairs)
    c.fn += len(gold) - len(pairs)
    return pairs


def _unique(items: Iterable[Any], same: Callable[[Any, Any], bool]) -> list[Any]:
    out: list[Any] = []
    for it in items:
        if not any(same(it, o) for o in out):
            out.append(it)
    return out


def _close(a: Optional[float], b: Optional[float]) -> bool:
    if a is None or b is None:
        return a is None and b is None
    return abs(float(a) - float(b)) <= 1e-6 * max(1.0, abs(float(b)))


def _fact_same(p: dict, g: dict) -> bool:
    return p["kind"] == g["kind"] and _close(p["value"], g["value"]) and _close(p.get("out_of"), g.get("out_of"))


def _titles_ok(pred: list[str], gold: list[str]) -> bool:
    return all(any(_fuzzy_equal(p, g) for p in pred) for g in gold) and \
        all(any(_fuzzy_equal(p, g) for g in gold) for p in pred)


FIELDS = ("provinces", "agencies", "officials", "dates", "facts", "legal_refs")


def score_article(article: dict, gold: dict, counts: dict[str, Counts]) -> None:
    c = counts
    _score_set(c["provinces"], [m["name"] for m in article["provinces"]], gold.get("provinces", []), lambda a, b: key(a) == key(b))
    _score_set(c["agencies"], [m["name"] for m in article["agencies"]], gold.get("agencies", []), _fuzzy_equal)
    pairs = _score_set(c["officials"], article["officials"], gold.get("officials", []),
                       lambda p, g: key(p["name"]) == key(g["name"]))
    for p, g in pairs:
        c["officials"].add_extra("title accuracy", _titles_ok(p.get("titles", []), g.get("titles", [])))
    _score_set(c["dates"], [d["value"] for d in article["dates"]], gold.get("dates", []), lambda a, b: a == b)
    gold_facts = gold.get("facts", [])
    pairs = match(article["facts"], gold_facts, _fact_same)
    c["facts"].tp += len(pairs)
    c["facts"].fp += len(article["facts"]) - len(pairs)
    c["facts"].fn += len(gold_facts) - len(pairs)
    for p, g in pairs:
        c["facts"].add_extra("unit accuracy", (p.get("unit") or None) == (g.get("unit") or None)
                             or bool(p.get("unit") and g.get("unit") and _fuzzy_equal(p["unit"], g["unit"])))
        c["facts"].add_extra("target accuracy", bool(p.get("target")) == bool(g.get("target")))
    _score_set(c["legal_refs"], [r["number"] for r in article["legal_refs"] if r.get("number")],
               [r["number"] for r in gold.get("legal_refs", []) if r.get("number")], lambda a, b: key(a) == key(b))


def _locality_key(item: Any) -> str:
    """A gold locality is "phường Bến Thành" or {"kind": "phường", "name": "Bến Thành", ...}."""
    return key(item if isinstance(item, str) else f"{item['kind']} {item['name']}")


def score_localities(article: dict, gold: dict, counts: dict[str, Counts]) -> None:
    """Scored only for gold files that list localities (the dev gold does not): the distinct
    "kind name" pairs, and for matched ones given with a province, whether it agrees."""
    c = counts.setdefault("localities", Counts())
    pairs = _score_set(c, article.get("localities", []), gold["localities"],
                       lambda p, g: _locality_key(p) == _locality_key(g))
    for p, g in pairs:
        for k in ("province_code", "merged_2025_province_code"):
            if isinstance(g, dict) and k in g:
                c.add_extra(k.replace("_code", "") + " accuracy", p.get(k) == g[k])


def load_corpus_meta(corpus_dir: Path) -> dict[str, dict]:
    meta_path = corpus_dir / "meta.jsonl"
    if not meta_path.exists():
        return {}
    return {m["id"]: m for m in map(json.loads, meta_path.read_text(encoding="utf-8").splitlines()) if m}


def find_corpus_dir(gold_dir: Path) -> Path:
    for d in (gold_dir, *gold_dir.resolve().parents):
        if (d / "texts").is_dir():
            return d
    return Path("corpus")


def evaluate(gold_dir: str | Path, extractor: Optional[Callable[..., dict]] = None,
             corpus_dir: Optional[Path] = None, ids: Optional[set[str]] = None) -> dict[str, Any]:
    """Return {"fields": {name: {p, r, f1, tp, fp, fn, extra...}}, "published": acc, "mean_f1": x}."""
    from . import extract
    gold_dir = Path(gold_dir)
    corpus_dir = corpus_dir or find_corpus_dir(gold_dir)
    meta = load_corpus_meta(corpus_dir)
    counts = {f: Counts() for f in FIELDS}
    pub_ok = pub_n = 0
    files = sorted(p for p in gold_dir.glob("*.json") if ids is None or p.stem in ids)
    if not files:
        raise FileNotFoundError(f"no gold files (*.json) in {gold_dir}")
    for path in files:
        try:
            gold = json.loads(path.read_text(encoding="utf-8"))
        except ValueError as exc:
            raise ValueError(f"gold file {path} is not valid JSON: {exc}") from exc
        gid = gold.get("id") or path.stem
        text_path = corpus_dir / "texts" / f"{gid}.txt"
        if not text_path.is_file():
            raise FileNotFoundError(f"gold file {path} has no text file {text_path}")
        text = text_path.read_text(encoding="utf-8")
        published = meta.get(gid, {}).get("published")
        if extractor is None:
            article = extract(text, published=published).model_dump(mode="json")
        else:
            article = extractor(text, published=published)
        score_article(article, gold, counts)
        if "localities" in gold:
            score_localities(article, gold, counts)
        if "published" in gold:
            pub_n += 1
            pub_ok += article.get("published") == gold["published"]
    fields = {}
    for name, c in counts.items():
        fields[name] = {"p": c.p, "r": c.r, "f1": c.f1, "tp": c.tp, "fp": c.fp, "fn": c.fn,
                        **{k: v[0] / v[1] if v[1] else 1.0 for k, v in c.extra.items()}}
    mean = sum(f["f1"] for f in fields.values()) / len(fields)
    return {"articles": len(files), "fields": fields,
            "published_accuracy": pub_ok / pub_n if pub_n else 1.0, "mean_f1": mean}


def format_table(result: dict[str, Any]) -> str:
    lines = [f"{'field':<12} {'P':>6} {'R':>6} {'F1':>6} {'tp':>5} {'fp':>5} {'fn':>5}  other"]
    for name, f in result["fields"].items():
        other = "  ".join(f"{k} {v:.3f}" for k, v in f.items() if k not in {"p", "r", "f1", "tp", "fp", "fn"})
        lines.append(f"{name:<12} {f['p']:6.3f} {f['r']:6.3f} {f['f1']:6.3f} {f['tp']:5d} {f['fp']:5d} {f['fn']:5d}  {other}")
    lines.append(f"{'published':<12} accuracy {result['published_accuracy']:.3f}")
    lines.append(f"{'mean F1':<12} {result['mean_f1']:.3f}   ({result['articles']} articles)")
    return "\n".join(lines)
