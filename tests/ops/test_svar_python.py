"""./svar chooses any CPython from 3.11 up, newest first, and says what to install when there is
none. Driven from bash with a PATH of stub interpreters: each stub is the real Python running
./svar's check with the version (and implementation) it pretends to be."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
BASH = shutil.which("bash") or "/bin/bash"
STUB = """#!{bash}
# Pretends to be {name} {version}: runs `-c CODE` under the real interpreter with that identity.
[ "$1" = "-c" ] || exit 3
exec {python} -c 'import sys, types
sys.version_info = {version}
sys.implementation = types.SimpleNamespace(**{{**vars(sys.implementation), "name": "{name}"}})
exec(compile(sys.argv[1], "<stub>", "exec"))' "$2"
"""


def stub(bin_dir: Path, command: str, version: tuple[int, int], name: str = "cpython") -> None:
    path = bin_dir / command
    path.write_text(STUB.format(bash=BASH, python=sys.executable, version=version, name=name))
    path.chmod(0o755)


def find_python(bin_dir: Path, **env: str) -> subprocess.CompletedProcess[str]:
    """Source ./svar (which then only defines its functions) and call find_python, with only
    the stubs and `dirname` on PATH."""
    tools = bin_dir / "tools"
    tools.mkdir(exist_ok=True)
    dirname = tools / "dirname"
    if not dirname.exists():
        dirname.symlink_to(shutil.which("dirname") or "/usr/bin/dirname")
    return subprocess.run(
        [BASH, "-c", f'source "{ROOT / "svar"}" && find_python'],
        env={"PATH": f"{bin_dir}:{tools}", "HOME": str(bin_dir), **env},
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip


@pytest.fixture
def bin_dir(tmp_path: Path) -> Path:
    return tmp_path


def test_the_newest_suitable_python_is_chosen(bin_dir):
    stub(bin_dir, "python3.12", (3, 12))
    stub(bin_dir, "python3.11", (3, 11))
    stub(bin_dir, "python3", (3, 11))
    found = find_python(bin_dir)
    assert found.returncode == 0, found.stderr
    assert found.stdout.strip() == str(bin_dir / "python3.12")


def test_python3_is_enough_when_it_is_new(bin_dir):
    stub(bin_dir, "python3", (3, 13))
    assert find_python(bin_dir).stdout.strip() == str(bin_dir / "python3")


def test_a_misnamed_old_interpreter_is_skipped(bin_dir):
    stub(bin_dir, "python3.13", (3, 10))  # a name is not a version
    stub(bin_dir, "python3", (3, 11))
    assert find_python(bin_dir).stdout.strip() == str(bin_dir / "python3")


def test_svar_python_names_one_explicitly(bin_dir):
    stub(bin_dir, "python3.12", (3, 12))
    stub(bin_dir, "mypython", (3, 11))
    found = find_python(bin_dir, SVAR_PYTHON="mypython")
    assert found.stdout.strip() == str(bin_dir / "mypython")


@pytest.mark.parametrize(
    "present",
    [
        [],
        [("python3", (3, 10), "cpython")],
        [("python3", (3, 9), "cpython"), ("python3.12", (3, 12), "pypy")],
    ],
)
def test_without_a_suitable_python_it_says_what_to_install(bin_dir, present):
    for command, version, name in present:
        stub(bin_dir, command, version, name)
    found = find_python(bin_dir)
    assert found.returncode == 1
    assert found.stdout == ""
    assert "Svar needs Python 3.11 or newer" in found.stderr
    assert "sudo apt install python3 python3-venv" in found.stderr
    assert "tried: python3.13 python3.12 python3.11 python3" in found.stderr


# --- ./svar run --no-demo: the same start-up without svar_demo --------------------------------

RUN_WITH_STUBS = """
source "{svar}"
ensure_venv() {{ :; }}
uses_embedded() {{ return 1; }}
python() {{ echo "python $*" >>"{log}"; }}
start_child() {{ echo "start $1" >>"{log}"; CHILDREN+=(0); }}
on_exit() {{ :; }}
wait_until_ready() {{ case "$1" in */_sim/state) return 0 ;; *) return 1 ;; esac; }}
cmd_run "$@"
"""


def run_with_stubs(tmp_path: Path, *args: str) -> tuple[int, list[str], str]:
    """cmd_run with its tools replaced by recorders: the steps it takes, in order.

    The simulator comes up (svar_demo connects through it); the web server never does, which
    ends the run right after the steps under test.
    """
    log = tmp_path / "steps.log"
    script = RUN_WITH_STUBS.format(svar=ROOT / "svar", log=log)
    done = subprocess.run(
        [BASH, "-c", script, "svar", *args], capture_output=True, text=True, timeout=60,
        check=False, env={"PATH": "/usr/bin:/bin", "HOME": str(tmp_path)},
    )  # fmt: skip
    steps = log.read_text().splitlines() if log.exists() else []
    return done.returncode, steps, done.stderr


def test_run_loads_the_demo_and_no_demo_skips_only_that(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    _, with_demo, _ = run_with_stubs(tmp_path / "a")
    _, without, _ = run_with_stubs(tmp_path / "b", "--no-demo")
    assert "python manage.py svar_demo" in with_demo
    assert [s for s in with_demo if s != "python manage.py svar_demo"] == without
    assert "python manage.py migrate --noinput" in without
    assert "start web" in without


def test_run_refuses_an_unknown_option(tmp_path):
    status, steps, stderr = run_with_stubs(tmp_path, "--no-dmeo")
    assert status == 2
    assert steps == []
    assert "--no-demo" in stderr
