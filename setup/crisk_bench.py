"""``setup/bench``: prepare the environment like ``setup/test``, then run the benchmark
(``tests/bench/harness.py``) with the project's virtualenv. Standard library only."""

import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import crisk
import crisk_lib as lib


def main(argv):
    if any(a in ("-h", "--help") for a in argv):
        env_json = "{}"
    else:
        try:
            env_json = crisk.prepare().to_json()
        except lib.SetupError as exc:
            print(f"\n[customer-risk] ERROR: {exc}\n", file=sys.stderr, flush=True)
            return 2
    python = lib.VENV / "bin" / "python"
    harness = lib.ROOT / "tests" / "bench" / "harness.py"
    return subprocess.run(
        [str(python), str(harness), "--env-json", env_json, *argv], check=False
    ).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
