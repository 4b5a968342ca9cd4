"""End-to-end tests in real headless Chromium (Debian's /usr/bin/chromium driven by Playwright).

The server runs the real app over a SQLite store filled from ``samples/`` by the real
pipeline; uploads run the real ingest flow. Screenshots of every page, at 1280 px and
400 px wide, are kept in ``test-artifacts/screenshots/``.
"""
from __future__ import annotations

import io
import os
import shutil
import socket
import threading
import time
import zipfile
from pathlib import Path

import pytest

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parents[1]
SHOTS = ROOT / "test-artifacts" / "screenshots"
CHROMIUM = os.environ.get("TIMPORA_CHROMIUM") or shutil.which("chromium") or "/usr/bin/chromium"
NO_OFFICE = ("Rapat koordinasi Tim Pengawasan Orang Asing (TIMPORA) digelar pada Selasa, 7 Maret 2023 "
             "di Aula Kantor Bupati Alor, Kabupaten Alor. Rapat dipimpin oleh Sekretaris Daerah Kabupaten "
             "Alor dan dihadiri Polres Alor, Kodim 1622/Alor serta Dinas Tenaga Kerja.")
UPLOADED = ("Kantor Imigrasi Kelas II TPI Atambua melaksanakan operasi gabungan TIMPORA di Kabupaten "
            "Belu pada Kamis, 14 Maret 2024. Tim mendatangi Hotel Nusantara Atambua dan menemukan dua WNA "
            "asal Timor Leste yang izin tinggalnya telah habis; keduanya diamankan. Operasi melibatkan "
            "Polres Belu dan Kodim 1605/Belu.")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    from pipeline import store
    from pipeline.db import open_engine, session_scope
    from pipeline.extract import extract
    from pipeline.read import iter_sources, read_source
    from web.app import create_app

    tmp = tmp_path_factory.mktemp("web-e2e")
    url = f"sqlite:///{tmp / 'e2e.sqlite'}"
    (tmp / "alor-2023.txt").write_text(NO_OFFICE, encoding="utf-8")
    engine = open_engine(url)
    for ref in list(iter_sources([ROOT / "samples"])) + list(iter_sources([tmp / "alor-2023.txt"])):
        src = read_source(ref)
        with session_scope(engine) as s:
            store.save_report(s, src, extract(src.text, doc_id=src.id, locate=src.locate))
    app = create_app(url, secret="e2e-secret", upload_dir=tmp / "uploads")
    port = _free_port()
    srv = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=srv.run, daemon=True)
    thread.start()
    for _ in range(100):
        if srv.started:
            break
        time.sleep(0.1)
    yield f"http://127.0.0.1:{port}", tmp
    srv.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=[
            "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
            "--disable-background-networking", "--disable-component-update", "--disable-sync"])
        yield b
        b.close()


@pytest.fixture()
def page(browser):
    ctx = browser.new_context(viewport={"width": 1280, "height": 900})
    pg = ctx.new_page()
    yield pg
    ctx.close()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}-1280.png"), full_page=True)
    width = page.viewport_size
    page.set_viewport_size({"width": 400, "height": 900})
    page.screenshot(path=str(SHOTS / f"{name}-400.png"), full_page=True)
    # readable at 400 px: nothing wider than the viewport but the scrollable text and tables
    overflow = page.evaluate("document.documentElement.scrollWidth")
    page.set_viewport_size(width)
    assert overflow <= 420, f"{name} overflows at 400 px ({overflow}px)"


def sign_in(page, base: str, name: str = "Rina Wulandari") -> None:
    page.goto(f"{base}/login?next=/review")
    page.fill("input[name=name]", name)
    page.click("button[type=submit]")
    page.wait_for_url("**/review**")


def test_search_by_agency_then_correct_a_flagged_field_with_the_keyboard(server, page):
    base, _ = server
    page.goto(f"{base}/search")
    page.fill("input[name=agency]", "Polres Muko-Muko")
    page.press("input[name=agency]", "Enter")
    page.wait_for_url("**agency=Polres**")
    shoot(page, "search")
    link = page.locator("table.rows tbody a").first
    assert "2017-05-16" in page.locator("table.rows tbody").inner_text()
    link.click()
    page.wait_for_url("**/reports/**")
    assert "Muko-Muko" in page.locator("#source").inner_text()
    shoot(page, "report")

    # the Alor report names no office: a flagged field in the queue
    sign_in(page, base)
    page.goto(f"{base}/review?field=office")
    assert page.locator(".field-name").inner_text() == "office"
    assert "alor-2023" in page.locator("section.item h2").inner_text()
    shoot(page, "review")
    page.keyboard.press("e")
    assert page.evaluate("document.activeElement.id") == "value"
    page.keyboard.type("Kantor Imigrasi Kelas II TPI Kalabahi")
    page.keyboard.press("Enter")
    page.wait_for_url("**saved=office**")

    page.goto(f"{base}/search?q=Alor")
    page.locator("table.rows tbody a").first.click()
    page.wait_for_url("**/reports/**")
    row = page.locator("#field-office")
    assert "Kantor Imigrasi Kelas II TPI Kalabahi" in row.inner_text()
    assert "corrected" in row.inner_text()
    page.reload()
    assert "Kantor Imigrasi Kelas II TPI Kalabahi" in page.locator("#field-office").inner_text()
    history = page.locator("ol.history").inner_text()
    assert "office correct by Rina Wulandari" in history


def test_accept_with_a_key_moves_to_the_next_item(server, page):
    base, _ = server
    sign_in(page, base, "Budi")
    page.goto(f"{base}/review")
    if page.locator("section.item").count() == 0:
        pytest.fail("the review queue is empty: the Alor report should have flagged fields")
    first = page.locator("section.item h2").inner_text()
    page.keyboard.press("a")
    page.wait_for_url("**saved=**")
    assert page.locator("p.ok").count() == 1
    after = page.locator("section.item h2").inner_text() if page.locator("section.item").count() else ""
    assert after != first


def test_upload_a_zip_then_its_report_appears_in_search(server, page):
    base, tmp = server
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("laporan/atambua-2024.txt", UPLOADED)
        zf.writestr("laporan/kosong.txt", "")
    archive = tmp / "upload.zip"
    archive.write_bytes(buf.getvalue())
    page.goto(f"{base}/upload")
    shoot(page, "upload")
    page.set_input_files("input[type=file]", str(archive))
    page.click("form.stack button[type=submit]")
    page.wait_for_url("**/upload/**")
    deadline = time.monotonic() + 180
    status = ""
    while status not in ("done", "failed"):  # the page refreshes itself every 2 s while running
        assert time.monotonic() < deadline, "the upload's ingest did not finish in 180 s"
        page.wait_for_timeout(1000)
        try:
            status = page.locator("#job-status").inner_text(timeout=5000)
        except Exception:  # caught mid-refresh
            status = ""
    assert page.locator("#job-status").inner_text() == "done", page.content()
    assert "empty" in page.locator("ul.failures").inner_text()  # the bad member is listed
    shoot(page, "upload-summary")
    page.goto(f"{base}/search?q=Atambua")
    assert "Atambua" in page.locator("table.rows tbody").inner_text()
    page.goto(f"{base}/accuracy")
    shoot(page, "accuracy")
