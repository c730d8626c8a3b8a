""" Take the README's screenshot: two browser windows chatting on a baked project.

Usage: python .dev/screenshot.py BAKED_PROJECT_DIR [OUTPUT_PNG]

Starts `python -m <package>.main` from the baked project on a free port, opens
two headless Chromium windows (Debian's /usr/bin/chromium, driven by
Playwright; never `playwright install`), chats between them, checks that markup
is shown as text, and writes both windows side by side into one PNG.
"""
import base64
import json
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = [
    '--no-sandbox',
    '--disable-gpu',
    '--disable-quic',
    '--no-first-run',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
]
WINDOW = {'width': 560, 'height': 640}


def free_port():
    """ a port nobody listens on right now """
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        return sock.getsockname()[1]


def start_server(project, port):
    """ the baked project's server, started as a user would """
    answers = json.loads((project / '.cookiecutter.json').read_text(encoding='utf-8'))
    command = [sys.executable, '-m', f'{answers["package_name"]}.main', f'--port={port}']
    server = subprocess.Popen(command, cwd=project)  # pylint: disable=consider-using-with
    deadline = time.monotonic() + 10
    while True:
        try:
            urllib.request.urlopen(f'http://127.0.0.1:{port}/', timeout=1)
            return server
        except OSError:
            if time.monotonic() > deadline:
                server.kill()
                raise
            time.sleep(0.1)


def say(page, text):
    """ type a message and press Enter """
    page.fill('#message', text)
    page.press('#message', 'Enter')


def frame_html(images):
    """ a page showing the screenshots as two windows side by side """
    windows = ''.join(
        f'<figure><div class="bar"><i></i><i></i><i></i><span>{title}</span></div>'
        f'<img src="data:image/png;base64,{data}"></figure>'
        for title, data in images
    )
    return (
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


def main():
    """ chat between two windows and save the picture """
    project = Path(sys.argv[1]).resolve()
    output = Path(sys.argv[2] if len(sys.argv) > 2 else 'docs/two-windows.png')
    port = free_port()
    url = f'http://localhost:{port}/'
    server = start_server(project, port)
    try:
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(
                executable_path=CHROMIUM, args=CHROMIUM_ARGS
            )
            pages = []
            for name in ('Ann', 'Bob'):
                page = browser.new_context(viewport=WINDOW).new_page()
                page.goto(url)
                expect(page.locator('#status')).to_have_text('connected')
                page.fill('#name', name)
                pages.append(page)
            ann, bob = pages
            say(ann, 'Hi Bob! Is the new chat server up?')
            say(bob, 'It is: Tornado websockets, a Vue 3 client, 100% coverage.')
            say(ann, 'And markup stays text: <b>not bold</b>')
            say(bob, 'Nice. Ship it!')
            for page in pages:
                expect(page.locator('li.message')).to_have_count(4)
                expect(page.locator('li.message .text').nth(2)).to_have_text(
                    'And markup stays text: <b>not bold</b>'
                )
                assert page.locator('li.message b').count() == 0
            images = [
                (url, base64.b64encode(page.screenshot()).decode('ascii'))
                for page in pages
            ]
            sheet = browser.new_page(viewport={'width': 2 * 560 + 84, 'height': 726})
            sheet.set_content(frame_html(images))
            output.parent.mkdir(parents=True, exist_ok=True)
            sheet.screenshot(path=str(output))
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f'wrote {output}')


if __name__ == '__main__':
    main()
