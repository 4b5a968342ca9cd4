"""HTTP tests of the web app with FastAPI's TestClient (SQLite store)."""
from __future__ import annotations

import io
import re
import zipfile

import pytest
from fastapi.testclient import TestClient

from models.record import Agency, Chair, Flag, Place, Record
from pipeline import store
from pipeline.db import open_engine, session_scope

MEETING = ("Kantor Imigrasi Kelas I TPI Kupang menggelar rapat TIMPORA di Aula Hotel Sasando, "
           "Selasa (7/3/2023). Rapat dipimpin oleh Asisten I Kabupaten Kupang. "
           "<script>alert('x')</script> Hadir Polres Kupang dan Dinas Tenaga Kerja.")
OPERATION = ("Tim gabungan Kantor Imigrasi Kelas I Bengkulu mendatangi PT Agro Muko di Kabupaten "
             "Mukomuko pada 16 Mei 2017 dan menemukan 3 TKA.")


def _meeting_record() -> Record:
    start = MEETING.index("7/3/2023")
    rec = Record(id="kupang-2023", kind="meeting", office="Kantor Imigrasi Kelas I TPI Kupang",
                 date="2023-03-07", venue="Aula Hotel Sasando", chair=Chair(None, "Asisten I Kabupaten Kupang"),
                 agencies=[Agency("KANIM", "Kantor Imigrasi Kelas I TPI Kupang"), Agency("POLRES", "Polres Kupang")],
                 places=[Place("Kabupaten Kupang", "53.01")])
    rec.flags.append(Flag("date", "year_inferred", "year taken from the publication date", start, start + 8))
    from models.record import Evidence

    rec.evidence["date"] = [Evidence(start, start + 8, "7/3/2023", "date.dmy")]
    return rec


def _operation_record() -> Record:
    return Record(id="mukomuko-op", kind="operation", office="Kantor Imigrasi Kelas I Bengkulu",
                  date="2017-05-16", agencies=[Agency("KANIM", "Kantor Imigrasi Kelas I Bengkulu")],
                  places=[Place("Kabupaten Mukomuko", "17.06")], sites=["PT Agro Muko"],
                  findings=["menemukan 3 TKA"], foreigners_found=3)


@pytest.fixture()
def web(tmp_path, make_source):
    from web.app import create_app

    url = f"sqlite:///{tmp_path / 'web.sqlite'}"
    engine = open_engine(url)
    with session_scope(engine) as s:
        mid, _ = store.save_report(s, make_source(MEETING, "kupang-2023.txt"), _meeting_record())
        oid, _ = store.save_report(s, make_source(OPERATION, "mukomuko-op.txt"), _operation_record())
    app = create_app(url, secret="test-secret", upload_dir=tmp_path / "uploads")
    client = TestClient(app)
    client.get("/search")  # receives the session cookie
    return client, engine, mid, oid


def _csrf(client, path="/upload") -> str:
    html = client.get(path).text
    m = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert m, "page has no CSRF token"
    return m.group(1)


def _login(client, name="Rina"):
    token = _csrf(client, "/login")
    r = client.post("/login", data={"name": name, "csrf_token": token, "next": "/review"}, follow_redirects=False)
    assert r.status_code == 303


def test_search_lists_reports_with_facets(web):
    client, *_ = web
    html = client.get("/search").text
    assert "2 reports" in html
    assert "Kantor Imigrasi Kelas I TPI Kupang" in html
    assert re.search(r"<h3>agency</h3>", html) and re.search(r"<h3>kind</h3>", html)


OFFICE_OF = {"kupang-2023": "Kantor Imigrasi Kelas I TPI Kupang", "mukomuko-op": "Kantor Imigrasi Kelas I Bengkulu"}


@pytest.mark.parametrize("query, shown, hidden", [
    ("agency=POLRES", "kupang-2023", "mukomuko-op"),
    ("place=Mukomuko", "mukomuko-op", "kupang-2023"),
    ("kind=meeting", "kupang-2023", "mukomuko-op"),
    ("from=2020-01-01", "kupang-2023", "mukomuko-op"),
    ("flagged=1", "kupang-2023", "mukomuko-op"),
])
def test_search_filters_from_the_query_string(web, query, shown, hidden):
    client, *_ = web
    html = client.get(f"/search?{query}").text
    assert "1 report " in html or "1 report\n" in html
    assert OFFICE_OF[shown] in html
    assert OFFICE_OF[hidden] not in html


def test_report_page_escapes_script_from_the_report(web):
    client, _, mid, _ = web
    html = client.get(f"/reports/{mid}").text
    assert "<script>alert" not in html
    assert "&lt;script&gt;alert" in html


def test_report_page_highlights_evidence(web):
    client, _, mid, _ = web
    html = client.get(f"/reports/{mid}").text
    assert 'id="ev-date-0"' in html
    assert re.search(r'<mark class="ev" data-fields="date"[^>]*>7/3/2023</mark>', html)


def test_post_without_csrf_token_is_refused(web):
    client, _, mid, _ = web
    _login(client)
    r = client.post(f"/review/{mid}/date", data={"action": "accept"}, follow_redirects=False)
    assert r.status_code == 403


def test_post_with_a_forged_csrf_token_is_refused(web):
    client, _, mid, _ = web
    _login(client)
    r = client.post(f"/review/{mid}/date", data={"action": "accept", "csrf_token": "0" * 64},
                    follow_redirects=False)
    assert r.status_code == 403


def test_correction_needs_a_reviewer(web):
    client, _, mid, _ = web
    r = client.post(f"/review/{mid}/date", data={"action": "accept", "csrf_token": _csrf(client)},
                    follow_redirects=False)
    assert r.status_code == 401


def test_correction_is_stored_shown_and_in_history(web):
    client, engine, mid, _ = web
    _login(client, "Rina")
    r = client.post(f"/review/{mid}/date", data={"action": "correct", "value": "2023-03-08",
                                                 "csrf_token": _csrf(client), "next": f"/reports/{mid}"},
                    follow_redirects=False)
    assert r.status_code == 303
    html = client.get(f"/reports/{mid}").text
    assert "2023-03-08" in html and "corrected" in html and "by Rina" in html
    with session_scope(engine) as s:
        assert store.effective_record(s, mid)["date"] == "2023-03-08"


def test_invalid_date_correction_is_refused_and_nothing_stored(web):
    client, engine, mid, _ = web
    _login(client)
    r = client.post(f"/review/{mid}/date", data={"action": "correct", "value": "31/02/2023",
                                                 "csrf_token": _csrf(client)}, follow_redirects=False)
    assert r.status_code == 400
    with session_scope(engine) as s:
        assert store.effective_record(s, mid)["corrections"] == []


def test_review_queue_shows_flagged_field_then_empties(web):
    client, _, mid, _ = web
    _login(client)
    html = client.get("/review").text
    assert "year_inferred" in html and "kupang-2023" in html
    client.post(f"/review/{mid}/date", data={"action": "accept", "csrf_token": _csrf(client, "/review")})
    assert "Nothing to review" in client.get("/review").text


def test_accuracy_counts_reviewed_fields(web):
    client, _, mid, _ = web
    _login(client)
    token = _csrf(client)
    client.post(f"/review/{mid}/date", data={"action": "accept", "csrf_token": token})
    client.post(f"/review/{mid}/venue", data={"action": "correct", "value": "Hotel Sasando", "csrf_token": token})
    html = client.get("/accuracy").text
    assert re.search(r"<td>date</td><td>1</td><td>1</td>", html)
    assert re.search(r"<td>venue</td><td>1</td><td>0</td>", html)


def _zip(members: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, data in members.items():
            zf.writestr(name, data)
    return buf.getvalue()


def test_upload_with_path_traversal_zip_is_refused(web):
    client, *_ = web
    data = _zip({"../../etc/evil.txt": b"Rapat TIMPORA"})
    r = client.post("/upload", data={"csrf_token": _csrf(client, "/upload")},
                    files=[("files", ("bad.zip", data, "application/zip"))])
    assert r.status_code == 200
    assert "path traversal" in r.text


def test_upload_of_wrong_type_is_refused(web):
    client, *_ = web
    r = client.post("/upload", data={"csrf_token": _csrf(client, "/upload")},
                    files=[("files", ("tool.exe", b"MZ\x90\x00", "application/octet-stream"))])
    assert "unsupported file type" in r.text


def test_zip_bomb_is_refused():
    from web.app import check_zip
    import tempfile
    from pathlib import Path

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("big.txt", b"0" * (20 * 1024 * 1024))
    with tempfile.TemporaryDirectory() as d:
        p = Path(d) / "bomb.zip"
        p.write_bytes(buf.getvalue())
        assert "zip bomb" in check_zip(p)


def test_upload_without_csrf_is_refused(web):
    client, *_ = web
    r = client.post("/upload", files=[("files", ("a.txt", b"Rapat", "text/plain"))])
    assert r.status_code == 403
