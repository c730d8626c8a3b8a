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
# what the README's "Behind a reverse proxy" section tells people to write
PROXY_LOCATION = '''
    location / {
        proxy_pass http://127.0.0.1:%(upstream)d;
        proxy_http_version 1.1;
        proxy_set_header Upgrade $http_upgrade;
        proxy_set_header Connection $connection_upgrade;
        proxy_set_header Host $http_host;
        proxy_set_header X-Real-IP $remote_addr;
        proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;
        proxy_set_header X-Forwarded-Proto $scheme;
        proxy_set_header X-Scheme $scheme;
    }
'''
CONFIG = '''
daemon off;
%(user)s
worker_processes 1;
pid %(folder)s/nginx.pid;
error_log %(folder)s/error.log info;
events {
    worker_connections 256;
}
http {
    access_log %(folder)s/access.log;
    client_body_temp_path %(folder)s/client_body;
    proxy_temp_path %(folder)s/proxy;
    fastcgi_temp_path %(folder)s/fastcgi;
    uwsgi_temp_path %(folder)s/uwsgi;
    scgi_temp_path %(folder)s/scgi;
    map $http_upgrade $connection_upgrade {
        default upgrade;
        '' close;
    }
    server {
        listen 127.0.0.1:%(https_port)d ssl;
        listen 127.0.0.1:%(http_port)d;
        ssl_certificate %(certificate)s;
        ssl_certificate_key %(key)s;
%(location)s
    }
}
'''


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
        (self.folder / 'nginx.conf').write_text(
            CONFIG
            % {
                'user': user,
                'folder': self.folder,
                'https_port': self.https_port,
                'http_port': self.http_port,
                'certificate': certificate,
                'key': key,
                'location': PROXY_LOCATION % {'upstream': upstream},
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
