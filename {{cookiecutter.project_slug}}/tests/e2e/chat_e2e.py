"""The pieces of the browser tests: find Chromium, run the server, compose pictures.

The chat server runs as a user starts it,
``python -m {{ cookiecutter.package_name }}.main --port=N``, in a subprocess that
keeps its port across restarts.
"""

import base64
import html
import os
import shutil
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

from playwright.sync_api import expect

from ..ports import free_port

PACKAGE = '{{ cookiecutter.package_name }}'
PROJECT = Path(__file__).resolve().parents[2]
CHROMIUM_NAMES = (
    'chromium',
    'chromium-browser',
    'google-chrome',
    'google-chrome-stable',
)
CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
]
NO_CHROMIUM = (
    'The browser tests need Chromium and found none. Install it '
    '(Debian/Ubuntu: `sudo apt-get install chromium`) or point CHROMIUM at one '
    '(CHROMIUM=/path/to/chromium inv e2e).'
)
WINDOW = {'width': 560, 'height': 640}
# where the page keeps a guest's name (client/src/name.js)
NAME_KEY = 'chat.name'
# a reconnecting page waits up to 10 s between attempts
RECONNECT_TIMEOUT_MS = 25_000


def find_chromium(environ=None):
    """the Chromium to drive, or None"""
    environ = os.environ if environ is None else environ
    if environ.get('CHROMIUM'):
        return shutil.which(environ['CHROMIUM'])
    for name in CHROMIUM_NAMES:
        found = shutil.which(name)
        if found:
            return found
    return None


def server_environment(env=None):
    """this environment for a test server, without the developer's database

    The package is found through PYTHONPATH; DATABASE_URL is dropped, so that a
    database by default (e.g. SQLite's chat.db) is made in the server's own
    folder; COOKIE_SECRET is a test one unless env sets one.
    """
    environ = dict(os.environ)
    environ.pop('DATABASE_URL', None)
    paths = [str(PROJECT), environ.get('PYTHONPATH', '')]
    environ['PYTHONPATH'] = os.pathsep.join(path for path in paths if path)
    environ['COOKIE_SECRET'] = 'e2e-test-secret'
    return {**environ, **(env or {})}


class Server:
    """the chat server in a subprocess, run in folder (where it finds no .env);
    it keeps its port across restarts"""

    def __init__(self, folder, args=(), env=None, port=None):
        self.port = port or free_port()
        self.args = list(args)
        self.env = server_environment(env)
        self.cwd = Path(folder)
        self.cwd.mkdir(parents=True, exist_ok=True)
        self.log_path = self.cwd / 'server.log'
        self.process = None

    @property
    def url(self):
        """the page's address"""
        return f'http://localhost:{self.port}/'

    @property
    def log(self):
        """what the server printed so far"""
        if not self.log_path.exists():
            return ''
        return self.log_path.read_text(encoding='utf-8', errors='replace')

    def start(self, timeout=30):
        """start the server and wait until it answers"""
        command = [sys.executable, '-m', f'{PACKAGE}.main', f'--port={self.port}']
        with open(self.log_path, 'a', encoding='utf-8') as log:
            # pylint: disable-next=consider-using-with
            self.process = subprocess.Popen(
                command + self.args,
                cwd=self.cwd,
                env=self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        deadline = time.monotonic() + timeout
        while True:
            if self.process.poll() is not None:
                raise RuntimeError(f'the server exited:\n{self.log}')
            try:
                with urllib.request.urlopen(self.url, timeout=1):
                    return self
            except urllib.error.HTTPError:
                return self
            except OSError as error:
                if time.monotonic() > deadline:
                    self.stop()
                    message = f'the server did not answer:\n{self.log}'
                    raise RuntimeError(message) from error
                time.sleep(0.05)

    def stop(self, timeout=10):
        """stop the server as Ctrl-C or `docker stop` would (SIGTERM)"""
        if self.process is None:
            return
        self.process.terminate()
        try:
            self.process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.process = None

    def restart(self):
        """stop, then start again on the same port"""
        self.stop()
        return self.start()


def say(page, text):
    """type a message and press Enter, as a person would"""
    page.get_by_label('Message', exact=True).fill(text)
    page.get_by_label('Message', exact=True).press('Enter')


def said(page):
    """the texts of the server's messages in the room shown (not those on their way)"""
    return page.locator('li.message[data-id] .text')


def say_and_wait(page, text):
    """say text and wait until the server's message is shown"""
    say(page, text)
    expect(said(page).last).to_have_text(text)


def message_ids(page):
    """the ids of the server's messages in the room shown, in the order shown"""
    return [
        int(value)
        for value in page.locator('li.message[data-id]').evaluate_all(
            'items => items.map((item) => item.dataset.id)'
        )
    ]


def join(page, room):
    """join a room with the form, as a person would, and wait until in it"""
    page.get_by_label('Join a room', exact=True).fill(room)
    page.get_by_role('button', name='Join', exact=True).click()
    expect(page.locator('#room-title')).to_have_text(f'#{room}')


def go_to(page, room):
    """show another room one is in"""
    page.locator(f'.room-button[data-room="{room}"]').click()
    expect(page.locator('#room-title')).to_have_text(f'#{room}')


def side_by_side(browser, pages, path):
    """save the pages as two browser windows next to each other in one PNG"""
    windows = ''.join(
        '<figure><div class="bar"><i></i><i></i><i></i>'
        f'<span>{html.escape(page.url)}</span></div><img src="data:image/png;base64,'
        f'{base64.b64encode(page.screenshot()).decode("ascii")}"></figure>'
        for page in pages
    )
    sheet = browser.new_page(
        viewport={'width': len(pages) * (WINDOW['width'] + 28) + 28, 'height': 726}
    )
    sheet.set_content(
        '<html><body style="margin:0;background:#dfe6ec;display:flex;gap:28px;'
        'padding:28px;font:13px sans-serif">'
        '<style>figure{margin:0;border-radius:10px;overflow:hidden;'
        'box-shadow:0 8px 28px #0003;background:#fff}'
        '.bar{height:30px;background:#eef1f4;display:flex;align-items:center;'
        'gap:7px;padding:0 12px;border-bottom:1px solid #d5dbe1}'
        '.bar i{width:11px;height:11px;border-radius:50%;background:#c9d1d9}'
        '.bar span{margin-left:12px;color:#556}img{display:block}</style>'
        f'{windows}</body></html>'
    )
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    sheet.screenshot(path=str(path))
    sheet.close()
