"""What local mode gives its functions (the embedded AWS's endpoint, their settings and caps) is the
process's environment only while it runs: stopped, the process has its own variables back, so what it
does next (the next test, the CLI after a run) is not configured by a server that is gone. Checked in a
fresh process, as the session's local cloud must not be stopped here."""

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import json, os, sys, pathlib
from reelflow.local.cloud import LocalCloud, LocalSettings

os.environ["AWS_PROFILE"] = "mine"  # a variable of the user's that local mode hides while it runs
before = dict(os.environ)
cloud = LocalCloud(LocalSettings(work_dir=pathlib.Path(sys.argv[1]))).start()
during = {name: os.environ.get(name) for name in ("AWS_ENDPOINT_URL", "AWS_PROFILE", "REELFLOW_TABLE_NAME")}
cloud.stop()
after = dict(os.environ)
print(json.dumps({
    "during": during,
    "added": sorted(set(after) - set(before)),
    "changed": sorted(n for n in before if after.get(n) != before[n]),
}))
"""


def test_stopping_local_mode_gives_the_process_its_own_environment_back(tmp_path: Path) -> None:
    result = subprocess.run(
        [sys.executable, "-c", SCRIPT, str(tmp_path)],
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-3000:]
    seen = json.loads(result.stdout.strip().splitlines()[-1])
    assert seen["during"]["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert seen["during"]["AWS_PROFILE"] is None and seen["during"]["REELFLOW_TABLE_NAME"]
    assert seen["added"] == [] and seen["changed"] == []
