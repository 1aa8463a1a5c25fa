"""Build hook: the wheel carries the rule and gazetteer data.

The repository keeps one copy of the data, in the top-level ``patterns/`` and
``gazetteers/`` folders. Building a wheel copies them into the package as
``vn_reform_extract/data/patterns`` and ``vn_reform_extract/data/gazetteers``
(without the build script), where ``patterns.data_dir`` finds them once installed.
Editable installs and a source checkout read the top-level folders directly.
"""
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
DATA_DIRS = ("patterns", "gazetteers")


def _skip(_dir, names):
    return [n for n in names if n.endswith((".py", ".pyc")) or n == "__pycache__" or n.startswith(".")]


class build_py_with_data(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads the folders of the checkout
        for name in DATA_DIRS:
            src = ROOT / name
            if not src.is_dir():
                raise FileNotFoundError(f"{src} is missing: the wheel would have no {name} data")
            dst = Path(self.build_lib) / "vn_reform_extract" / "data" / name
            if dst.exists():
                shutil.rmtree(dst)
            shutil.copytree(src, dst, ignore=_skip)


setup(cmdclass={"build_py": build_py_with_data})
