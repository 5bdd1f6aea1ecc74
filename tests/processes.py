"""Stopping the processes the tests and benchmarks start (server, worker)."""

from __future__ import annotations

import subprocess


def stop_process(process: subprocess.Popen[bytes], timeout: float = 10) -> None:
    """Asks the process to stop, and kills it if it is still running after `timeout` s."""
    process.terminate()
    try:
        process.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        process.kill()
        process.wait()
