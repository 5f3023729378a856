"""A TCP relay a test can cut: what a port-forwarding tunnel does, and what its death does to the connections through it.

``Relay(upstream_port)`` listens on a free loopback port and forwards every connection to ``127.0.0.1:upstream_port``;
``cut()`` closes the listener and every connection at once, as when a session-manager-plugin or an SSH tunnel dies.
"""

from __future__ import annotations

import socket
import threading

LOOPBACK = "127.0.0.1"
CHUNK = 65536


class Relay:
    def __init__(self, upstream_port: int):
        self.upstream_port = upstream_port
        self.listener = socket.create_server((LOOPBACK, 0))
        self.port = self.listener.getsockname()[1]
        self.sockets: list[socket.socket] = []
        self.lock = threading.Lock()
        threading.Thread(target=self.accept, daemon=True).start()

    def accept(self) -> None:
        while True:
            try:
                client, unused_address = self.listener.accept()
            except OSError:
                return  # cut
            upstream = socket.create_connection((LOOPBACK, self.upstream_port))
            with self.lock:
                self.sockets += [client, upstream]
            threading.Thread(target=self.pump, args=(client, upstream), daemon=True).start()
            threading.Thread(target=self.pump, args=(upstream, client), daemon=True).start()

    @staticmethod
    def pump(source: socket.socket, destination: socket.socket) -> None:
        try:
            while data := source.recv(CHUNK):
                destination.sendall(data)
        except OSError:
            pass
        for end in (source, destination):
            try:
                end.shutdown(socket.SHUT_RDWR)
            except OSError:
                pass

    def cut(self) -> None:
        # shutdown wakes the thread blocked in accept(); close alone would leave the port listening until it returns.
        self.listener.shutdown(socket.SHUT_RDWR)
        self.listener.close()
        with self.lock:
            for end in self.sockets:
                try:
                    end.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                end.close()
