"""What local mode gives its functions (the embedded AWS's endpoint, their settings and caps) is the
process's environment only while it runs: stopped, the process has its own variables back, so what it
does next (the next test, the CLI after a run) is not configured by a server that is gone. Checked in a
fresh process, as the session's local cloud must not be stopped here."""

from pathlib import Path

from tests.helpers import fresh_process_json

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
    seen = fresh_process_json(SCRIPT, str(tmp_path))
    assert seen["during"]["AWS_ENDPOINT_URL"].startswith("http://127.0.0.1:")
    assert seen["during"]["AWS_PROFILE"] is None and seen["during"]["REELFLOW_TABLE_NAME"]
    assert seen["added"] == [] and seen["changed"] == []
