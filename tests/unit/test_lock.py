"""`envbuilder lock`: exact versions and per-platform sha256 from a go.dev-format release index."""

import json

from envbuilder.errors import EXIT_BAD_INPUT, EXIT_CHECK_FAILED, EXIT_ENVIRONMENT


def read_lock(project):
    return json.loads((project / "envbuilder.lock").read_text())


def test_minor_version_resolves_to_newest_patch(project, cli, release_server):
    result = cli("lock", cwd=project)
    assert result.returncode == 0, result.stderr
    lock = read_lock(project)
    assert lock["go"]["version"] == "1.22.10"
    assert lock["go"]["requested"] == "1.22"
    archive = lock["go"]["archives"]["linux/amd64"]
    assert archive["url"] == release_server.url + "go1.22.10.linux-amd64.tar.gz"
    index = json.loads((release_server.root / "index.json").read_text())
    expected = next(f["sha256"] for r in index if r["version"] == "go1.22.10" for f in r["files"]
                    if f["arch"] == "amd64")
    assert archive["sha256"] == expected


def test_lock_is_json_with_sorted_keys_and_deterministic(project, cli):
    assert cli("lock", cwd=project).returncode == 0
    first = (project / "envbuilder.lock").read_bytes()
    assert cli("lock", cwd=project).returncode == 0
    assert (project / "envbuilder.lock").read_bytes() == first
    data = json.loads(first)
    assert list(data) == sorted(data)


def test_unstable_releases_are_never_chosen(project, cli, release_server):
    release_server.publish("1.22.99", stable=False)
    assert cli("lock", cwd=project).returncode == 0
    assert read_lock(project)["go"]["version"] == "1.22.10"


def test_every_image_platform_gets_its_own_archive(project, cli):
    spec = project / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace("targets:", "platforms: [linux/amd64, linux/arm64]\ntargets:")
                    .replace("{platform: linux/arm64, cgo: true}", "linux/arm64")
                    .replace("{platform: windows/amd64, cgo: true}", "windows/amd64"))
    assert cli("lock", cwd=project).returncode == 0, cli("lock", cwd=project).stderr
    archives = read_lock(project)["go"]["archives"]
    assert sorted(archives) == ["linux/amd64", "linux/arm64"]
    assert archives["linux/amd64"]["sha256"] != archives["linux/arm64"]["sha256"]


def test_a_mirror_without_index_is_hashed_by_downloading(project, cli, release_server):
    spec = project / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace('"1.22"', '"1.23.4"').replace(release_server.index, "none"))
    result = cli("lock", cwd=project)
    assert result.returncode == 0, result.stderr
    data = (release_server.root / "go1.23.4.linux-amd64.tar.gz").read_bytes()
    import hashlib

    assert read_lock(project)["go"]["archives"]["linux/amd64"]["sha256"] == hashlib.sha256(data).hexdigest()


def test_a_mirror_without_index_needs_an_exact_version(project, cli, release_server):
    spec = project / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace(release_server.index, "none"))
    result = cli("lock", cwd=project)
    assert result.returncode == EXIT_BAD_INPUT
    assert "go.version" in result.stderr and "exact" in result.stderr


def test_unknown_version_is_bad_input(project, cli):
    spec = project / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace('"1.22"', '"1.21"'))
    result = cli("lock", cwd=project)
    assert result.returncode == EXIT_BAD_INPUT
    assert "no stable 1.21.x release" in result.stderr
    assert not (project / "envbuilder.lock").exists()


def test_unreachable_index_is_an_environment_problem(project, cli, release_server):
    spec = project / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace(release_server.index, "http://127.0.0.1:9/index.json"))
    result = cli("lock", cwd=project)
    assert result.returncode == EXIT_ENVIRONMENT
    assert "127.0.0.1:9/index.json" in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not (project / "envbuilder.lock").exists()


def test_a_missing_index_file_is_an_environment_problem(project, cli, release_server):
    spec = project / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace(release_server.index, release_server.url + "nope.json"))
    result = cli("lock", cwd=project)
    assert result.returncode == EXIT_ENVIRONMENT
    assert "HTTP 404" in result.stderr


def test_garbage_index_is_bad_input(project, cli, release_server):
    (release_server.root / "index.json").write_text("<html>not json</html>")
    result = cli("lock", cwd=project)
    assert result.returncode == EXIT_BAD_INPUT
    assert "not a Go release index" in result.stderr


def test_file_urls_work_for_the_index(project, cli, release_server):
    spec = project / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace(release_server.index, (release_server.root / "index.json").as_uri()))
    assert cli("lock", cwd=project).returncode == 0
    assert read_lock(project)["go"]["version"] == "1.22.10"


def test_check_passes_on_a_fresh_lock_and_fails_when_the_spec_moves_on(project, cli):
    assert cli("lock", cwd=project).returncode == 0
    assert cli("lock", "--check", cwd=project).returncode == 0
    spec = project / "envbuilder.yaml"
    # Comments and formatting do not make the lock stale; a setting does.
    spec.write_text("# a comment\n" + spec.read_text())
    assert cli("lock", "--check", cwd=project).returncode == 0
    spec.write_text(spec.read_text().replace("https://goproxy.cn, direct", "https://proxy.golang.org, direct"))
    result = cli("lock", "--check", cwd=project)
    assert result.returncode == EXIT_CHECK_FAILED
    assert "stale" in result.stderr


def test_check_without_a_lock_is_bad_input(project, cli):
    result = cli("lock", "--check", cwd=project)
    assert result.returncode == EXIT_BAD_INPUT
    assert "run `envbuilder lock`" in result.stderr


def test_a_corrupt_lock_is_reported_not_trusted(project, cli):
    assert cli("lock", cwd=project).returncode == 0
    lock = project / "envbuilder.lock"
    lock.write_text(lock.read_text().replace('"sha256": "', '"sha256": "zz'))
    result = cli("render", cwd=project)
    assert result.returncode == EXIT_BAD_INPUT
    assert "envbuilder.lock" in result.stderr and "sha256" in result.stderr


def test_a_go_matrix_locks_every_version_from_one_index_fetch(project, cli):
    spec = project / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace('  version: "1.22"\n', '  version: "1.22"\n  matrix: ["1.23"]\n'))
    result = cli("lock", cwd=project)
    assert result.returncode == 0, result.stderr
    lock = read_lock(project)
    assert lock["go"]["version"] == "1.22.10"
    assert [g["version"] for g in lock["go_matrix"]] == ["1.23.4"]
    assert lock["go_matrix"][0]["archives"]["linux/amd64"]["url"].endswith("go1.23.4.linux-amd64.tar.gz")
    assert cli("lock", "--check", cwd=project).returncode == 0
    spec.write_text(spec.read_text().replace('matrix: ["1.23"]', "matrix: []"))
    assert cli("lock", "--check", cwd=project).returncode == EXIT_CHECK_FAILED


def test_a_lock_time_error_about_a_spec_field_names_the_spec_file_and_line(project, cli):
    spec = project / "envbuilder.yaml"
    spec.write_text(spec.read_text().replace('version: "1.22"', 'version: "1.29"'))
    done = cli("lock", cwd=project)
    assert done.returncode == 2
    assert len(done.stderr.strip().splitlines()) == 1
    assert done.stderr.startswith("envbuilder: envbuilder.yaml:3: go.version: no stable 1.29.x release in http://")
    assert not (project / "envbuilder.lock").exists()
