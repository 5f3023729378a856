"""tools/localenv/net.py: loopback ports."""

from __future__ import annotations

import socket
import time

from localenv.net import LOOPBACK, free_port, port_in_use, wait_for_port


def _listen(port):
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.bind((LOOPBACK, port))
    sock.listen()
    return sock


def test_free_port_returns_a_port_that_can_be_bound():
    port = free_port()
    assert 0 < port < 65536
    _listen(port).close()


def test_port_in_use_while_something_listens_and_not_after_it_closes():
    port = free_port()
    assert not port_in_use(port)
    sock = _listen(port)
    try:
        assert port_in_use(port)
    finally:
        sock.close()
    assert not port_in_use(port)


def test_wait_for_port_returns_true_at_once_when_something_listens():
    sock = _listen(free_port())
    try:
        start = time.monotonic()
        assert wait_for_port(sock.getsockname()[1], timeout=10) is True
        assert time.monotonic() - start < 2
    finally:
        sock.close()


def test_wait_for_port_gives_up_quickly_when_the_process_is_no_longer_alive():
    calls = []

    def alive():
        calls.append(1)
        return False

    start = time.monotonic()
    assert wait_for_port(free_port(), timeout=10, alive=alive) is False
    assert time.monotonic() - start < 2
    assert calls == [1]


def test_wait_for_port_returns_false_after_the_timeout_when_nothing_listens():
    start = time.monotonic()
    assert wait_for_port(free_port(), timeout=0.3) is False
    assert time.monotonic() - start < 3
