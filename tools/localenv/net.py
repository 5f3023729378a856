"""Loopback ports: find a free one, tell whether one is taken, and say what answers there."""

from __future__ import annotations

import http.client
import socket
import time

LOOPBACK = "127.0.0.1"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        return sock.getsockname()[1]


def port_in_use(port: int, host: str = LOOPBACK) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.settimeout(1)
        return sock.connect_ex((host, port)) == 0


def wait_for_port(port: int, timeout: float, alive=lambda: True, host: str = LOOPBACK) -> bool:
    """Wait until something accepts TCP connections on the port, while ``alive()`` stays true."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if port_in_use(port, host):
            return True
        if not alive():
            return False
        time.sleep(0.1)
    return False


def _request(port: int, method: str, path: str, body: str | None = None, headers: dict | None = None):
    conn = http.client.HTTPConnection(LOOPBACK, port, timeout=3)
    try:
        conn.request(method, path, body=body, headers=headers or {})
        response = conn.getresponse()
        return response.status, response.read(65536).decode("utf-8", "replace")
    finally:
        conn.close()


def describe_listener(port: int) -> tuple[bool, str]:
    """Whether what answers on the port is an AWS endpoint, and a few words on what it is."""
    try:
        status, body = _request(port, "GET", "/_localstack/health")
        if status == 200 and "services" in body:
            return True, "LocalStack (an AWS emulator)"
        status, body = _request(port, "GET", "/moto-api/")
        if status == 200 and "moto" in body.lower():
            return True, "moto (an AWS emulator)"
    except (OSError, http.client.HTTPException):
        pass
    try:
        status, body = _request(
            port,
            "POST",
            "/",
            body="Action=GetCallerIdentity&Version=2011-06-15",
            headers={
                "Content-Type": "application/x-www-form-urlencoded",
                "Authorization": "AWS4-HMAC-SHA256 Credential=test/20260101/us-east-1/sts/aws4_request, "
                "SignedHeaders=host, Signature=0",
            },
        )
        if "GetCallerIdentityResponse" in body:
            return True, "an AWS-compatible endpoint (it answers STS GetCallerIdentity)"
        return False, f"something that is not an AWS emulator (HTTP {status} to an STS call)"
    except (OSError, http.client.HTTPException):
        return False, "something that does not speak HTTP (not an AWS emulator)"
