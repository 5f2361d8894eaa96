"""The reports and inspect's facts are plain dataclasses that write their JSON without pydantic: byte for byte
what pydantic's own serializer writes for the same records, and pydantic still gives their schema and reads
them back."""

from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

from hypothesis import given
from hypothesis import strategies as st
from pydantic import TypeAdapter

from envbuilder.inspect.facts import BinaryFacts, GoBuildInfo, Module
from envbuilder.inspect.run import InspectReport
from envbuilder.record import dump_json
from envbuilder.report import CheckResult, Report, to_json

STARTED = datetime(2024, 5, 1, 12, 0, 0, tzinfo=timezone.utc)


def pydantics_json(value: object, indent: int | None = 2) -> str:
    return TypeAdapter(type(value)).dump_json(value, indent=indent).decode()


def facts() -> BinaryFacts:
    info = GoBuildInfo(go_version="go1.22.10", path="example.com/app",
                       main=Module(path="example.com/app", version="(devel)"),
                       deps=[Module(path="golang.org/x/sys", version="v0.20.0", sum="h1:abc=",
                                    replace=Module(path="../sys"))],
                       settings=[("GOOS", "linux"), ("GOARCH", "amd64"), ("-trimpath", "true")], modinfo="path\tx\n")
    fat = BinaryFacts(path="fat", format="macho-fat", slices=[BinaryFacts(path="fat[arm64]", size=3, bits=64)])
    return BinaryFacts(path="app_linux_amd64 é\t\x01", size=1234, format="elf", bits=64, endian="little",
                       machine="EM_X86_64", os="linux", arch="amd64", kind="exe", linkage="static",
                       needed=["libc.so.6"], stripped=True, pie=False, go=info, slices=[fat])


def report() -> InspectReport:
    return InspectReport(started=STARTED, finished=STARTED + timedelta(microseconds=1500), binaries=[facts()],
                         results=[CheckResult(id="binary.read", target="app", status="pass", duration=2.5e-05),
                                  CheckResult(id="binary.go", target="app", status="fail", expected="go1.22",
                                              actual="go1.21", message="old", duration=1.0)])


def test_an_inspect_report_is_written_as_pydantic_writes_it_indented_and_compact():
    assert dump_json(report()) == pydantics_json(report())
    assert dump_json(report(), indent=None) == pydantics_json(report(), indent=None)
    assert to_json(report()) == pydantics_json(report())


@given(st.floats(allow_nan=False, allow_infinity=False))
def test_every_duration_is_written_as_pydantic_writes_it(seconds):
    result = CheckResult(id="x", target="t", status="pass", duration=seconds)
    assert dump_json(result) == pydantics_json(result)


@given(st.text(), st.datetimes(timezones=st.sampled_from([timezone.utc, timezone(timedelta(hours=-3))])))
def test_any_text_and_time_is_written_as_pydantic_writes_it(text, when):
    record = Report(tool=text, started=when, results=[CheckResult(id=text, target="t", status="skip", message=text)])
    assert dump_json(record) == pydantics_json(record)


def test_a_file_name_that_is_not_utf8_becomes_escapes_that_give_its_bytes_back():
    name = b"app\xff".decode("utf-8", "surrogateescape")
    record = InspectReport(started=STARTED, binaries=[BinaryFacts(path=name)],
                           results=[CheckResult(id="binary.read", target=name, status="error", duration=3e-07)])
    text = to_json(record)
    assert "\\udcff" in text
    assert json.loads(text)["binaries"][0]["path"] == name
    # pydantic refuses such text: it is written as json.dumps writes pydantic's JSON-ready dump
    pythons = json.dumps(record.model_dump(mode="json"), indent=2, ensure_ascii=False)
    assert text == pythons.replace(name, "app\\udcff") and '"duration": 3e-07' in text


def test_pydantic_still_reads_them_back_and_gives_their_schema():
    assert InspectReport.model_validate(json.loads(to_json(report()))) == report()
    assert facts().model_dump(exclude={"path", "size"})["go"]["settings"][0] == ("GOOS", "linux")
    schema = InspectReport.model_json_schema()
    assert schema["$defs"]["BinaryFacts"]["description"].startswith("Facts about one file")
    assert "description" not in Report.model_json_schema()  # no docstring, no description, as for a model
