"""Baseline for officials: underthesea's NER persons (PER entities) as officials with no titles.

    .venv/bin/python bench/ner_baseline.py [corpus/gold]

Prints the evaluation table of ``vn_reform_extract.evaluate`` for this baseline, then,
for comparison, the rules-only and rules+NER extractor (officials row).
"""
from __future__ import annotations

import os
import sys
import time
from pathlib import Path

from underthesea import ner

from vn_reform_extract.document import Document
from vn_reform_extract.evaluate import evaluate, format_table
from vn_reform_extract.ner import entities


def ner_persons_article(text: str, published=None) -> dict:
    """An Article-shaped dict whose officials are underthesea's PER entities."""
    doc = Document.from_text(text)
    seen, officials = set(), []
    for s, e in doc.sentences:
        for ps, pe, kind in entities(doc.text, s, e):
            if kind != "PER":
                continue
            name = " ".join(doc.text[ps:pe].split())
            if name.lower() not in seen:
                seen.add(name.lower())
                officials.append({"name": name, "titles": []})
    return {"published": published, "provinces": [], "agencies": [], "officials": officials,
            "dates": [], "facts": [], "legal_refs": []}


def main() -> None:
    gold = Path(sys.argv[1] if len(sys.argv) > 1 else "corpus/gold")
    ner("khởi động")  # load the model outside the timing
    t = time.perf_counter()
    res = evaluate(gold, extractor=ner_persons_article)
    print(f"underthesea.ner PER baseline ({time.perf_counter() - t:.1f}s)")
    print(format_table(res))
    from vn_reform_extract import officials as off
    for flag in ("0", "1"):
        os.environ["VNRE_OFFICIALS_NER"] = flag
        t = time.perf_counter()
        f = evaluate(gold)["fields"]["officials"]
        label = "rules+NER" if flag == "1" else "rules only"
        print(f"{label:<11} officials P {f['p']:.3f} R {f['r']:.3f} F1 {f['f1']:.3f} "
              f"tp {f['tp']} fp {f['fp']} fn {f['fn']} title accuracy {f.get('title accuracy', 1.0):.3f}"
              f"  ({time.perf_counter() - t:.1f}s)")
    del off


if __name__ == "__main__":
    main()
