"""The time limit covers the whole solve, from reading to writing: a term far too large for its
limit still ends, with a plan or with a message that says what to do, never in silence."""

import os
import subprocess
import sys
from pathlib import Path

from data.generate import generate

ROOT = Path(__file__).resolve().parent.parent


def test_a_large_term_with_a_tiny_limit_ends_with_a_plan_or_a_clear_message(tmp_path):
    data = tmp_path / "term"
    generate("L", 1, data)
    out = tmp_path / "plan"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    done = subprocess.run(
        [sys.executable, "-c", "from api.cli import main; main()", "solve", str(data), "--out", str(out),
         "--time-limit", "1", "--quiet"],
        capture_output=True, text=True, env=env, timeout=600, check=False,
    )
    if done.returncode == 0:
        assert (out / "events.csv").exists() and (out / "summary.json").exists()
    else:
        assert done.returncode == 1, done.stderr
        assert "时限 1 秒太短" in done.stderr and "请把时限至少设为约" in done.stderr
