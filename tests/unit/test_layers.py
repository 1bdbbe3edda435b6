"""The layer table of ARCHITECTURE.md, enforced by the import-linter contracts in pyproject.toml."""

import os
import shutil
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).parents[2]


def lint_imports(root: Path) -> subprocess.CompletedProcess[str]:
    """Run `lint-imports` (as `make lint` does) on the project at ``root``."""
    return subprocess.run(
        [Path(sys.executable).with_name("lint-imports"), "--no-cache", "--no-logo"],
        cwd=root,
        env={**os.environ, "PYTHONPATH": str(root)},
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_every_contract_is_kept() -> None:
    result = lint_imports(ROOT)
    assert result.returncode == 0, result.stdout + result.stderr


@pytest.mark.parametrize(
    ("added_imports", "broken"),
    [
        (
            {"devices/base.py": "import PySide6"},
            "devices never imports Qt, kiosk, ui or offline_cache",
        ),
        (  # indirect: each import alone is allowed, the chain is not
            {
                "sandbox/__init__.py": "import devices.idcard.idnumber",
                "devices/idcard/idnumber.py": "import devices.printers.escpos",
            },
            "sandbox never imports Qt, ui or device drivers",
        ),
        (
            {"kiosk/runtime.py": "import fleet.repository"},
            "The product never imports fleet (the operators' tool, not shipped)",
        ),
        (  # fleet may use kiosk.contract, not what reaches the devices
            {"fleet/status.py": "import kiosk.session"},
            "fleet never imports Qt, ui, devices or sandbox",
        ),
    ],
)
def test_a_forbidden_import_breaks_its_contract(
    tmp_path: Path, added_imports: dict[str, str], broken: str
) -> None:
    config = ROOT / "pyproject.toml"
    shutil.copy(config, tmp_path)
    for package in tomllib.loads(config.read_text())["tool"]["importlinter"]["root_packages"]:
        shutil.copytree(
            ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__")
        )
    for module, line in added_imports.items():
        with (tmp_path / module).open("a", encoding="utf-8") as source:
            source.write(f"\n{line}\n")

    result = lint_imports(tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    assert f"{broken} BROKEN" in result.stdout
