"""An installed wheel works away from the source tree: the wheel carries patterns/ and
gazetteers/ (setup.py copies them into vn_reform_extract/data/), and both the library and
the ``vnre`` command extract from a folder that has no checkout around it.

The fresh venv has no pip and no dependencies of its own: a .pth line points it at this
test run's site-packages for the dependencies (a plain path line does not run the
editable-install hook found there), and pip installs only the wheel into it.
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import sysconfig
import zipfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCE = ["pyproject.toml", "setup.py", "MANIFEST.in", "README.md", "vn_reform_extract", "patterns", "gazetteers"]


def _setuptools_ok() -> bool:
    try:
        import setuptools
    except ImportError:
        return False
    major, minor = (int(x) for x in setuptools.__version__.split(".")[:2])
    return (major, minor) >= (70, 1)


def _run(cmd, cwd, **kw):
    env = {k: v for k, v in os.environ.items() if not k.startswith(("VNRE_", "PYTHONPATH"))}
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=300, env=env, **kw)


@pytest.fixture(scope="module")
def installed(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("wheel")
    src = tmp / "src"
    src.mkdir()
    for name in SOURCE:  # build from a copy: an in-tree build would leave build/ in the checkout
        p = ROOT / name
        if p.is_dir():
            shutil.copytree(p, src / name, ignore=shutil.ignore_patterns("__pycache__", "*.pyc", "*.egg-info"))
        else:
            shutil.copy2(p, src / name)
    build = [sys.executable, "-m", "pip", "wheel", str(src), "--no-deps", "-q", "-w", str(tmp / "dist")]
    if _setuptools_ok():
        build.append("--no-build-isolation")
    r = _run(build, tmp)
    assert r.returncode == 0, r.stderr
    (wheel,) = (tmp / "dist").glob("vn_reform_extract-*.whl")

    venv = tmp / "venv"
    r = _run([sys.executable, "-m", "venv", "--without-pip", str(venv)], tmp)
    assert r.returncode == 0, r.stderr
    py = venv / ("Scripts/python.exe" if os.name == "nt" else "bin/python")
    purelib = _run([str(py), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"], tmp).stdout.strip()
    deps = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    Path(purelib, "_vnre_test_deps.pth").write_text("\n".join(sorted(deps)) + "\n")
    r = _run([sys.executable, "-m", "pip", "--python", str(py), "install", "--no-deps", "--no-index", "-q",
              str(wheel)], tmp)
    assert r.returncode == 0, r.stderr
    away = tmp / "elsewhere"
    away.mkdir()
    return {"wheel": wheel, "python": py, "vnre": py.parent / "vnre", "cwd": away}


def test_wheel_carries_the_data(installed):
    names = zipfile.ZipFile(installed["wheel"]).namelist()
    for p in (ROOT / "patterns").rglob("*.yaml"):
        assert f"vn_reform_extract/data/patterns/{p.relative_to(ROOT / 'patterns').as_posix()}" in names
    for p in (ROOT / "gazetteers").glob("*.csv"):
        assert f"vn_reform_extract/data/gazetteers/{p.name}" in names
    assert "vn_reform_extract/data/gazetteers/MANIFEST.json" in names
    assert not any(n.endswith("build.py") for n in names)
    root = ROOT / "vn_reform_extract"
    for f in root.rglob("*"):  # every module of every subpackage, and their files (web templates ...)
        if f.is_file() and "__pycache__" not in f.parts and f.suffix != ".pyc":
            assert f"vn_reform_extract/{f.relative_to(root).as_posix()}" in names


def test_installed_library_extracts_outside_the_tree(installed):
    code = ("import json, vn_reform_extract as v\n"
            "from vn_reform_extract.patterns import data_dir\n"
            "a = v.extract('UBND tỉnh Bình Dương ngày 2/11/2022 đạt 87,87% theo Nghị quyết 76/NQ-CP.')\n"
            "print(json.dumps({'file': v.__file__, 'data': str(data_dir('patterns')),\n"
            "                  'provinces': [p.code for p in a.provinces], 'facts': len(a.facts)}))\n")
    r = _run([str(installed["python"]), "-c", code], installed["cwd"])
    assert r.returncode == 0, r.stderr
    got = json.loads(r.stdout)
    venv = str(installed["python"].parent.parent)
    assert got["file"].startswith(venv) and got["data"].startswith(venv), got  # not the checkout
    assert got["provinces"] == ["74"] and got["facts"] == 1


def test_installed_vnre_extract(installed):
    cwd = installed["cwd"]
    (cwd / "in.jsonl").write_text(json.dumps({"id": "a", "text": "UBND tỉnh Bình Dương đạt 87,87%."},
                                             ensure_ascii=False) + "\n", encoding="utf-8")
    r = _run([str(installed["vnre"]), "extract", "in.jsonl", "--out", "out.jsonl"], cwd)
    assert r.returncode == 0, r.stderr
    (rec,) = [json.loads(ln) for ln in (cwd / "out.jsonl").read_text(encoding="utf-8").splitlines()]
    assert rec["article"]["provinces"][0]["code"] == "74"
    # every input failing is a failed run
    r = _run([str(installed["vnre"]), "extract", "in.jsonl", "--max-chars", "3", "--out", "bad.jsonl"], cwd)
    assert r.returncode != 0 and "every input failed" in r.stderr
