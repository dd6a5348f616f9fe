"""Where mined code comes from: crates under source trees, and what their licences allow."""

import pytest

from rustcoder.data.crates import SKIPPED_DIRS, discover, pinned_debian_packages
from rustcoder.data.licences import LicenceSyntaxError, Verdict, read_licence


@pytest.mark.parametrize(
    ("expression", "verdict", "chosen"),
    [
        ("MIT", Verdict.PERMISSIVE, ("MIT",)),
        ("MIT OR Apache-2.0", Verdict.PERMISSIVE, ("MIT",)),
        ("MIT/Apache-2.0", Verdict.PERMISSIVE, ("MIT",)),  # Cargo's legacy form
        ("Apache-2.0 WITH LLVM-exception", Verdict.PERMISSIVE, ("Apache-2.0",)),
        ("(MIT OR Apache-2.0) AND Unicode-DFS-2016", Verdict.PERMISSIVE, ("MIT", "Unicode-DFS-2016")),
        ("GPL-3.0-or-later OR MIT", Verdict.PERMISSIVE, ("MIT",)),  # the user may choose MIT
        ("MIT AND GPL-2.0", Verdict.COPYLEFT, ()),  # both apply
        ("LGPL-2.1+", Verdict.COPYLEFT, ()),
        ("MPL-2.0", Verdict.COPYLEFT, ()),
        ("MIT AND LicenseRef-Proprietary", Verdict.UNKNOWN, ()),
        ("Zlib OR 0BSD OR CC0-1.0", Verdict.PERMISSIVE, ("Zlib",)),
        ("bsd-3-clause", Verdict.UNKNOWN, ()),  # identifiers are case-sensitive in SPDX
    ],
)
def test_spdx_expressions(expression, verdict, chosen):
    licence = read_licence(expression)
    assert (licence.verdict, licence.chosen, licence.expression) == (verdict, chosen, expression)


@pytest.mark.parametrize("bad", ["MIT OR", "(MIT", "MIT AND AND BSD-2-Clause", "MIT; rm -rf /", "WITH"])
def test_a_malformed_expression_is_an_error(bad):
    with pytest.raises(LicenceSyntaxError):
        read_licence(bad)


def test_no_licence_or_only_a_file_is_unknown():
    assert read_licence(None).verdict is Verdict.UNKNOWN and read_licence("").expression == ""
    licence = read_licence(None, "LICENSE.txt")
    assert licence.verdict is Verdict.UNKNOWN and licence.expression == "file:LICENSE.txt"


def write_crate(root, name, license_line, *, version="1.0.0"):
    root.mkdir(parents=True)
    lines = [
        "[package]",
        f'name = "{name}"',
        f'version = "{version}"',
        *([license_line] if license_line else []),
    ]
    (root / "Cargo.toml").write_text("\n".join(lines) + "\n")
    (root / "src").mkdir()
    (root / "src" / "lib.rs").write_text("pub fn f() -> u8 { 1 }\n")
    return root


def test_crates_are_found_with_their_licences_and_skips_are_counted(tmp_path):
    write_crate(tmp_path / "a-1.0.0", "a", 'license = "MIT OR Apache-2.0"')
    write_crate(tmp_path / "b-2.0.0", "b", 'license = "GPL-3.0"')
    write_crate(tmp_path / "c-0.1.0", "c", None)
    write_crate(tmp_path / "d-0.1.0", "d", 'license = "MIT AND (Apache-2.0"')
    write_crate(tmp_path / "a-1.0.0" / "vendor" / "copied", "copied", 'license = "MIT"')
    (tmp_path / "ws").mkdir()
    (tmp_path / "ws" / "Cargo.toml").write_text('[workspace]\nmembers = ["inner"]\n')
    write_crate(tmp_path / "ws" / "inner", "inner", 'license = "Zlib"')
    (tmp_path / "broken").mkdir()
    (tmp_path / "broken" / "Cargo.toml").write_text("[package\nname = 1\n")
    found = discover([tmp_path, tmp_path / "a-1.0.0", tmp_path / "missing"])
    assert [c.key for c in found.crates] == ["a-1.0.0", "b-1.0.0", "c-1.0.0", "inner-1.0.0"]
    assert found.by_verdict() == {Verdict.PERMISSIVE: 2, Verdict.COPYLEFT: 1, Verdict.UNKNOWN: 1}
    assert found.crates[0].licence.chosen == ("MIT",)
    reasons = " | ".join(found.skipped)
    assert "unreadable Cargo.toml (TOMLDecodeError)" in reasons and "not SPDX" in reasons
    assert "not a directory" in reasons
    assert "vendor" in SKIPPED_DIRS  # vendored copies are nobody's crate


def test_the_pinned_debian_crate_set_is_broad_and_well_formed():
    packages = pinned_debian_packages()
    assert len(packages) >= 300 and len(set(packages)) == len(packages)
    assert all(p.startswith("librust-") and p.endswith("-dev") and " " not in p for p in packages)
    assert {"librust-serde-dev", "librust-tokio-dev", "librust-nom-dev", "librust-clap-dev"} <= set(packages)
    names = [p.removeprefix("librust-").removesuffix("-dev") for p in packages]
    assert names == sorted(names)
