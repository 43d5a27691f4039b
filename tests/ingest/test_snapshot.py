import hashlib
import json
import lzma
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from paperhub.ingest import snapshot
from paperhub.ingest.report import ErrorLog, RecordError
from paperhub.ingest.snapshot import parse_record, read_snapshot
from paperhub.papers.models import Paper
from paperhub.papers.records import LIMITS, MAX_AUTHORS, PaperRecord
from tests.factories import snapshot_object, write_snapshot


def ingest(*args):
    out, err = StringIO(), StringIO()
    call_command("ingest", "snapshot", *map(str, args), stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_parse_record_maps_every_field():
    obj = snapshot_object(
        "0704.0001", doi="10.1000/x", **{"journal-ref": "J. Test 1", "report-no": "TR-1"},
        versions=[{"version": "v1", "created": "Mon, 2 Apr 2007 19:18:42 GMT"},
                  {"version": "v2", "created": "Tue, 24 Jul 2007 20:10:27 GMT"}],
        authors_parsed=[["Bal\\'azs", "C.", ""], ["Berger", "E. L.", "Jr"]],
    )
    r = parse_record(obj)
    assert (r.uid, r.version, r.doi, r.journal_ref, r.report_no) == ("0704.0001", 2, "10.1000/x", "J. Test 1", "TR-1")
    assert r.published.isoformat() == "2007-04-02T19:18:42+00:00"
    assert r.updated.isoformat() == "2007-07-24T20:10:27+00:00"
    assert r.authors == ("C. Balázs", "E. L. Berger Jr")
    assert r.categories == ("cs.CL", "cs.LG")
    assert r.abstract == "Abstract of 0704.0001 with $x^2$ math."
    assert r.source == "arxiv-snapshot"


def test_parse_record_falls_back_to_the_authors_string():
    r = parse_record(snapshot_object(authors_parsed=None, authors="A. One, B. Two and C. Three"))
    assert r.authors == ("A. One", "B. Two", "C. Three")


@pytest.mark.parametrize(("obj", "reason"), [
    ([1, 2], "must be a JSON object"),
    (snapshot_object(id=None), "missing field 'id'"),
    (snapshot_object(id=12345), "field 'id' must be a string, not a number"),
    (snapshot_object(id="nonsense"), "not an arXiv id"),
    (snapshot_object(title=None), "missing field 'title'"),
    (snapshot_object(title="   "), "empty title"),
    (snapshot_object(abstract=["a"]), "field 'abstract' must be a string, not an array"),
    (snapshot_object(versions="v1"), "versions must be a list"),
    (snapshot_object(versions=[{"version": "v1", "created": "yesterday"}]), "is not a date"),
    (snapshot_object(authors_parsed=[["A", 1, ""]]), "authors_parsed must be"),
    (snapshot_object(categories=7), "field 'categories' must be a string"),
])
def test_parse_record_rejects_with_a_reason(obj, reason):
    with pytest.raises(RecordError, match=reason):
        parse_record(obj)


@pytest.mark.parametrize("suffix", [".jsonl", ".jsonl.gz", ".jsonl.xz"])
def test_read_snapshot_plain_gzip_xz(tmp_path, suffix):
    path = write_snapshot(tmp_path / f"s{suffix}", [snapshot_object(f"2501.{i:05d}") for i in range(1, 4)])
    items = list(read_snapshot(path))
    assert [r.uid for r in items if isinstance(r, PaperRecord)] == ["2501.00001", "2501.00002", "2501.00003"]


def test_compression_is_detected_by_content_not_name(tmp_path):
    path = tmp_path / "misnamed.json"
    path.write_bytes(lzma.compress(json.dumps(snapshot_object()).encode()))
    assert [r.uid for r in read_snapshot(path)] == ["2501.00001"]


def test_bad_lines_are_reported_with_line_numbers_and_the_rest_land(tmp_path):
    path = write_snapshot(tmp_path / "mixed.jsonl", [
        snapshot_object("2501.00001"),
        '{"id": "2501.00002", "title": ',             # malformed JSON
        b'{"id": "2501.00003", "title": "caf\xe9"}',   # invalid UTF-8
        snapshot_object("2501.00004", title=42),      # mistyped field
        "",                                           # blank line: ignored, still counted
        snapshot_object("2501.00006"),
    ])
    items = list(read_snapshot(path))
    bad = {b.line: b.reason for b in items if not isinstance(b, PaperRecord)}
    assert set(bad) == {2, 3, 4}
    assert bad[2] == "malformed JSON: Expecting value at column 31"  # the standard library's words, not msgspec's
    assert bad[3] == "invalid UTF-8 at byte 34" and "must be a string" in bad[4]
    assert [r.uid for r in items if isinstance(r, PaperRecord)] == ["2501.00001", "2501.00006"]


def test_bad_input_is_named_in_jsons_words(tmp_path):
    """"Unterminated string starting at at column 8", "not NoneType", and an .xz that is not one read as text."""
    path = write_snapshot(tmp_path / "odd.jsonl", ['{"id": "x', "null", "[1]"])
    assert [b.reason for b in read_snapshot(path)] == [
        "malformed JSON: Unterminated string starting at column 8", "a record must be a JSON object, not null",
        "a record must be a JSON object, not an array"]
    fake = tmp_path / "fake.jsonl.xz"
    fake.write_text(json.dumps(snapshot_object()))
    assert [(b.line, b.reason) for b in read_snapshot(fake)] == [
        (1, "not an xz file, though its name ends .xz: nothing read")]
    errors = tmp_path / "errors.jsonl"
    log = ErrorLog(errors)
    for bad in read_snapshot(path):
        log.add(bad)
    log.close()
    assert json.loads(errors.read_text().splitlines()[1]) == {"line": 2, "reason": "a record must be a JSON object, "
                                                                                   "not null"}  # no "where": ""


def test_lines_the_quick_parser_refuses_are_read_as_json_allows(tmp_path):
    # msgspec refuses NaN and lone surrogates; Python's json takes them, and so did ingest before msgspec
    path = write_snapshot(tmp_path / "odd.jsonl", [
        '{"id": "2501.00001", "title": "Odd", "score": NaN}',
        '{"id": "2501.00002", "title": "Half \\ud800 a character"}',
    ])
    assert [(r.uid, r.title) for r in read_snapshot(path)] == [("2501.00001", "Odd"),
                                                               ("2501.00002", "Half a character")]


def test_truncated_xz_keeps_every_complete_record(tmp_path):
    noise = [hashlib.sha256(str(i).encode()).hexdigest() * 20 for i in range(400)]  # compresses poorly
    lines = [json.dumps(snapshot_object(f"2501.{i:05d}", abstract=noise[i])) for i in range(1, 400)]
    whole = lzma.compress("\n".join(lines).encode())
    path = tmp_path / "cut.jsonl.xz"
    path.write_bytes(whole[: len(whole) // 2])
    items = list(read_snapshot(path))
    good = [r for r in items if isinstance(r, PaperRecord)]
    assert 0 < len(good) < 399
    assert [r.uid for r in good] == [f"2501.{i:05d}" for i in range(1, len(good) + 1)]
    last = items[-1]
    assert not isinstance(last, PaperRecord) and "truncated or corrupt" in last.reason


@pytest.mark.django_db
def test_ingest_command_lands_reports_and_reruns_with_0_new(tmp_path):
    path = write_snapshot(tmp_path / "s.jsonl.xz", [
        snapshot_object("2501.00001"), "not json", snapshot_object("2501.00002"), snapshot_object("2501.00003"),
    ])
    errors = tmp_path / "errors.jsonl"
    out, err = ingest(path, "--errors", errors)
    assert "3 papers read: 3 new, 0 updated, 0 unchanged; 1 bad record (" in out
    assert "line 2: malformed JSON" in err
    assert [json.loads(line)["line"] for line in errors.read_text().splitlines()] == [2]
    out, _ = ingest(path)
    assert "3 papers read: 0 new, 0 updated, 3 unchanged" in out
    assert Paper.objects.count() == 3


@pytest.mark.django_db
def test_newer_snapshot_version_updates(tmp_path):
    ingest(write_snapshot(tmp_path / "a.jsonl", [snapshot_object("2501.00001", title="First")]))
    newer = snapshot_object("2501.00001", title="Second", versions=[
        {"version": "v1", "created": "Mon, 6 Jan 2025 18:00:00 GMT"},
        {"version": "v2", "created": "Mon, 3 Feb 2025 18:00:00 GMT"}])
    out, _ = ingest(write_snapshot(tmp_path / "b.jsonl", [newer]))
    assert "0 new, 1 updated" in out
    assert Paper.objects.get().title == "Second"


@pytest.mark.django_db
def test_filters_and_limit(tmp_path):
    path = write_snapshot(tmp_path / "s.jsonl", [
        snapshot_object("2501.00001", categories="cs.CL"),
        snapshot_object("2501.00002", categories="math.CO cs.DM"),
        snapshot_object("2501.00003", categories="stat.ML", versions=[{"version": "v1", "created": "Wed, 1 Jan 2020 00:00:00 GMT"}]),
        snapshot_object("2501.00004", categories="cs.LG"),
    ])
    out, _ = ingest(path, "--categories", "cs.CL,stat")
    assert "2 new" in out and "2 skipped by filters" in out
    assert set(Paper.objects.values_list("uid", flat=True)) == {"2501.00001", "2501.00003"}
    out, _ = ingest(path, "--since", "2024-06-01", "--categories", "cs")
    assert set(Paper.objects.values_list("uid", flat=True)) == {"2501.00001", "2501.00002", "2501.00003", "2501.00004"}
    Paper.objects.all().delete()
    ingest(path, "--limit", "2")
    assert Paper.objects.count() == 2


@pytest.mark.django_db
def test_exit_code_is_non_zero_only_when_nothing_could_be_read(tmp_path):
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_bytes(b"\x00\x01 not json\n{broken\n")
    with pytest.raises(CommandError, match="no record could be read"):
        ingest(garbage)
    with pytest.raises(CommandError, match="no such file"):
        ingest(tmp_path / "missing.jsonl")
    (tmp_path / "empty.jsonl").write_bytes(b"")
    with pytest.raises(CommandError, match="empty.jsonl holds no record"):  # read, and nothing in it
        ingest(tmp_path / "empty.jsonl")
    mostly_bad = write_snapshot(tmp_path / "m.jsonl", ["{", "{", snapshot_object()])
    out, _ = ingest(mostly_bad)  # no exception: one good record is enough
    assert "1 new" in out


def test_cli_exit_codes(hub, tmp_path):
    """The real console script: exit 1 and a message when nothing could be read."""
    garbage = tmp_path / "garbage.jsonl"
    garbage.write_text("nope\n")
    bad = hub.run("ingest", "snapshot", str(garbage), check=False)
    assert bad.returncode == 1 and "no record could be read" in bad.stderr
    good = write_snapshot(tmp_path / "g.jsonl", [snapshot_object(), "bad line"])
    ok = hub.run("ingest", "snapshot", str(good), check=False)
    assert ok.returncode == 0 and "1 new" in ok.stdout and "line 2" in ok.stderr


@pytest.mark.django_db
def test_hostile_records_are_cleaned_or_reported_and_the_rest_land(tmp_path):
    path = write_snapshot(tmp_path / "hostile.jsonl", [
        snapshot_object("2501.00001", title="Con\x01trol \x1b[31mred\x7f", authors_parsed=None,
                        authors="Ada\x0b Love\x00lace, Alan Turing",
                        abstract="First\x00 paragraph.\n  Second\x07 paragraph,\twith a tab.", comments="\x85 5 pages",
                        doi="10.1/x\x01"),
        snapshot_object("2501.00002", title="Half \ud800 a character"),  # JSON's lone surrogate: UTF-8 cannot hold it
        snapshot_object("2501.00003", title="\x01\x02"),
        snapshot_object("2501.00004", abstract="x" * (LIMITS["abstract"] + 1)),
        snapshot_object("2501.00005", title="t" * (LIMITS["title"] + 1)),
        snapshot_object("2501.00006", authors_parsed=[[f"Author{i}", "A", ""] for i in range(MAX_AUTHORS + 1)]),
        snapshot_object("2501.00007"),
    ])
    errors = tmp_path / "errors.jsonl"
    out, err = ingest(path, "--errors", errors)
    assert "3 papers read: 3 new, 0 updated, 0 unchanged; 4 bad records" in out
    bad = {json.loads(line)["line"]: json.loads(line)["reason"] for line in errors.read_text().splitlines()}
    assert bad == {3: "empty title", 4: "abstract is 10,001 characters long, over the limit of 10,000",
                   5: "title is 1,001 characters long, over the limit of 1,000",
                   6: "10,001 authors, over the limit of 10,000"}
    assert "line 4: abstract is 10,001 characters long" in err
    paper = Paper.objects.get(uid="2501.00001")
    assert paper.title == "Control [31mred" and paper.comments == "5 pages" and paper.doi == "10.1/x"
    assert paper.abstract == "First paragraph.\n\nSecond paragraph,\twith a tab."  # paragraphs and tabs kept
    assert [a.author.name for a in paper.authorships.order_by("position")] == ["Ada Lovelace", "Alan Turing"]
    assert Paper.objects.get(uid="2501.00002").title == "Half a character"


def test_xz_of_several_streams_then_junk_reads_as_lzma_open_does_in_blocks_of_any_size(tmp_path, monkeypatch):
    monkeypatch.setattr(snapshot, "_MOST", 100)  # blocks far smaller than a stream's output: read in turns
    first = [json.dumps(snapshot_object(f"2501.{i:05d}")) for i in range(1, 30)]
    second = [json.dumps(snapshot_object(f"2501.{i:05d}")) for i in range(30, 60)]
    path = tmp_path / "joined.jsonl.xz"
    path.write_bytes(lzma.compress(("\n".join(first) + "\n").encode()) + lzma.compress("\n".join(second).encode())
                     + b"not xz" * 4)  # what follows the last stream, ignored as lzma.open ignores it
    assert [r.uid for r in read_snapshot(path)] == [f"2501.{i:05d}" for i in range(1, 60)]
    with lzma.open(path) as whole:
        assert b"".join(snapshot._blocks(path)) == whole.read()


def test_a_missing_file_fails_at_the_call(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_snapshot(tmp_path / "nowhere.jsonl.xz").__next__()


def test_a_negative_limit_or_a_directory_is_refused_saying_so(tmp_path, capsys):
    """`--limit -1` ingested one paper; a directory was "no such file"."""
    path = write_snapshot(tmp_path / "s.jsonl", [snapshot_object("2501.00001")])
    with pytest.raises(SystemExit):  # (ingest's subcommands print their usage and exit, as on the command line)
        call_command("ingest", "snapshot", str(path), "--limit", "-1")
    assert "-1 is out of range: 0 or more" in capsys.readouterr().err
    with pytest.raises(CommandError, match="-1 is out of range: 0 or more"):
        call_command("links", "stars", "--limit", "-1")
    with pytest.raises(CommandError, match="is a directory"):
        call_command("ingest", "snapshot", str(tmp_path))
