"""Bad specs: each exits 2 with ONE line naming the file, the line and the field; no traceback; nothing written.

The corpus lives in tests/specs/bad/. Each entry below says which field the message must blame and on
which line (None where the problem is the whole file, e.g. not YAML at all).
"""

from pathlib import Path

import pytest

from envbuilder.cli import main

CORPUS = Path(__file__).parent.parent / "specs" / "bad"

EXPECTED: dict[str, tuple[str | None, int | None]] = {
    "01-empty.yaml": ("empty spec", None),
    "02-only-comment.yaml": ("empty spec", None),
    "03-list-not-mapping.yaml": ("must be a YAML mapping", 1),
    "04-bad-yaml-indent.yaml": ("invalid YAML", 2),
    "05-unclosed-flow.yaml": ("invalid YAML", 3),
    "06-duplicate-key.yaml": ('duplicate key "name"', 2),
    "07-unknown-top-key.yaml": ("gopath: unknown key", 4),
    "08-unknown-nested-key.yaml": ("modules.proxi: unknown key", 5),
    "09-missing-go.yaml": ("go: is required", 1),
    "10-missing-name.yaml": ("name: is required", 1),
    "11-version-as-number.yaml": ("go.version: must be a quoted string", 3),
    "12-version-too-old.yaml": ("go.version:", 3),
    "13-version-garbage.yaml": ("go.version:", 3),
    "14-bad-goos-goarch.yaml": ("targets[1].platform: linux/amd65", 6),
    "15-bad-goos.yaml": ("targets[0].platform: plan10/amd64", 5),
    "16-darwin-cgo-without-sdk.yaml": ("targets[0].cgo: cgo for darwin/arm64 needs an Apple SDK", 5),
    "17-cgo-no-toolchain.yaml": ("targets[0].cgo: no known C cross toolchain", 5),
    "18-goproxy-bad-entry.yaml": ("modules.proxy[0]: GOPROXY entry 'goproxy.cn'", 5),
    "19-goproxy-empty.yaml": ("modules.proxy: must list at least one entry", 5),
    "20-goflags-with-space.yaml": ("modules.flags[0]:", 5),
    "21-goflags-not-a-flag.yaml": ("modules.flags[0]:", 5),
    "22-goprivate-bad-pattern.yaml": ("modules.private[0]:", 5),
    "23-injection-package-newline.yaml": ("base.packages[0]:", 5),
    "24-injection-env-quote.yaml": ("modules.sumdb:", 5),
    "25-injection-tool-shell.yaml": ("tools[0]:", 4),
    "26-tool-at-latest.yaml": ("tools[0]:", 4),
    "27-injection-url-dollar.yaml": ("go.download:", 4),
    "28-archive-path-escape.yaml": ("go.archive: must be a relative path", 4),
    "29-wrong-type-targets.yaml": ("targets: Input should be a valid list", 4),
    "30-wrong-type-emulate.yaml": ("verify.emulate:", 5),
    "31-goarm-on-amd64.yaml": ("targets[0]: goarm applies only to arm", 5),
    "32-bad-variant.yaml": ("targets[0]: variant 'v9'", 5),
    "33-duplicate-target.yaml": ("targets[1]: target linux-amd64 is listed twice", 6),
    "34-bad-toolchain-policy.yaml": ("go.toolchain:", 4),
    "35-uid-out-of-range.yaml": ("devcontainer.uid:", 5),
    "36-post-create-multiline.yaml": ("devcontainer.post_create:", 5),
    "37-bad-name.yaml": ("name: 'Payments Service'", 1),
    "38-image-injection.yaml": ("base.image:", 5),
    "39-binary-junk.yaml": ("not UTF-8 text", None),
    "40-invalid-utf8.yaml": ("not UTF-8 text", None),
    "41-deep-nesting.yaml": ("invalid YAML: nested deeper than 64 levels", 1),
    "42-anchor-bomb.yaml": ("invalid YAML: more than 10000 values once aliases are expanded", 5),
    "43-sumdb-off-typo.yaml": ("modules.sumdb:", 5),
    "44-cgo-on-arm64-image.yaml": ("platforms: cgo cross toolchains", 4),
    "45-matrix-repeats-version.yaml": ("go.matrix: 1.22 is already go.version", 4),
    "46-matrix-duplicate.yaml": ("go.matrix: lists a Go version twice", 4),
    "47-ci-image-with-tag.yaml": ("ci.image: 'ghcr.io/acme/payments-ci:latest' is not an image repository without tag", 5),
    "48-base-image-uppercase-path.yaml": ("base.image: 'Debian:bookworm-slim' is not an image reference", 5),
    "49-base-image-short-digest.yaml": ("base.image:", 5),
    "50-devcontainer-user-root.yaml": ("devcontainer.user: must not be root", 5),
    "51-empty-targets.yaml": ("targets: must list at least one target", 4),
    "52-tool-double-slash.yaml": ("tools[0]: 'golang.org/x//tools/gopls@v0.16.2' is not a module path", 4),
    "53-tool-path-without-domain.yaml": ("tools[0]: 'gopls@v0.16.2' is not a module path", 4),
    "54-base-image-bad-port.yaml": ("base.image:", 5),
    "55-glibc-floor-below-zig.yaml": ("cgo.glibc: glibc 2.17 is older than zig 0.14.1 supports for linux/riscv64 "
                                      "(oldest: 2.27)", 4),
    "56-musl-on-windows.yaml": ("targets[0].libc: musl is a Linux C library: windows/amd64 links mingw", 6),
    "57-libc-without-zig.yaml": ("cgo.libc: chooses the C library of zig builds: set cgo.strategy: zig", 5),
    "58-glibc-floor-as-number.yaml": ("cgo.glibc: must be a quoted string", 4),
    "59-zig-darwin-without-sdk.yaml": ("targets[1].cgo: cgo for darwin/arm64 needs an Apple SDK", 7),
    "60-glibc-floor-with-musl.yaml": ("cgo.glibc: a glibc floor with libc: musl", 4),
    "61-glibc-floor-newer-than-zig.yaml": ("cgo.glibc: glibc 2.99 is newer than zig 0.14.1 knows (newest: 2.41)", 4),
}


def test_the_corpus_and_the_table_agree():
    assert sorted(p.name for p in CORPUS.glob("*.yaml")) == sorted(EXPECTED)
    assert len(EXPECTED) >= 25


@pytest.mark.parametrize("command", [["lock"], ["render"], ["lock", "--check"]])
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_bad_spec_is_one_clear_line_and_exit_2(name, command, tmp_path, monkeypatch, capsys):
    spec = tmp_path / "envbuilder.yaml"
    spec.write_bytes((CORPUS / name).read_bytes())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("ENVBUILDER_NO_ENGINE", "1")
    with pytest.raises(SystemExit) as exited:
        main(command)
    assert exited.value.code == 2
    out, err = capsys.readouterr()
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert "Traceback" not in err
    field, line = EXPECTED[name]
    prefix = f"envbuilder: envbuilder.yaml:{line}: " if line else "envbuilder: envbuilder.yaml: "
    assert lines[0].startswith(prefix), lines[0]
    assert field in lines[0]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["envbuilder.yaml"], "nothing may be written"


def test_a_missing_spec_says_how_to_start(tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exited:
        main(["render"])
    assert exited.value.code == 2
    assert "envbuilder init" in capsys.readouterr().err
