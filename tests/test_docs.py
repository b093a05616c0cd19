"""The documentation site as a reader sees it: built offline from the notebooks (`make docs`), served on this machine,
opened in a real headless browser (Debian's chromium, installed when missing): the front page, a module's API page
and a figure render, and a screenshot of each is kept in _proc/."""
import os, socket, subprocess, sys, time
from pathlib import Path
import pytest
from conftest import ROOT, apt_install, run

CHROMIUM = '/usr/bin/chromium'
FLAGS = ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
         '--disable-component-update', '--disable-sync']  # a closed network: no connections of its own

def install_chromium():
    if Path(CHROMIUM).exists(): return
    if os.geteuid() != 0: pytest.skip('installing chromium needs root')
    apt_install('chromium')

@pytest.fixture(scope='module')
def site():
    "The site built by `make docs`' script and served on a free local port."
    r = run(sys.executable, ROOT/'.ci/build-docs')
    assert r.returncode == 0, r.stderr[-3000:]
    with socket.socket() as s: s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]
    server = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1', '--directory', str(ROOT/'_docs')],
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    for _ in range(100):
        with socket.socket() as s:
            if s.connect_ex(('127.0.0.1', port)) == 0: break
        time.sleep(0.1)
    yield f'http://127.0.0.1:{port}'
    server.terminate(); server.wait()

@pytest.fixture(scope='module')
def browser():
    install_chromium()
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=FLAGS)
        yield b.new_page(viewport=dict(width=1280, height=900))
        b.close()

def test_front_page_module_page_and_a_figure_render(site, browser):
    page = browser
    page.goto(f'{site}/index.html'); page.wait_for_load_state('networkidle')
    assert 'scaling_downstream' in page.title()
    nav = page.locator('nav.md-nav--primary').first.inner_text()
    lines = nav.splitlines()
    pages = [lines.index(t) for t in ('Core', 'Pretraining', 'Fitting scaling laws', 'On a SLURM cluster', 'Command line', 'API')]
    assert pages == sorted(pages), nav[:800]  # every notebook a page, in the pipeline's order, then the modules' API
    figure = page.locator('img[src*="fig2_aligned"]').first
    figure.scroll_into_view_if_needed()
    assert page.evaluate('img => img.complete && img.naturalWidth > 500', figure.element_handle()), 'the Fig. 2 image did not load'
    page.screenshot(path=str(ROOT/'_proc/docs-index.png'))
    page.goto(f'{site}/api/fit/index.html'); page.wait_for_load_state('networkidle')
    entry = page.locator('[id="scaling_downstream.fit.fit_law"]')  # the module's API, from its docstrings
    assert entry.count() == 1 and 'fit_law' in entry.inner_text() and 'Huber' in page.locator('article').first.inner_text()
    page.screenshot(path=str(ROOT/'_proc/docs-api-fit.png'))
    page.goto(f'{site}/07_fit/index.html'); page.wait_for_load_state('networkidle')
    assert page.locator('.jp-OutputArea, .output_area, .jupyter-wrapper').count() > 0  # the notebook with its outputs
    page.screenshot(path=str(ROOT/'_proc/docs-07_fit.png'), full_page=False)
    page.goto(f'{site}/02b_alignment/index.html'); page.wait_for_load_state('networkidle')
    assert page.locator('.katex-display').count() > 0 and '$$' not in page.locator('article').first.inner_text()  # Eq. 2 typeset, offline
    page.screenshot(path=str(ROOT/'_proc/docs-02b_alignment.png'), full_page=False)
