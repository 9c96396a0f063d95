"""The page schema: ms-date format, user schemas, no network, and the wheel carries the default."""

from __future__ import annotations

import json
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from playbooklint.config import ConfigError
from playbooklint.schema import FORMAT_CHECKER, bundled_schema_text, load_validator

ROOT = Path(__file__).resolve().parents[1]


@pytest.mark.parametrize("value", ["2/18/2019", "02/18/2019", "12/31/1999", "2/29/2020"])
def test_valid_ms_dates(value):
    assert FORMAT_CHECKER.conforms(value, "ms-date")


@pytest.mark.parametrize("value", ["13/45/2019", "2/30/2019", "2/29/2019", "2019-02-18", "2/18/19", " 2/18/2019", "0/1/2020"])
def test_invalid_ms_dates(value):
    assert not FORMAT_CHECKER.conforms(value, "ms-date")


def test_bundled_schema_requires_the_seed_metadata():
    schema = json.loads(bundled_schema_text())
    assert schema["required"] == ["title", "description", "author", "ms.author", "ms.date", "ms.topic",
                                  "ft.audience", "ft.owner"]
    assert load_validator(None).schema == schema


def test_checkout_schema_and_bundled_schema_are_the_same_file():
    assert bundled_schema_text() == (ROOT / "schemas" / "playbook-page.schema.json").read_text(encoding="utf-8")


def test_user_schema_with_local_ref(tmp_path: Path):
    (tmp_path / "defs.json").write_text(json.dumps({"$defs": {"d": {"type": "string", "format": "ms-date"}}}))
    (tmp_path / "s.json").write_text(json.dumps({
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "type": "object", "properties": {"ms.date": {"$ref": "defs.json#/$defs/d"}},
    }))
    validator = load_validator(tmp_path / "s.json")
    assert not validator.is_valid({"ms.date": "2/30/2019"})
    assert validator.is_valid({"ms.date": "2/28/2019"})


@pytest.mark.parametrize(("content", "message"), [
    ("{not json", "not valid JSON"),
    ('{"type": "objekt"}', "not a valid JSON Schema"),
    ('{"$ref": "https://example.com/remote.json"}', "remote \\$ref are never fetched"),
    ("[1, 2]", "must be a JSON object"),
])
def test_unusable_schema_is_a_config_error(tmp_path: Path, content: str, message: str):
    (tmp_path / "s.json").write_text(content)
    with pytest.raises(ConfigError, match=message):
        load_validator(tmp_path / "s.json")


def test_missing_schema_file_is_a_config_error(tmp_path: Path):
    with pytest.raises(ConfigError, match="cannot read schema"):
        load_validator(tmp_path / "nope.json")


def test_schema_loads_from_an_installed_wheel(tmp_path: Path):
    """Build the wheel, install it into an isolated folder, and load the schema from there only."""
    built = subprocess.run(
        [sys.executable, "-m", "pip", "wheel", str(ROOT), "--no-deps", "--no-build-isolation", "-w", str(tmp_path / "dist"), "-q"],
        capture_output=True, text=True,
    )
    assert built.returncode == 0, built.stderr
    wheel = next((tmp_path / "dist").glob("playbooklint-*.whl"))
    with zipfile.ZipFile(wheel) as archive:
        assert "playbooklint/schemas/playbook-page.schema.json" in archive.namelist()
        assert "playbooklint/reporters/templates/report.html.j2" in archive.namelist()  # the HTML report
        archive.extractall(tmp_path / "site")
    code = (
        "import sys; sys.path.insert(0, r'%s');"
        "import playbooklint.schema as s, pathlib, json;"
        "assert pathlib.Path(s.__file__).is_relative_to(pathlib.Path(sys.path[0])), s.__file__;"
        "print(json.loads(s.bundled_schema_text())['required'][0])" % (tmp_path / "site")
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "title"


def test_page_validator_fast_path_reports_what_the_full_validation_reports():
    from playbooklint.schema import PageValidator

    full = load_validator(None)
    fast = PageValidator(full)
    assert fast.simple
    instances = [
        {"title": 3, "ms.date": "2/30/2019", "ft.audience": "everyone", "author": "a b"},
        {"title": "T", "ms.date": "2/18/2019"},
        {"title": "T", "ms.date": "2/30/2019", "ms.custom": ["a", 1]},
        {},
    ]
    for instance in instances * 2:  # the second round comes from the memo
        def key(error):
            return (list(error.absolute_path), error.validator, error.message)
        assert sorted(map(key, fast.iter_errors(instance))) == sorted(map(key, full.iter_errors(instance)))
