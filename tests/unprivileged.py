"""Run a command without root's power over file permissions, for cases where they matter.

The tests run as root here and in CI, and root reads and writes whatever the permission bits
say. Switching to `nobody` is not possible for a subprocess here (the interpreter lives under
/root, which nobody cannot read), so the child keeps uid 0 but drops, from its capability
bounding set before exec, the capabilities that override permissions (CAP_DAC_OVERRIDE,
CAP_DAC_READ_SEARCH, CAP_FOWNER). It then obeys the owner's permission bits like any user:
a file of mode 000 cannot be read, a folder of mode 0555 cannot be written.
"""

from __future__ import annotations

import ctypes
import os
import subprocess
import sys
from pathlib import Path

PR_CAPBSET_DROP = 24
PERMISSION_OVERRIDES = (1, 2, 3)  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH, CAP_FOWNER


def _drop_permission_overrides() -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    for capability in PERMISSION_OVERRIDES:
        if libc.prctl(PR_CAPBSET_DROP, capability, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP) failed")


def run_unprivileged(*argv: str, cwd: Path | None = None, timeout: float = 300) -> subprocess.CompletedProcess:
    """`python -m country_profiles ARGV` in a child that cannot override file permissions."""
    environment = {**os.environ, "PYTHONDONTWRITEBYTECODE": "1"}
    return subprocess.run([sys.executable, "-m", "country_profiles", *argv], cwd=cwd, env=environment,
                          preexec_fn=_drop_permission_overrides, capture_output=True, text=True, timeout=timeout)

