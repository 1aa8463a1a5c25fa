import json
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORPUS = ROOT / "corpus"


def corpus_ids() -> list[str]:
    return sorted(p.stem for p in (CORPUS / "gold").glob("*.json"))


@pytest.fixture(scope="session")
def corpus_meta() -> dict:
    return {m["id"]: m for m in map(json.loads, (CORPUS / "meta.jsonl").read_text(encoding="utf-8").splitlines())}
