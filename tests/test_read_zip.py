"""Folders and .zip archives: expansion order, members read in memory, unsafe members refused."""
from __future__ import annotations

import zipfile
from pathlib import Path

import pytest

from pipeline.cli import main
from pipeline.read import MAX_COMPRESSION_RATIO, ReadError, iter_sources, read_source

TEXT = "Rapat TIMPORA Kota Kupang dipimpin oleh Kepala Kantor Imigrasi Kelas I TPI Kupang."


def make_zip(path: Path, members) -> Path:
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as zf:
        for name, data in members:
            zf.writestr(name, data)
    return path


def test_folder_is_expanded_recursively_in_order(tmp_path):
    (tmp_path / "b").mkdir()
    (tmp_path / "b" / "2019").mkdir()
    (tmp_path / "a.txt").write_text(TEXT)
    (tmp_path / "b" / "2019" / "c.txt").write_text(TEXT)
    (tmp_path / "b" / "catatan.xlsx").write_bytes(b"x")
    (tmp_path / ".tersembunyi.txt").write_text(TEXT)
    (tmp_path / "b" / "~$laporan.docx").write_bytes(b"lock")
    refs = list(iter_sources([tmp_path]))
    assert [r.id for r in refs] == ["a", "c", "catatan"]
    assert refs[1].name == str(tmp_path / "b" / "2019" / "c.txt")
    with pytest.raises(ReadError) as err:
        read_source(refs[2])
    assert err.value.reason.startswith("unsupported file type '.xlsx'")


def test_zip_members_are_read_in_memory(tmp_path):
    archive = make_zip(tmp_path / "laporan.zip", [
        ("2019/kupang.txt", TEXT.encode("utf-16")),
        ("2019/", b""),
        ("__MACOSX/2019/._kupang.txt", b"junk"),
        ("catatan.odt", b"x"),
    ])
    refs = list(iter_sources([archive]))
    assert [(r.id, r.name, r.member) for r in refs] == [
        ("kupang", f"{archive}!2019/kupang.txt", "2019/kupang.txt"),
        ("catatan", f"{archive}!catatan.odt", "catatan.odt"),
    ]
    doc = read_source(refs[0])
    assert doc.text == TEXT and doc.id == "kupang" and doc.name == refs[0].name
    assert doc.encoding == "utf-16"
    with pytest.raises(ReadError) as err:
        read_source(refs[1])
    assert err.value.reason.startswith("unsupported file type '.odt'")
    assert str(err.value).startswith(f"{archive}!catatan.odt: ")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["laporan.zip"]        # nothing extracted


@pytest.mark.parametrize("member", ["../../etc/passwd.txt", "/etc/laporan.txt", "a/../../b.txt",
                                    "C:\\Windows\\laporan.txt", "..\\..\\laporan.txt"])
def test_path_traversal_member_is_refused(tmp_path, member):
    archive = make_zip(tmp_path / "jahat.zip", [(member, TEXT), ("baik.txt", TEXT)])
    refs = {r.member: r for r in iter_sources([archive])}
    with pytest.raises(ReadError) as err:
        read_source(refs[member])
    assert err.value.reason == "unsafe path in archive (absolute or '..' component); refused"
    assert read_source(refs["baik.txt"]).text == TEXT                       # the rest still reads


def test_zip_bomb_member_is_refused(tmp_path):
    archive = make_zip(tmp_path / "bom.zip", [("bom.txt", b"A" * (20 * 1024 * 1024))])
    [ref] = iter_sources([archive])
    with pytest.raises(ReadError) as err:
        read_source(ref)
    assert err.value.reason.startswith("suspicious compression ratio")
    assert int(err.value.reason.split()[3].split(":")[0]) > MAX_COMPRESSION_RATIO


def test_member_over_the_size_limit_is_refused(tmp_path):
    archive = make_zip(tmp_path / "besar.zip", [("besar.txt", (TEXT + "\n") * 100)])
    [ref] = iter_sources([archive])
    with pytest.raises(ReadError) as err:
        read_source(ref, max_bytes=1000)
    assert err.value.reason.startswith("file too large")


def test_corrupt_zip_is_reported_when_read(tmp_path):
    archive = tmp_path / "rusak.zip"
    archive.write_bytes(b"PK\x03\x04" + b"\x00" * 50)
    [ref] = iter_sources([archive])
    with pytest.raises(ReadError) as err:
        read_source(ref)
    assert err.value.name == str(archive)


def test_cli_reads_every_member_and_fails_on_bad_ones(tmp_path, capsys):
    archive = make_zip(tmp_path / "campur.zip", [("a.txt", TEXT), ("../b.txt", TEXT)])
    with pytest.raises(SystemExit) as stop:
        main(["read", str(archive)])
    out = capsys.readouterr()
    assert stop.value.code == 1
    assert f"==> {archive}!a.txt <==\n{TEXT}\n" in out.out
    assert out.err == f"timpora: error: {archive}!../b.txt: unsafe path in archive (absolute or '..' component); refused\n"


def test_missing_path_in_iter_sources(tmp_path):
    with pytest.raises(ReadError) as err:
        list(iter_sources([tmp_path / "hilang"]))
    assert err.value.reason == "no such file or directory"


def test_read_source_keeps_the_refs_id(tmp_path):
    from pipeline.read import SourceRef

    path = tmp_path / "laporan-bengkulu.txt"
    path.write_text(TEXT, encoding="utf-8")
    doc = read_source(SourceRef(id="017", name="laporan-bengkulu.txt", path=path))
    assert (doc.id, doc.name) == ("017", "laporan-bengkulu.txt")
