"""ci.digests: the generated pipelines run the ci image by the digest `build --push` printed, so CI runs
exactly the image that was verified; pinning does not make the lock stale."""

from __future__ import annotations

import pytest

from envbuilder.ciconfig import GITHUB, GITLAB
from envbuilder.errors import InputError
from envbuilder.lock import spec_hash
from envbuilder.spec.models import Spec

from .test_ci_config import SPEC, VERSIONS, gitlab_job, load_yaml, rendered, schema_errors, workflow

DIGESTS = {VERSIONS[0]: "sha256:" + "1" * 64, VERSIONS[1]: "sha256:" + "2" * 64}
PINNED = {**SPEC, "ci": {**SPEC["ci"], "digests": DIGESTS}}
IMAGES = [f"ghcr.io/acme/payments-ci@{DIGESTS[v]}" for v in VERSIONS]


def test_each_github_job_runs_the_image_pinned_for_its_go_version():
    files = rendered(PINNED)
    job = workflow(files)["jobs"]["envbuilder"]
    assert job["strategy"]["matrix"] == {"go": VERSIONS, "include": [
        {"go": v, "image": image} for v, image in zip(VERSIONS, IMAGES)]}
    assert job["container"]["image"] == "${{ matrix.image }}"
    assert schema_errors(workflow(files), "github-workflows") == []


def test_each_gitlab_job_runs_the_image_pinned_for_its_go_version():
    files = rendered(PINNED)
    job = gitlab_job(files)
    assert job["parallel"]["matrix"] == [{"GO_VERSION": v, "ENVBUILDER_CI_IMAGE": image}
                                         for v, image in zip(VERSIONS, IMAGES)]
    assert job["image"] == "${ENVBUILDER_CI_IMAGE}"
    assert schema_errors(load_yaml(files[GITLAB]), "gitlab-ci") == []


def test_pinning_by_digest_leaves_the_spec_hash_and_so_the_lock_and_images_as_they_were():
    assert spec_hash(Spec.model_validate(PINNED)) == spec_hash(Spec.model_validate(SPEC))


def test_a_digest_for_a_go_version_that_is_not_locked_is_bad_input():
    spec = {**SPEC, "ci": {**SPEC["ci"], "digests": {**DIGESTS, "1.23.4": "sha256:" + "3" * 64}}}
    with pytest.raises(InputError, match=r"^/project/envbuilder.yaml: ci.digests: '1.23.4' is not a locked Go"):
        rendered(spec)


def test_a_pipeline_half_pinned_is_bad_input():
    spec = {**SPEC, "ci": {**SPEC["ci"], "digests": {VERSIONS[0]: DIGESTS[VERSIONS[0]]}}}
    with pytest.raises(InputError, match=r"ci.digests: no digest for Go 1.24.11 \(`envbuilder build --target ci "
                                         r"--push --go 1.24.11` prints it\)"):
        rendered(spec)


@pytest.mark.parametrize("bad", ["sha256:abc", "md5:" + "1" * 32, "latest"])
def test_a_digest_that_is_no_sha256_is_refused_by_the_spec(bad):
    from pydantic import ValidationError

    with pytest.raises(ValidationError):
        Spec.model_validate({**SPEC, "ci": {**SPEC["ci"], "digests": {VERSIONS[0]: bad}}})


def test_unpinned_pipelines_are_unchanged():
    assert GITHUB in rendered(SPEC) and "@sha256:" not in "".join(rendered(SPEC).values())
