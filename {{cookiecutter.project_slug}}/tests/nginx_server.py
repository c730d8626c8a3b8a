"""A throwaway nginx on loopback in front of a chat server (Debian's nginx),
with a self-signed certificate the tests make (Debian's openssl)."""

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

from .ports import free_port

NGINX = shutil.which('nginx') or '/usr/sbin/nginx'
# nginx.conf, with printf-style fields; location.conf, what the README's
# "Behind a reverse proxy" section tells people to write
CONFIG_DIR = Path(__file__).parent / 'nginx'


def make_certificate(folder):
    """a self-signed certificate for localhost and 127.0.0.1, valid one day:
    the paths of the certificate and of its key"""
    certificate, key = folder / 'certificate.pem', folder / 'key.pem'
    subprocess.run(
        [
            'openssl',
            'req',
            '-x509',
            '-newkey',
            'rsa:2048',
            '-nodes',
            '-subj',
            '/CN=localhost',
            '-addext',
            'subjectAltName=DNS:localhost,IP:127.0.0.1',
            '-days',
            '1',
            '-keyout',
            str(key),
            '-out',
            str(certificate),
        ],
        check=True,
        capture_output=True,
        timeout=60,
    )
    return certificate, key


class NginxServer:
    """nginx on two loopback ports, https and http, proxying to a chat server"""

    def __init__(self, upstream, certificate, key):
        if not os.path.exists(NGINX):
            raise RuntimeError('nginx is not installed: `apt-get install nginx`')
        self.folder = Path(tempfile.mkdtemp(prefix='chat-nginx-'))
        self.https_port, self.http_port = free_port(), free_port()
        # as root, nginx's workers would be `nobody`, who cannot use the folder
        user = 'user root;' if os.geteuid() == 0 else ''
        location = (CONFIG_DIR / 'location.conf').read_text(encoding='utf-8')
        (self.folder / 'nginx.conf').write_text(
            (CONFIG_DIR / 'nginx.conf').read_text(encoding='utf-8')
            % {
                'user': user,
                'folder': self.folder,
                'https_port': self.https_port,
                'http_port': self.http_port,
                'certificate': certificate,
                'key': key,
                'location': location % {'upstream': upstream},
            },
            encoding='utf-8',
        )
        self.process = None

    @property
    def https_url(self):
        """the address of the https side"""
        return f'https://127.0.0.1:{self.https_port}'

    @property
    def http_url(self):
        """the address of the plain http side"""
        return f'http://127.0.0.1:{self.http_port}'

    def said(self):
        """nginx's error log so far"""
        log = self.folder / 'error.log'
        return log.read_text(encoding='utf-8', errors='replace') if log.exists() else ''

    def start(self):
        """run it in the foreground of a process of its own; wait until it listens"""
        command = [NGINX, '-p', str(self.folder), '-c', 'nginx.conf']
        # -e: the log of start-up, before the configuration is read
        command += ['-e', str(self.folder / 'error.log')]
        # pylint: disable-next=consider-using-with
        self.process = subprocess.Popen(
            command,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 10
        while not self.listens():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.remove()
                raise RuntimeError(f'nginx did not start:\n{self.said()}')
            time.sleep(0.02)
        return self

    def listens(self):
        """do both ports take connections?"""
        try:
            for port in (self.https_port, self.http_port):
                socket.create_connection(('127.0.0.1', port), timeout=1).close()
            return True
        except OSError:
            return False

    def remove(self):
        """stop it, with its workers, and delete its folder"""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)
