"""Every environment check of verify (image, toolchain, modules, workspace, hygiene) on a scripted executor:
what passes, what fails, and what cannot be evaluated (an error or a skip with the reason, never a pass)."""

from __future__ import annotations

import json

import pytest

from envbuilder.report import CheckResult
from envbuilder.spec.models import Spec
from envbuilder.verify import environment
from envbuilder.verify.expected import Expectations
from envbuilder.verify.suite import Selection, image_checks, run_suite

from .fake_executor import FakeExecutor, fails, ok
from .renderkit import offline_lock

GO = "/usr/local/go/bin/go"


def expectations(**spec_fields) -> Expectations:
    spec = Spec.model_validate({"name": "demo", "go": {"version": "1.22"}, "targets": ["linux/amd64"],
                                **spec_fields})
    return Expectations(spec, offline_lock(spec))


def healthy(exp: Expectations, **kw) -> FakeExecutor:
    """An environment where every environment check passes."""
    module_env = json.dumps(exp.module_env)
    return FakeExecutor({
        r"^go version$": ok(f"go version go{exp.go_version} linux/amd64\n"),
        r"^go env -json GOVERSION": ok(json.dumps({"GOVERSION": f"go{exp.go_version}", "GOROOT": "/usr/local/go",
                                                   "GOTOOLCHAIN": exp.lock.go_for(None).toolchain})),
        r"^go env -json GOPROXY": ok(module_env),
        r"^go env -json GOPATH": ok(json.dumps({"GOPATH": "/go", "GOCACHE": "/home/dev/.cache/go-build",
                                                "GOMODCACHE": "/go/pkg/mod"})),
        r"command -v go\)": ok(GO + "\n"),
        r"readlink -f \"\$\(go env GOROOT\)\"": ok("/usr/local/go\n"),
        r"^IFS=:": ok(GO + "\n"),
        r"printf %s \"\$PATH\"": ok("/go/bin:/usr/local/go/bin:/usr/bin:/bin"),
        r"^id -un$": ok("dev\n"),
        r"^mkdir -p .*mktemp": ok(),
        r"find / -xdev": ok(""),
        r"^env$": ok("PATH=/usr/bin\nHOME=/home/dev\n"),
    }, **kw)


def by_id(results) -> dict[str, CheckResult]:
    return {r.id: r for r in results}


def environment_results(ex: FakeExecutor, exp: Expectations, stage: str = "dev") -> dict[str, CheckResult]:
    return by_id([*image_checks(ex, exp), *environment.toolchain_checks(ex, exp), *environment.module_checks(ex, exp),
                  *environment.workspace_checks(ex, exp, stage), *environment.hygiene_checks(ex)])


def test_a_healthy_environment_passes_every_environment_check():
    exp = expectations()
    ex = healthy(exp, image_attrs={"Config": {"Labels": {"dev.envbuilder.lock-hash": exp.lock.hash}}})
    results = environment_results(ex, exp)
    assert {r.status for r in results.values()} == {"pass"}, [r for r in results.values() if r.status != "pass"]
    assert set(results) == {
        "image.lock", "toolchain.version", "toolchain.goversion", "toolchain.goroot", "toolchain.single-go",
        "toolchain.gotoolchain", "modules.goproxy", "modules.gosumdb", "modules.goprivate", "modules.gonoproxy",
        "modules.gonosumdb", "modules.goflags", "workspace.gopath-bin", "workspace.writable.gopath",
        "workspace.writable.gocache", "workspace.writable.gomodcache", "hygiene.netrc", "hygiene.git-credentials",
        "hygiene.env-tokens"}


# (what the environment answers differently, the check, its status, a word of its expected/actual/message)
DRIFT = [
    (r"^go version$", ok("go version go1.21.0 linux/amd64"), "toolchain.version", "fail", "go1.21.0"),
    (r"^go version$", fails("sh: go: not found", 127), "toolchain.version", "error", "go: not found"),
    (r"^go env -json GOVERSION", ok('{"GOVERSION": "go1.21.0", "GOROOT": "/usr/local/go", "GOTOOLCHAIN": "local"}'),
     "toolchain.goversion", "fail", "go1.21.0"),
    (r"^go env -json GOVERSION", fails("go: bad GOENV"), "toolchain.goversion", "error", "go env -json"),
    (r"readlink -f \"\$\(go env GOROOT\)\"", ok("/opt/other-go\n"), "toolchain.goroot", "fail", "/opt/other-go"),
    (r"^IFS=:", ok(f"/usr/local/bin/go\n{GO}\n"), "toolchain.single-go", "fail", "/usr/local/bin/go"),
    (r"^IFS=:", ok(""), "toolchain.single-go", "fail", "no `go` on PATH"),
    (r"^go env -json GOVERSION", ok('{"GOVERSION": "go1.22.10", "GOROOT": "/usr/local/go", "GOTOOLCHAIN": "auto"}'),
     "toolchain.gotoolchain", "fail", "auto"),
    (r"^go env -json GOVERSION", fails(), "toolchain.gotoolchain", "error", "go env -json"),
    (r"^go env -json GOPROXY", ok('{"GOPROXY": "direct", "GOSUMDB": "sum.golang.org"}'), "modules.goproxy", "fail",
     "direct"),
    (r"^go env -json GOPROXY", ok('{"GOPROXY": "https://proxy.golang.org,direct", "GOSUMDB": "off"}'),
     "modules.gosumdb", "fail", "off"),
    (r"^go env -json GOPROXY", fails(), "modules.goflags", "error", "module settings are unknown"),
    (r"^go env -json GOPROXY", ok("not json"), "modules.goproxy", "error", "module settings are unknown"),
    (r"printf %s \"\$PATH\"", ok("/usr/local/go/bin:/usr/bin"), "workspace.gopath-bin", "fail", "/go/bin on PATH"),
    (r"^go env -json GOPATH", ok('{"GOPATH": "", "GOCACHE": "/c", "GOMODCACHE": "/m"}'), "workspace.gopath-bin",
     "error", "GOPATH is not set"),
    (r"^go env -json GOPATH", fails(), "workspace.gopath-bin", "error", "go env -json"),
    (r"^mkdir -p '?/go'? ", fails("mktemp: Permission denied"), "workspace.writable.gopath", "fail",
     "Permission denied"),
    (r"^go env -json GOPATH", fails(), "workspace.writable.gocache", "error", "go env -json"),
    (r"find / -xdev", ok("/root/.netrc\n"), "hygiene.netrc", "fail", "/root/.netrc"),
    (r"find / -xdev", ok("/home/dev/.git-credentials\n"), "hygiene.git-credentials", "fail", ".git-credentials"),
    (r"find / -xdev", fails("", 127), "hygiene.netrc", "error", "no find command"),
    (r"^env$", ok("GITHUB_TOKEN=abc\nX=ghp_0123\nEMPTY_TOKEN=\n"), "hygiene.env-tokens", "fail",
     "GITHUB_TOKEN, X"),
    (r"^env$", fails("env: not found", 127), "hygiene.env-tokens", "error", "env: not found"),
]


@pytest.mark.parametrize(("pattern", "answer", "check_id", "status", "shown"), DRIFT,
                         ids=[f"{d[2]}-{d[3]}-{i}" for i, d in enumerate(DRIFT)])
def test_each_environment_check_fails_on_drift_and_errors_when_it_cannot_tell(pattern, answer, check_id, status,
                                                                              shown):
    exp = expectations()
    result = environment_results(healthy(exp).answer(pattern, answer), exp)[check_id]
    assert result.status == status
    assert shown in f"{result.expected} {result.actual} {result.message}"


def test_image_lock_compares_the_label_with_the_lock_and_is_skipped_off_images():
    exp = expectations()
    stale = image_checks(healthy(exp, image_attrs={"Config": {"Labels": {"dev.envbuilder.lock-hash": "sha256:old"}}}),
                         exp)[0]
    assert (stale.id, stale.status, stale.actual) == ("image.lock", "fail", "sha256:old")
    unlabelled = image_checks(healthy(exp, image_attrs={"Config": {"Labels": None}}), exp)[0]
    assert (unlabelled.status, unlabelled.actual) == ("fail", "no envbuilder label")
    host = image_checks(healthy(exp, kind="host"), exp)[0]
    assert host.status == "skip" and "not an image" in host.message


def test_hygiene_is_skipped_on_the_host_with_the_reason():
    exp = expectations()
    results = list(environment.hygiene_checks(healthy(exp, kind="host")))
    assert [(r.id, r.status) for r in results] == [
        ("hygiene.netrc", "skip"), ("hygiene.git-credentials", "skip"), ("hygiene.env-tokens", "skip")]
    assert all("host" in r.message for r in results)


def test_a_stage_tool_must_be_on_path_at_its_pinned_version():
    exp = expectations(tools=["golang.org/x/tools/gopls@v0.16.1"])
    pinned = ok("/go/bin/gopls: go1.22.10\n\tpath\tgolang.org/x/tools/gopls\n\tmod\tgolang.org/x/tools/gopls\tv0.16.1\th1:x=\n")
    older = ok("/go/bin/gopls: go1.22.10\n\tpath\tgolang.org/x/tools/gopls\n\tmod\tgolang.org/x/tools/gopls\tv0.15.0\th1:x=\n")
    on_path = {r"command -v gopls": ok("/go/bin/gopls\n")}

    def tool(answers) -> CheckResult:
        ex = healthy(exp)
        for pattern, answer in answers.items():
            ex.answer(pattern, answer)
        return environment_results(ex, exp)["workspace.tool"]

    assert tool({**on_path, r"^go version -m": pinned}).status == "pass"
    assert (tool({**on_path, r"^go version -m": older}).status, tool({**on_path, r"^go version -m": older}).actual) \
        == ("fail", "golang.org/x/tools/gopls v0.15.0")
    assert tool({r"command -v gopls": fails("", 1)}).actual == "not found"
    assert tool({**on_path, r"^go version -m": fails("not a Go binary")}).status == "error"
    assert tool({**on_path, r"^go version -m": pinned}).target == "golang.org/x/tools/gopls"


def test_the_ci_stage_checks_the_pinned_envbuilder():
    exp = expectations(ci={"envbuilder": "0.1.0"})
    good = environment_results(healthy(exp).answer(r"^envbuilder --version", ok("envbuilder 0.1.0\n")), exp, "ci")
    assert good["workspace.envbuilder"].status == "pass"
    missing = environment_results(healthy(exp), exp, "ci")["workspace.envbuilder"]  # unscripted: exit 127
    assert (missing.status, missing.actual) == ("fail", "not found")
    assert "workspace.envbuilder" not in environment_results(healthy(exp), exp, "dev")


def test_a_spec_that_turns_the_checksum_database_off_gets_a_warning_not_a_pass():
    exp = expectations(modules={"sumdb": "off"})
    result = environment_results(healthy(exp), exp)["modules.gosumdb"]
    assert (result.status, result.expected, result.actual) == ("warn", "off", "off")
    assert "not verified" in result.message


def test_verify_host_without_go_passes_nothing_that_needs_go():
    exp = expectations()
    no_go = FakeExecutor({r"printf %s \"\$PATH\"": ok("/usr/bin:/bin"), r"^id -un$": ok("ci\n"),
                          r"^IFS=:": ok("")}, kind="host")
    report = run_suite(no_go, exp, stage="dev", selection=Selection([], ["cgo", "build", "binary", "exec", "repro"]))
    statuses = {r.id: r.status for r in report.results}
    assert statuses["workspace.gopath-bin"] == "error"
    assert statuses["toolchain.version"] == "error" and statuses["modules.goproxy"] == "error"
    assert not [i for i, s in statuses.items() if s == "pass"]
    assert not report.ok
