"""The README's usage example runs as written (the README must stay true)."""
import pathlib
import re

import pytest

README = pathlib.Path(__file__).resolve().parents[1] / "README.md"


def test_readme_usage_example_runs():
    if not README.exists():
        pytest.skip("README.md not beside the tests (installed tests only)")
    blocks = re.findall(r"```python\n(.*?)```", README.read_text(), re.S)
    assert blocks, "README has no python example"
    exec(compile(blocks[0], str(README), "exec"), {})


def test_readme_opens_with_the_two_setup_commands():
    if not README.exists():
        pytest.skip("README.md not beside the tests")
    commands = re.findall(r"```bash\n(.*?)```", README.read_text(), re.S)
    assert commands[0].strip() == "pip install . && fastcode demo"
    assert commands[1].strip() == "pip install '.[test]' && pytest -q tests"
