"""Run records name the code that made them: the release, and the commit when run from a checkout."""

import shutil
import subprocess

import pytest

from rustcoder import __version__
from rustcoder.provenance import source_version

version_of = source_version.__wrapped__  # uncached: these tests change the tree between calls


def _git(root, *args):
    return subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.org", *args],
        check=True,
        capture_output=True,
        text=True,
    ).stdout.strip()


def test_an_installed_release_is_its_version(tmp_path):
    package = tmp_path / "site-packages" / "rustcoder"
    package.mkdir(parents=True)
    assert version_of(package) == __version__


@pytest.mark.skipif(shutil.which("git") is None, reason="needs git")
def test_a_checkout_adds_its_commit_and_says_when_sources_differ(tmp_path):
    package = tmp_path / "src" / "rustcoder"
    package.mkdir(parents=True)
    (package / "a.py").write_text("x = 1\n")
    (tmp_path / "notes.txt").write_text("outside the package\n")
    _git(tmp_path, "init", "-q")
    _git(tmp_path, "add", ".")
    _git(tmp_path, "commit", "-q", "-m", "first")
    head = _git(tmp_path, "rev-parse", "--short=12", "HEAD")
    assert version_of(package) == f"{__version__}+g{head}"

    (tmp_path / "notes.txt").write_text("edited, but not the package\n")
    (package / "scratch.py").write_text("untracked files are not the package's code yet\n")
    assert version_of(package) == f"{__version__}+g{head}"

    (package / "a.py").write_text("x = 2\n")
    assert version_of(package) == f"{__version__}+g{head}.dirty"
