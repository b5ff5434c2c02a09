"""Every test docs/reliability.md cites as a proof exists: its file, and each ``::test_name`` in it."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOC = ROOT / "docs" / "reliability.md"
# `tests/security/test_x.py`, `test_x.py`, `test_x.py::test_y`, `::test_y` (same file as the last one named)
CITATION = re.compile(r"`((?:tests/[\w/]+/)?test_\w+\.py)?((?:::test_\w+)?)`")


def find(name: str) -> Path:
    """A test module by its path, or by its file name under tests/reliability or tests/security."""
    if "/" in name:
        return ROOT / name
    found = [p for d in ("reliability", "security") for p in (ROOT / "tests" / d).glob(name)]
    assert len(found) == 1, f"{name} names {len(found)} test modules"
    return found[0]


def citations() -> list[tuple[str, str]]:
    """(module, test function or "") for every citation, in the doc's order."""
    cited: list[tuple[str, str]] = []
    module = ""
    for match in CITATION.finditer(DOC.read_text()):
        named, function = match.group(1), match.group(2).removeprefix("::")
        if not named and not function:
            continue
        module = named or module
        cited.append((module, function))
    return cited


def test_the_doc_cites_tests() -> None:
    assert len(citations()) >= 12


def test_every_cited_test_module_and_function_exists() -> None:
    missing = []
    for module, function in citations():
        path = find(module)
        if not path.exists():
            missing.append(module)
        elif function and not re.search(rf"^(async )?def {function}\(", path.read_text(), re.MULTILINE):
            missing.append(f"{module}::{function}")
    assert not missing, f"docs/reliability.md cites tests that do not exist: {missing}"
