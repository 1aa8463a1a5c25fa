"""Every output field is documented twice and the same way: a description in the JSON
Schema (``vnre schema``, from schema.py) and a row in docs/SCHEMA.md under its model."""
from __future__ import annotations

import json
import re
from pathlib import Path

from vn_reform_extract.cli import main

DOC = Path(__file__).resolve().parents[1] / "docs" / "SCHEMA.md"


def _schema(capsys) -> dict:
    assert main(["schema"]) == 0
    return json.loads(capsys.readouterr().out)


def _models(schema: dict) -> dict[str, dict]:
    return {"Article": schema, **schema.get("$defs", {})}


def test_vnre_schema_describes_every_field(capsys):
    missing = [f"{model}.{name}" for model, d in _models(_schema(capsys)).items() if "properties" in d
               for name, prop in d["properties"].items() if not (prop.get("description") or "").strip()]
    assert missing == []


def test_docs_schema_md_documents_every_field(capsys):
    doc = DOC.read_text(encoding="utf-8")
    sections = dict(re.findall(r"^## (\w+)\n(.*?)(?=^## |\Z)", doc, flags=re.M | re.S))
    missing = []
    for model, d in _models(_schema(capsys)).items():
        if "properties" not in d:
            continue
        body = sections.get(model)
        if body is None:
            missing.append(f"section ## {model}")
            continue
        missing += [f"{model}.{name}" for name in d["properties"] if f"`{name}`" not in body]
    assert missing == []


def test_no_dangling_schema_md_references():
    root = DOC.parents[1]
    for rel in ("README.md", "corpus/GOLD.md", "vn_reform_extract/schema.py"):
        text = (root / rel).read_text(encoding="utf-8")
        for m in re.finditer(r"[\w./]*SCHEMA\.md", text):
            assert ((root / rel).parent / m.group()).exists() or (root / m.group()).exists(), (rel, m.group())
