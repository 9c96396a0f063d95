"""Config discovery, validation and errors (exit code 2 with the key's name)."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from conftest import write_tree
from playbooklint.cli import cli, main
from playbooklint.config import ConfigError, find_config_file, load_config


def test_discovery_walks_up_and_prefers_playbooklint_toml(tmp_path: Path):
    write_tree(tmp_path, {
        "pyproject.toml": "[tool.playbooklint]\nindex = 'home.md'\n",
        "docs/sub/page.md": "",
        "other/pyproject.toml": "[project]\nname = 'x'\n",
        "other/page.md": "",
    })
    assert find_config_file(tmp_path / "docs" / "sub" / "page.md") == tmp_path / "pyproject.toml"
    # a pyproject.toml without [tool.playbooklint] is skipped
    assert find_config_file(tmp_path / "other" / "page.md") == tmp_path / "pyproject.toml"
    (tmp_path / "docs" / ".playbooklint.toml").write_text("index = 'start.md'\n")
    found = find_config_file(tmp_path / "docs" / "sub")
    assert found == tmp_path / "docs" / ".playbooklint.toml"
    assert load_config(found).index == "start.md"


def test_paths_are_relative_to_the_config_file(tmp_path: Path):
    write_tree(tmp_path, {"cfg/.playbooklint.toml": "root = '../docs'\nschema = 'my.json'\n"})
    config = load_config(tmp_path / "cfg" / ".playbooklint.toml")
    assert config.root == (tmp_path / "docs").resolve()
    assert config.schema == (tmp_path / "cfg" / "my.json").resolve()


@pytest.mark.parametrize(("text", "message"), [
    ("colour = 'red'\n", "unknown key 'colour'$"),
    ("[lifecycle]\nphase = ['a.md']\n", "unknown key 'lifecycle.phase'; did you mean 'lifecycle.phases'\\?"),
    ("url_base = '/iis/'\n", "unknown key 'url_base'; did you mean 'url-base'\\?"),
    ("exlude = ['drafts/**']\n", "unknown key 'exlude'; did you mean 'exclude'\\?"),
    ("exclude = 'drafts'\n", "exclude"),
    ("[rules]\nlink-broken = 'loud'\n", "rules.link-broken must be"),
    ("max-file-size = -1\n", "max-file-size"),
    ("url-base = 'iis'\n", "url-base"),
    ("root = \n", "not valid TOML"),
])
def test_bad_config_is_a_usage_error(tmp_path: Path, text: str, message: str):
    write_tree(tmp_path, {".playbooklint.toml": text, "index.md": "---\ntitle: x\n---\n"})
    with pytest.raises(ConfigError, match=message.replace("(", r"\(")):
        config = load_config(tmp_path / ".playbooklint.toml")
        from playbooklint.rules.settings import RuleSettings
        RuleSettings.from_config(config)
    runner = CliRunner()
    result = runner.invoke(cli, ["check", str(tmp_path)])
    assert result.exit_code != 0
    assert main(["check", str(tmp_path)]) == 2


def test_unknown_rule_name_is_a_config_error(tmp_path: Path, capsys):
    write_tree(tmp_path, {".playbooklint.toml": "[rules]\nlink-brokn = 'off'\n", "index.md": ""})
    assert main(["check", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert "unknown rule 'link-brokn'" in err and "Traceback" not in err


def test_rules_accept_names_codes_and_tables(tmp_path: Path, capsys):
    write_tree(tmp_path, {
        ".playbooklint.toml": "[rules]\nPB101 = 'warning'\nlink-broken = false\norphan-page = {severity = 'off'}\nPB103 = 'off'\n",
        "index.md": "[x](missing.md)\n",
        "lonely.md": "---\ntitle: x\n---\n",
    })
    assert main(["check", str(tmp_path), "--format", "json"]) == 0
    out = capsys.readouterr().out
    assert '"front-matter-missing"' in out and '"warning"' in out
    assert "link-broken" not in out and "orphan-page" not in out


def test_explicit_config_option_overrides_discovery(tmp_path: Path, capsys):
    write_tree(tmp_path, {
        ".playbooklint.toml": "[rules]\nfront-matter-missing = 'off'\n",
        "alt.toml": "",
        "index.md": "# no front matter\n",
    })
    assert main(["check", str(tmp_path)]) == 0
    assert main(["check", str(tmp_path), "--config", str(tmp_path / "alt.toml")]) == 1
    assert main(["check", str(tmp_path), "--config", str(tmp_path / "nope.toml")]) == 2
    assert "config file not found" in capsys.readouterr().err
