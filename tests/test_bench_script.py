"""Smoke test for bench/run.py: it runs end to end and writes the documented JSON.

No timing thresholds are asserted (the targets are judged by the script itself).
"""
import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "run.py"

MODES = ["startup", "single", "workers2", "ner", "stages", "scaling"]
TARGET_KEYS = {"single_chars_per_s", "ner_ratio", "workers2_speedup", "peak_rss_mb",
               "startup_first_article_s", "scaling_16x_ratio"}


def test_bench_quick_writes_expected_json(tmp_path):
    out = tmp_path / "bench.json"
    proc = subprocess.run(
        [sys.executable, str(SCRIPT), "--quick", "--limit", "20", "--ner-subset", "2", "--out", str(out)],
        cwd=str(ROOT), capture_output=True, text=True, timeout=180,
    )
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert "Targets" in proc.stdout
    data = json.loads(out.read_text(encoding="utf-8"))

    for key in ["format", "timestamp", "options", "environment", "corpus", "targets",
                "all_targets_pass", "failed_modes", *MODES]:
        assert key in data, key
    assert data["failed_modes"] == [], {m: data[m].get("error") for m in data["failed_modes"]}
    assert data["options"] == {"limit": 20, "quick": True, "ner_subset": 2, "skip": []}
    assert data["corpus"]["articles"] == 20
    assert data["corpus"]["chars"] > 0 and data["corpus"]["utf8_bytes"] >= data["corpus"]["chars"]

    for key in ["import_s", "first_article_s", "runs"]:
        assert key in data["startup"], key
    for mode in ["single", "workers2"]:
        for key in ["seconds", "chars_per_s", "articles_per_s", "mb_per_s", "peak_rss_mb", "errors"]:
            assert key in data[mode], (mode, key)
    assert "how" in data["workers2"]
    assert data["workers2"]["results"] == 20
    for key in ["articles", "ours_chars_per_s", "ratio"]:
        assert key in data["ner"], key
    assert data["ner"]["articles"] == 2

    stages = [s["stage"] for s in data["stages"]["stages"]]
    assert stages[0] == "Document.from_text"
    assert {"provinces.extract", "agencies.extract", "officials.extract", "dates.extract",
            "legal_refs.extract", "facts.extract", "dates.find_published"} <= set(stages)
    for s in data["stages"]["stages"]:
        assert {"seconds", "calls", "errors", "note"} <= set(s)

    assert [r["copies"] for r in data["scaling"]["rows"]] == [1, 4, 16]
    assert "ratio_16x" in data["scaling"]

    assert {t["key"] for t in data["targets"]} == TARGET_KEYS
    for t in data["targets"]:
        assert {"value", "threshold", "op", "unit", "pass"} <= set(t)
        assert t["pass"] in (True, False, None)


def test_bench_help():
    proc = subprocess.run([sys.executable, str(SCRIPT), "--help"], cwd=str(ROOT),
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0
    for opt in ["--limit", "--quick", "--out", "--ner-subset"]:
        assert opt in proc.stdout
