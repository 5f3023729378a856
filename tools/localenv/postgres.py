"""A throw-away PostgreSQL server for the local environment: initdb + pg_ctl in a git-ignored folder.

The superuser ``postgres`` connects through a Unix socket inside that folder without a password; TCP is
bound to 127.0.0.1 only and asks for a password (SCRAM), as a managed database would.
PostgreSQL refuses to run as root, so as root the server runs as the ``postgres`` system user.
"""

from __future__ import annotations

import glob
import os
import pwd
import shutil
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

from localenv import net, process
from localenv.paths import state_dir

SUPERUSER = "postgres"
INSTALL_HINT = "install PostgreSQL (Debian: apt-get install postgresql), or run `make setup` as root"


class PostgresError(RuntimeError):
    """A one-line, user-facing reason PostgreSQL could not be started."""


def bin_dir() -> Path:
    """The newest PostgreSQL server binaries: Debian's /usr/lib/postgresql/<v>/bin, else initdb on PATH."""
    candidates = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=lambda p: int(Path(p).parts[-3]))
    if candidates:
        return Path(candidates[-1]).parent
    found = shutil.which("initdb")
    if found:
        return Path(found).resolve().parent
    raise PostgresError(f"PostgreSQL server binaries (initdb, pg_ctl) not found: {INSTALL_HINT}")


@dataclass
class LocalPostgres:
    state: Path | None = None

    @property
    def home(self) -> Path:
        return (self.state or state_dir()) / "postgres"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def socket_dir(self) -> Path:
        return self.home / "socket"

    @property
    def record_file(self) -> Path:
        return self.home / "server.json"

    @property
    def log_file(self) -> Path:
        return self.home / "server.log"

    def _as_server_user(self, argv: list[str]) -> list[str]:
        if os.geteuid() != 0:
            return argv
        try:
            pwd.getpwnam(SUPERUSER)
        except KeyError as exc:
            raise PostgresError(f"running as root needs the '{SUPERUSER}' system user: {INSTALL_HINT}") from exc
        return ["runuser", "-u", SUPERUSER, "--", *argv]

    def _prepare_dirs(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        self.socket_dir.mkdir(exist_ok=True)
        if os.geteuid() == 0:
            user = pwd.getpwnam(SUPERUSER)
            for path in (self.home, self.socket_dir):
                os.chown(path, user.pw_uid, user.pw_gid)
            for parent in self.home.resolve().parents:
                if not os.stat(parent).st_mode & 0o001:
                    raise PostgresError(
                        f"{parent} is not searchable by the '{SUPERUSER}' user; put the state folder elsewhere "
                        "(SHIPYARD_STATE_DIR) or chmod o+x it"
                    )
        os.chmod(self.home, 0o700)

    def _run(self, argv: list[str]) -> None:
        result = subprocess.run(self._as_server_user(argv), capture_output=True, text=True, check=False)  # noqa: S603
        if result.returncode != 0:
            raise PostgresError(f"{Path(argv[0]).name} failed: {(result.stderr or result.stdout).strip()[-2000:]}")

    def running_pid(self) -> int | None:
        try:
            pid = int((self.data_dir / "postmaster.pid").read_text().split("\n", 1)[0])
        except (OSError, ValueError):
            return None
        return pid if process.is_running(pid, "postgres") else None

    def record(self) -> dict | None:
        return process.read_record(self.record_file) if self.running_pid() else None

    def start(self) -> str:
        pid = self.running_pid()
        record = process.read_record(self.record_file)
        if pid and record:
            return f"PostgreSQL already running on {record['host']}:{record['port']} (pid {pid})"
        binaries = bin_dir()
        self._prepare_dirs()
        if not (self.data_dir / "PG_VERSION").exists():
            self._run([str(binaries / "initdb"), "-D", str(self.data_dir), "-U", SUPERUSER, "-E", "UTF8",
                       "--auth-local=trust", "--auth-host=scram-sha-256", "--no-instructions"])
        port = record["port"] if record and not net.port_in_use(record["port"]) else net.free_port()
        options = f"-p {port} -k {self.socket_dir} -c listen_addresses={net.LOOPBACK}"
        if self.log_file.exists() and os.geteuid() == 0:
            user = pwd.getpwnam(SUPERUSER)
            os.chown(self.log_file, user.pw_uid, user.pw_gid)
        self._run([str(binaries / "pg_ctl"), "-D", str(self.data_dir), "-l", str(self.log_file),
                   "-o", options, "-w", "-t", "60", "start"])
        process.write_record(
            self.record_file,
            {"host": net.LOOPBACK, "port": port, "socket_dir": str(self.socket_dir),
             "data_dir": str(self.data_dir), "superuser": SUPERUSER, "started_at": time.time()},
        )
        return f"PostgreSQL started on {net.LOOPBACK}:{port} (socket {self.socket_dir}, pid {self.running_pid()})"

    def stop(self) -> str:
        pid = self.running_pid()
        if not pid:
            self.record_file.unlink(missing_ok=True)
            return "PostgreSQL not running; nothing to stop"
        self._run([str(bin_dir() / "pg_ctl"), "-D", str(self.data_dir), "-m", "fast", "-w", "stop"])
        self.record_file.unlink(missing_ok=True)
        return f"PostgreSQL stopped (pid {pid})"

    def status(self) -> str:
        record = self.record()
        if record:
            return f"PostgreSQL running on {record['host']}:{record['port']} (pid {self.running_pid()})"
        return "PostgreSQL not running"

    def admin_conninfo(self) -> str:
        """libpq connection string for the superuser over the Unix socket (no password involved)."""
        record = self.record()
        if not record:
            raise PostgresError("PostgreSQL is not running: start it with `make local-up`")
        return f"host={record['socket_dir']} port={record['port']} user={SUPERUSER} dbname=postgres"
