"""The documentation site as a reader sees it: built offline from the notebooks (`make docs`), served on this machine,
opened in a real headless browser (Debian's chromium, installed when missing): the front page, a module's API page,
and every page that shows the main job's figures, each figure loaded; a screenshot of each page, and of each figure as
the page shows it, is kept in _proc/."""
import os, re, socket, subprocess, sys, time
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
    server = subprocess.Popen([sys.executable, '-m', 'http.server', str(port), '--bind', '127.0.0.1',
                               '--directory', str(ROOT/'_docs')], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
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
    titles = ('Core', 'Pretraining', 'Fitting scaling laws', 'On a SLURM cluster', 'Command line', 'API')
    pages = [lines.index(t) for t in titles]
    assert pages == sorted(pages), nav[:800]  # every notebook a page, in the pipeline's order, then the modules' API
    figure = page.locator('img[src*="papermill_runs/out/"]').first  # one of the main job's figures
    figure.scroll_into_view_if_needed()
    assert loaded(page, figure), f"{figure.get_attribute('src')} did not load"
    page.screenshot(path=str(ROOT/'_proc/docs-index.png'))
    page.goto(f'{site}/api/fit/index.html'); page.wait_for_load_state('networkidle')
    entry = page.locator('[id="scaling_downstream.fit.fit_law"]')  # the module's API, from its docstrings
    assert entry.count() == 1 and 'fit_law' in entry.inner_text()
    assert 'Huber' in page.locator('article').first.inner_text()
    page.screenshot(path=str(ROOT/'_proc/docs-api-fit.png'))
    page.goto(f'{site}/07_fit/index.html'); page.wait_for_load_state('networkidle')
    assert page.locator('.jp-OutputArea, .output_area, .jupyter-wrapper').count() > 0  # the notebook with its outputs
    page.screenshot(path=str(ROOT/'_proc/docs-07_fit.png'), full_page=False)
    page.goto(f'{site}/02b_alignment/index.html'); page.wait_for_load_state('networkidle')
    assert page.locator('.katex-display').count() > 0  # Eq. 2 typeset, offline
    assert '$$' not in page.locator('article').first.inner_text()
    page.screenshot(path=str(ROOT/'_proc/docs-02b_alignment.png'), full_page=False)

FIGURE_SRC = re.compile(r'<img[^>]*\ssrc="([^"]*papermill_runs/out/[^"]*\.png)"')  # the studies' figures

def loaded(page, img) -> bool:
    "Whether the image `img` (a locator) has loaded, at more than 500 pixels wide (a figure, not a broken-image icon)."
    handle = img.element_handle()
    page.wait_for_function('img => img.complete', arg=handle, timeout=10_000)
    return page.evaluate('img => img.naturalWidth > 500', handle)

def figure_pages() -> dict:
    "The built site's pages that show the studies' figures (PNGs under papermill_runs/out/): {page: [src, ...]}."
    pages = {}
    for html in sorted((ROOT/'_docs').rglob('*.html')):
        found = sorted(set(FIGURE_SRC.findall(html.read_text(errors='ignore'))))
        if found: pages[html.relative_to(ROOT/'_docs').as_posix()] = found
    return pages

def shoot(page, name: str, figures) -> list[str]:
    "A screenshot of the page at its first figure, and one of each figure (locators) as the page shows it; what failed."
    failed = []
    for i, img in enumerate(figures):
        img.scroll_into_view_if_needed()
        if loaded(page, img): img.screenshot(path=str(ROOT/f'_proc/docs-figures-{name}-{i}.png'))
        else: failed.append(f"{name}: figure {i} ({(img.get_attribute('src') or '')[:80]}) not loaded")
        if i == 0: page.screenshot(path=str(ROOT/f'_proc/docs-figures-{name}.png'))
    return failed

def test_every_page_with_the_main_jobs_figures_shows_them(site, browser):
    """Every page that shows the main job's figures (the front page, the notebooks that link them), each figure loaded;
    and the figures notebook, whose figures are its cells' own outputs."""
    page, pages, failed = browser, figure_pages(), []
    assert 'index.html' in pages, sorted(pages)  # the front page shows the study's figures
    for path, srcs in pages.items():
        page.goto(f'{site}/{path}'); page.wait_for_load_state('networkidle')
        figures = [page.locator(f'img[src="{src}"]').first for src in srcs]
        name = path.removesuffix('index.html').removesuffix('.html').strip('/').replace('/', '-') or 'index'
        failed += shoot(page, name, figures)
    page.goto(f'{site}/09b_figures/index.html'); page.wait_for_load_state('networkidle')
    drawn = re.compile(r'fig = fig_(scaling|metrics|mixtures|bleu_vs_ce|rollout)')
    cells = page.locator('.jp-Cell[id^="cell-id="]').filter(has_text=drawn)  # a cell's own div, not its wrapper
    figures = [cell.locator('.jp-OutputArea img').first for cell in cells.all()]
    assert len(figures) == 6, len(figures)  # Figs. 2, 1, 4 (twice: cpu-curves, domain), 5, the rollout
    failed += shoot(page, '09b_figures', figures)
    assert not failed, failed

def test_every_link_of_the_front_page_resolves_on_the_site(site, browser):
    """The README is the site's front page: each of its links to a page of the site (a notebook, the benchmarks, an
    anchor of their results) answers, and the notebooks' links are pages, not files."""
    import urllib.request
    page = browser
    page.goto(f'{site}/index.html'); page.wait_for_load_state('networkidle')
    hrefs = page.eval_on_selector_all('article a[href]', 'links => links.map(a => a.href)')
    ours = sorted({h.split('#')[0] for h in hrefs if h.startswith(site) and not h.split('#')[0].endswith('index.html')})
    assert len(ours) >= 15 and not [h for h in ours if h.endswith('.ipynb')], ours  # notebooks link as pages
    broken = []
    for url in ours:
        try: urllib.request.urlopen(url, timeout=10).close()
        except Exception as e: broken.append(f"{url}: {e}")
    assert not broken, broken
