"""Licence, citation, changelog and package metadata agree with each other and with the code."""
import re
from pathlib import Path

import pytest

from minikan._version import __version__
from minikan.tools import saving, verify

ROOT = Path(__file__).resolve().parents[1]


def test_licence_is_mit_in_the_repository_and_the_metadata():
    text = (ROOT / "LICENSE").read_text()
    assert text.startswith("MIT License\n") and "Copyright (c) " in text and "The minikan developers" in text
    assert "Permission is hereby granted, free of charge" in text
    tomllib = pytest.importorskip("tomllib")  # Python >= 3.11
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    assert project["license"] == "MIT" and project["license-files"] == ["LICENSE"]
    assert project["version"] == __version__
    assert project["authors"] == [{"name": "The minikan developers"}]
    # an SPDX expression and a licence classifier together are an error for the build backend
    assert not [c for c in project["classifiers"] if c.startswith("License ::")]
    for name, url in project["urls"].items():
        assert url.startswith("https://"), (name, url)


def test_citation_file_cites_this_version_and_the_paper():
    yaml = pytest.importorskip("yaml")
    cff = yaml.safe_load((ROOT / "CITATION.cff").read_text())
    assert cff["cff-version"] == "1.2.0" and cff["type"] == "software"
    assert cff["version"] == __version__ and cff["license"] == "MIT"
    assert cff["authors"] == [{"name": "The minikan developers"}]
    (paper,) = cff["references"]
    assert paper["title"] == "KAN: Kolmogorov-Arnold Networks" and paper["year"] == 2024
    assert [a["family-names"] for a in paper["authors"]] == [
        "Liu", "Wang", "Vaidya", "Ruehle", "Halverson", "Soljačić", "Hou", "Tegmark"]
    assert paper["identifiers"][0]["value"] == "arXiv:2404.19756v1"


def test_readme_ends_with_the_papers_bibtex():
    readme = (ROOT / "README.md").read_text()
    citing = readme[readme.index("\n## Citing\n"):]
    assert "## " not in citing[len("\n## Citing\n"):]  # the last section
    assert "eprint        = {2404.19756}" in citing and "Tegmark, Max" in citing
    assert f"version = {{{__version__}}}" in citing


def test_changelog_has_this_version_and_the_current_formats():
    """A bump of either file format without a changelog entry that names it fails here."""
    text = (ROOT / "CHANGELOG.md").read_text()
    releases = re.findall(r"^## (\d+\.\d+\.\d+|Unreleased)$", text, flags=re.M)
    assert [r for r in releases if r != "Unreleased"][0] == __version__  # the newest release
    newest_format = text[text.index("### Format"):].split("\n## ")[0]
    assert f"golden-file format {verify.FORMAT_VERSION}" in newest_format
    assert f"model-file format {saving.FORMAT_VERSION}" in newest_format
