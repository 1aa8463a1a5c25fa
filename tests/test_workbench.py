"""End to end: `vnre serve` on a database built from the bundled corpus, driven in headless
Chromium by Playwright (the system's /usr/bin/chromium; .ci/run installs it when missing).

Screenshots go to the test's tmp dir, or to $VNRE_SCREENSHOTS when set."""
from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from urllib.parse import quote

import pytest

ROOT = Path(__file__).resolve().parent.parent
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser") or "/usr/bin/chromium"
if os.environ.get("VNRE_REQUIRE_BROWSER"):      # CI: a missing piece is a failure, not a skip
    import datasette  # noqa: F401
    import playwright.sync_api as sync_api
    assert Path(CHROMIUM).exists(), "no system chromium (apt-get install chromium)"
else:
    pytest.importorskip("datasette")
    sync_api = pytest.importorskip("playwright.sync_api")
    pytestmark = pytest.mark.skipif(not Path(CHROMIUM).exists(), reason="no system chromium (apt-get install chromium)")

XSS_ID = 'xss"><img src=x onerror="window.__xss=1">'
XSS_TEXT = ('<script>window.__xss=2</script> Chiều 10/11, UBND tỉnh Bình Dương "><img src=x '
            'onerror="window.__xss=3"> công bố Chỉ số cải cách hành chính đạt 87,87/100 điểm.')
TRY_TEXT = ("Ngày 28/10/2022, Phó Tổng Thanh tra Chính phủ Lê Sỹ Bảy làm việc với UBND tỉnh Bình Dương. "
            "Năm 2021, tỉnh đạt 87,87/100 điểm Chỉ số cải cách hành chính, xếp hạng 13/63.")
CHROME_FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _vnre() -> list[str]:
    exe = Path(sys.executable).parent / "vnre"
    return [str(exe)] if exe.exists() else [sys.executable, "-m", "vn_reform_extract.cli"]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    tmp = tmp_path_factory.mktemp("workbench")
    sample = (ROOT / "corpus" / "news_sample.jsonl").read_text(encoding="utf-8").splitlines()[:40]
    records = [json.loads(line) for line in sample]
    records.append({"id": XSS_ID, "text": XSS_TEXT, "published": "2022-11-11"})
    src = tmp / "articles.jsonl"
    src.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    db = tmp / "news.sqlite"
    subprocess.run(_vnre() + ["extract", str(src), "--db", str(db), "-q"], check=True, timeout=300)
    port = _free_port()
    proc = subprocess.Popen(_vnre() + ["serve", str(db), "--port", str(port)],
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            urllib.request.urlopen(base + "/-/versions.json", timeout=2).read()
            break
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                proc.kill()
                pytest.fail("vnre serve did not start: " + (proc.stdout.read() if proc.stdout else ""))
            time.sleep(0.3)
    shots = Path(os.environ.get("VNRE_SCREENSHOTS") or tmp / "shots")
    shots.mkdir(parents=True, exist_ok=True)
    yield {"base": base, "db": "news", "shots": shots, "records": records}
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture(scope="module")
def page(server):
    with sync_api.sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROME_FLAGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
        pg = context.new_page()
        pg.dialogs = []
        pg.on("dialog", lambda d: (pg.dialogs.append(d.message), d.dismiss()))
        yield pg
        browser.close()


def test_index_lists_the_database_and_the_try_page(server, page):
    page.goto(server["base"] + "/")
    assert "vn_reform_extract workbench" in page.content()
    assert page.locator("a[href='/-/vnre/try']").count() >= 1
    page.screenshot(path=str(server["shots"] / "index.png"), full_page=True)


def test_facts_filtered_by_a_province_facet(server, page):
    page.goto(f"{server['base']}/{server['db']}/facts")
    facet = page.locator(".facet-info[data-column='province_code'] a").first
    facet.wait_for()
    code = facet.text_content().strip().split()[0]
    facet.click()
    page.wait_for_load_state()
    assert "province_code=" in page.url
    cells = page.locator("td.col-province_code").all_text_contents()
    assert cells and {c.strip() for c in cells} == {code}
    page.screenshot(path=str(server["shots"] / "facts_by_province.png"), full_page=True)


def test_canned_query_runs(server, page):
    page.goto(f"{server['base']}/{server['db']}/articles_per_province_over_time")
    rows = page.locator("table.rows-and-columns tbody tr")
    assert rows.count() > 0
    page.goto(f"{server['base']}/{server['db']}/facts_about_a_province?province=" + quote("Hà Nội"))
    assert page.locator("table.rows-and-columns tbody tr").count() > 0
    page.screenshot(path=str(server["shots"] / "canned_query.png"), full_page=True)


def test_full_text_search_over_articles(server, page):
    page.goto(f"{server['base']}/{server['db']}/articles?_search=" + quote("Bình Dương"))
    assert page.locator("table.rows-and-columns tbody tr").count() >= 1


def test_article_page_highlights_mentions_with_links(server, page):
    page.goto(f"{server['base']}/{server['db']}/articles")
    from datasette.utils import tilde_encode
    first = server["records"][0]["id"]
    link = page.locator(f"td.col-text a.vnre-open[href$='/{tilde_encode(first)}']").first
    link.click()
    page.wait_for_load_state()
    assert "/-/vnre/article/" in page.url
    marks = page.locator(".vnre-text mark")
    assert marks.count() >= 3
    assert page.locator(".vnre-list a.vnre-link").count() >= 1
    page.locator(".vnre-list a.vnre-link").first.click()
    page.wait_for_load_state()
    assert page.locator("table.rows-and-columns tbody tr").count() >= 1
    page.go_back()
    page.screenshot(path=str(server["shots"] / "article.png"), full_page=True)


def test_try_page_extracts_a_pasted_text_and_downloads_json(server, page):
    page.goto(server["base"] + "/-/vnre/try")
    page.fill("#vnre-text", TRY_TEXT)
    page.fill("#vnre-published", "2022-11-02")
    page.click("#vnre-submit")
    page.wait_for_selector("#vnre-result")
    assert page.locator("#vnre-result mark").count() >= 4
    assert "Lê Sỹ Bảy" in page.locator("#vnre-result .vnre-side").inner_text()
    page.screenshot(path=str(server["shots"] / "try.png"), full_page=True)
    with page.expect_download() as dl:
        page.click("#vnre-download")
    data = json.loads(Path(dl.value.path()).read_text(encoding="utf-8"))
    assert data["published"] == "2022-11-02"
    assert any(f["value"] == 87.87 for f in data["facts"])


def test_try_page_refuses_a_text_over_the_limit(server, page):
    from vn_reform_extract.web import TRY_MAX_CHARS
    page.goto(server["base"] + "/-/vnre/try")
    page.evaluate("n => document.querySelector('#vnre-text').value = 'a'.repeat(n)", TRY_MAX_CHARS + 1)
    page.click("#vnre-submit")
    assert "at most" in page.locator("#vnre-error").inner_text()


def test_hostile_text_and_id_stay_inert(server, page):
    from datasette.utils import tilde_encode
    page.goto(f"{server['base']}/-/vnre/article/{server['db']}/{tilde_encode(XSS_ID)}")
    assert page.locator(".vnre-text").inner_text().startswith("<script>window.__xss=2</script>")
    assert page.evaluate("typeof window.__xss") == "undefined"
    page.goto(f"{server['base']}/{server['db']}/articles")
    page.goto(server["base"] + "/-/vnre/try")
    page.fill("#vnre-text", XSS_TEXT)
    page.click("#vnre-submit")
    page.wait_for_selector("#vnre-result")
    assert page.evaluate("typeof window.__xss") == "undefined"
    assert page.locator("#vnre-result img").count() == 0
    assert page.dialogs == []
    page.screenshot(path=str(server["shots"] / "xss.png"), full_page=True)


def test_post_without_csrf_token_is_refused(server):
    # a browser that holds the workbench's cookie (the case CSRF is about) but a forged form
    req = urllib.request.Request(server["base"] + "/-/vnre/try", data=b"text=abc", method="POST",
                                 headers={"content-type": "application/x-www-form-urlencoded",
                                          "cookie": "ds_csrftoken=forged"})
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=10)
    assert err.value.code == 403


def test_serve_binds_to_localhost_by_default():
    from vn_reform_extract.cli import build_parser
    args = build_parser().parse_args(["serve", "x.sqlite"])
    assert args.host == "127.0.0.1"
