"""The offline fixtures' base image per architecture: a `docker load` archive that states its platform (the
engine's `docker import --platform` does not), and the mirror's arm64 Go. No Docker, no downloads."""

from __future__ import annotations

import hashlib
import io
import json
import tarfile
from pathlib import Path

from fixtures import gotoolchains
from fixtures.baseimage import BASE_IMAGES, _image_archive


def _tree(root: Path) -> Path:
    (root / "etc").mkdir(parents=True)
    (root / "etc" / "os-release").write_text("ID=debian\n")
    (root / "etc" / "hostname").write_text("the-build-host\n")
    (root / ".envbuilder-complete").write_text("done\n")
    return root


def test_the_archive_is_one_layer_image_of_the_architecture_asked_for(tmp_path):
    work = tmp_path / "work"
    work.mkdir()
    archive = _image_archive(_tree(tmp_path / "tree"), "arm64", BASE_IMAGES["arm64"], work)
    with tarfile.open(archive) as outer:
        (manifest,) = json.load(outer.extractfile("manifest.json"))
        config = json.load(outer.extractfile("config.json"))
        layer = outer.extractfile("layer.tar").read()
    assert manifest == {"Config": "config.json", "RepoTags": ["envbuilder-fixtures/bookworm:minbase-arm64"],
                        "Layers": ["layer.tar"]}
    assert (config["os"], config["architecture"]) == ("linux", "arm64")
    assert config["rootfs"]["diff_ids"] == ["sha256:" + hashlib.sha256(layer).hexdigest()]
    assert config["config"]["Cmd"] == ["bash"]
    with tarfile.open(fileobj=io.BytesIO(layer)) as inner:
        names = inner.getnames()
    assert "./etc/os-release" in names
    assert "./etc/hostname" not in names and "./.envbuilder-complete" not in names  # host facts, our marker


def test_the_same_tree_gives_the_same_image(tmp_path):
    tree = _tree(tmp_path / "tree")
    configs = []
    for run in ("a", "b"):
        (tmp_path / run).mkdir()
        with tarfile.open(_image_archive(tree, "amd64", BASE_IMAGES["amd64"], tmp_path / run)) as outer:
            configs.append(outer.extractfile("config.json").read())
    assert configs[0] == configs[1]


def test_the_mirror_holds_arm64_go_only_for_the_versions_that_need_it():
    assert gotoolchains.archs("1.22.10") == ("amd64", "arm64")
    assert gotoolchains.archs("1.26.1") == ("amd64",)
