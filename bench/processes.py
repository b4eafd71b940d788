"""The hub's processes under test: gunicorn web workers and an RQ worker, with their peak memory."""

from __future__ import annotations

import logging
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import requests

log = logging.getLogger(__name__)

REPO_ROOT = Path(__file__).resolve().parents[1]
BIN_DIR = Path(sys.executable).parent
STARTUP_TIMEOUT_SECONDS = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def hub_environment(database_url: str, redis_url: str | None, queue: str, port: int, instance_dir: Path,
                    log_level: str) -> dict[str, str]:
    env = {key: value for key, value in os.environ.items() if not key.startswith("SKILLWIRE_")}
    env.update({
        "SKILLWIRE_DATABASE_URL": database_url,
        "SKILLWIRE_QUEUE": queue,
        "SKILLWIRE_PORT": str(port),
        "SKILLWIRE_PUBLIC_URL": f"http://127.0.0.1:{port}",
        "SKILLWIRE_INSTANCE_DIR": str(instance_dir),
        "SKILLWIRE_LOG_LEVEL": log_level,
    })
    if redis_url:
        env["SKILLWIRE_REDIS_URL"] = redis_url
    return env


@dataclass
class WebServer:
    """A gunicorn server on a loopback port, started as a subprocess."""

    env: dict[str, str]
    port: int
    workers: int
    threads: int
    log_path: Path
    process: subprocess.Popen | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        command = [str(BIN_DIR / "gunicorn"), "wsgi:app", "--bind", f"127.0.0.1:{self.port}",
                   "--workers", str(self.workers), "--chdir", str(REPO_ROOT)]
        if self.threads > 1:
            command += ["--worker-class", "gthread", "--threads", str(self.threads)]
        self.process = _start(command, self.env, self.log_path)
        wait_until_ready(self.base_url + "/health", self.process)
        log.info("gunicorn started: pid=%d port=%d workers=%d threads=%d", self.process.pid, self.port,
                 self.workers, self.threads)

    def stop(self) -> None:
        _stop(self.process)


@dataclass
class Worker:
    """The hub's RQ worker (``skillwire worker``), started as a subprocess."""

    env: dict[str, str]
    log_path: Path
    process: subprocess.Popen | None = None

    def start(self) -> None:
        self.process = _start([str(BIN_DIR / "skillwire"), "worker"], self.env, self.log_path)
        log.info("RQ worker started: pid=%d", self.process.pid)

    def stop(self) -> None:
        _stop(self.process)


def _start(command: list[str], env: dict[str, str], log_path: Path) -> subprocess.Popen:
    with open(log_path, "ab") as output:
        return subprocess.Popen(command, env=env, cwd=REPO_ROOT, stdout=output, stderr=subprocess.STDOUT)


def _stop(process: subprocess.Popen | None) -> None:
    if process is None or process.poll() is not None:
        return
    process.terminate()
    try:
        process.wait(timeout=15)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()


def wait_until_ready(url: str, process: subprocess.Popen) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_SECONDS
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with code {process.returncode} before responding to {url}")
        try:
            if requests.get(url, timeout=5).status_code == 200:
                return
        except requests.RequestException:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"server did not respond to {url} within {STARTUP_TIMEOUT_SECONDS:.0f} s")


# ---------------------------------------------------------------------------------------------------------
# Peak memory


def peak_rss_bytes(pid: int) -> int | None:
    """Return the peak resident set size of a process: VmHWM from /proc, else psutil's current RSS."""
    try:
        with open(f"/proc/{pid}/status") as status:
            for line in status:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass

    try:
        import psutil

        return psutil.Process(pid).memory_info().rss
    except Exception:  # psutil missing, or the process is gone
        return None


def child_pids(pid: int) -> list[int]:
    """Return the direct children of a process, read from /proc."""
    children = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parent = int(stat.rsplit(")", 1)[1].split()[1])
        if parent == pid:
            children.append(int(entry.name))
    return children


# ---------------------------------------------------------------------------------------------------------
# CPU time


def cpu_seconds(pid: int) -> float:
    """Return the user plus system CPU seconds a process has used, or 0.0 when it is gone."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    # utime and stime are fields 14 and 15 of /proc/PID/stat, counted after the command name here.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def postgres_pids() -> list[int]:
    """Return the processes of the local PostgreSQL server: the postmaster, its helpers and backends."""
    pids = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if (entry / "comm").read_text().strip() == "postgres":
                pids.append(int(entry.name))
        except OSError:
            continue
    return pids


@dataclass
class CpuMeter:
    """CPU seconds used by the web server, the RQ worker, PostgreSQL and this benchmark client.

    NOTE: a process that exits between two snapshots takes its CPU time with it, so RQ's forking worker
    (skillwire worker --fork) and short-lived database connections are undercounted.
    """

    roots: dict[str, int]

    def snapshot(self) -> dict[str, float]:
        totals = {role: sum(cpu_seconds(pid) for pid in [root, *child_pids(root)])
                  for role, root in self.roots.items()}
        totals["postgresql"] = sum(cpu_seconds(pid) for pid in postgres_pids())
        totals["benchmark client"] = cpu_seconds(os.getpid())
        return totals


def cpu_shares(before: dict[str, float], after: dict[str, float], seconds: float) -> dict[str, float]:
    """Return each role's share of the machine's CPU time over ``seconds``, in percent of all cores."""
    capacity = seconds * (os.cpu_count() or 1)
    return {role: round(100 * (after[role] - before[role]) / capacity, 1) for role in after}


@dataclass
class MemorySampler:
    """Sample the peak RSS of named processes and their children in a background thread."""

    roots: dict[str, int]
    interval: float = 0.25
    peaks: dict[str, int] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None

    def start(self) -> None:
        self._thread = threading.Thread(target=self._run, name="memory-sampler", daemon=True)
        self._thread.start()

    def stop(self) -> dict[str, int]:
        self._stop.set()
        if self._thread:
            self._thread.join()
        self.sample()
        return dict(self.peaks)

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.sample()

    def sample(self) -> None:
        for role, root in self.roots.items():
            self._record(role, root)
            for index, child in enumerate(sorted(child_pids(root)), start=1):
                # Web children are the long-lived gunicorn workers. The worker's children are RQ's scheduler
                # and, with --fork, one short-lived process per job, so they share one peak.
                self._record(f"{role} child {index}" if role.startswith("web") else f"{role} child", child)

    def _record(self, role: str, pid: int) -> None:
        rss = peak_rss_bytes(pid)
        if rss is not None:
            self.peaks[role] = max(self.peaks.get(role, 0), rss)
