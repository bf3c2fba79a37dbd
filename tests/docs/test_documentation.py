"""The documentation describes what exists: its examples run, its tables are complete."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from openchance.config import ENV_PREFIX, Settings

ROOT = Path(__file__).resolve().parents[2]


def _python_blocks(markdown: str) -> list[str]:
    return re.findall(r"```python\n(.*?)```", markdown, flags=re.DOTALL)


class TestLibraryPage:
    def test_the_complete_example_runs_and_prints_what_the_page_says(self, tmp_path: Path) -> None:
        page = (ROOT / "docs" / "library.md").read_text()
        program = "\n\n".join(_python_blocks(page))
        (tmp_path / "example.py").write_text(program)

        result = subprocess.run(
            [sys.executable, "example.py"],
            cwd=tmp_path,
            capture_output=True,
            text=True,
            timeout=60,
            env={"PATH": "/usr/bin:/bin"},
        )

        assert result.returncode == 0, result.stderr
        assert "greeted: ['Ada'] succeeded: 1" in result.stdout
        assert "greeted: ['Ada'] succeeded: 1" in page


class TestConfigurationReference:
    def test_every_setting_is_documented(self) -> None:
        page = (ROOT / "docs" / "configuration.md").read_text()

        missing = [
            f"{ENV_PREFIX}{name.upper()}"
            for name in Settings.model_fields
            if f"`{ENV_PREFIX}{name.upper()}`" not in page
        ]

        assert missing == []

    def test_the_readme_gives_the_two_commands(self) -> None:
        readme = (ROOT / "README.md").read_text()

        assert "openchance serve --demo" in readme
        assert "nox" in readme
