#!/usr/bin/env python3
"""A throw-away Request Tracker 5 on 127.0.0.1, kept whole in a temporary folder.

RT 5 from Debian (scripts/rt/install.sh) reads its configuration from RT_SITE_CONFIG and
RT_SITE_CONFIG_DIR, so an instance needs nothing outside its folder: the site
configuration, the SQLite database, Mason's caches and sessions, and the server's log.
It is tuned for tests: bcrypt cost 4 (every authenticated request checks a password or
token), one worker that is never recycled (RT reloads lifecycles and database
configuration per worker, on a web request), mail to an mbox file.

    python3 scripts/rt/instance.py start [--dir DIR] [--port PORT]   # prints RT_URL=...
    python3 scripts/rt/instance.py stop --dir DIR

The tests and bench/rt.py use the `Instance` class.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path

RT_SERVER = Path("/usr/share/request-tracker5/libexec/rt-server")
RT_SETUP = Path("/usr/sbin/rt-setup-database-5")
RT_LIB = Path("/usr/share/request-tracker5/lib")
ROOT_PASSWORD = "itsmctl-test-root"  # a throw-away instance on the loopback only
HOW_TO_GET_RT = ("Request Tracker 5 is not installed: run `bash scripts/rt/install.sh` "
                 "(Debian, root or sudo) to run the live RT tests")

SITE_CONFIG = """\
# A throw-away RT for itsmctl's tests: everything lives in this folder.
Set($rtname, 'itsmctl-test');
Set($Organization, 'itsmctl.test');
Set($CorrespondAddress, 'rt@itsmctl.test');
Set($CommentAddress, 'rt-comment@itsmctl.test');
Set($DatabaseType, 'SQLite');
Set($DatabaseName, '{dir}/rt.sqlite');
Set($WebDomain, '127.0.0.1');
Set($WebPort, {port});
Set($WebPath, '');
Set($WebBaseURL, 'http://127.0.0.1:{port}');
Set($MailCommand, 'mbox');
Set($LogDir, '{dir}');
Set($LogToFile, undef);
Set($LogToSyslog, undef);
Set($LogToSTDERR, 'warning');
Set($Timezone, 'UTC');
Set($BcryptCost, 4);
Set($WebSessionClass, 'Apache::Session::File');
$RT::MasonDataDir = '{mason}';
$RT::MasonSessionDir = '{dir}/session_data';
$RT::VarPath = '{dir}';
1;
"""


def missing() -> str | None:
    """Why no instance can start here, or None."""
    for path in (RT_SERVER, RT_SETUP):
        if not path.exists():
            return HOW_TO_GET_RT
    return None


def shared_mason_cache() -> Path:
    """A per-user folder for RT's compiled pages, kept between test runs."""
    return Path(tempfile.gettempdir()) / f"itsmctl-rt-mason-{os.getuid()}"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Instance:
    """One RT server: `start()` makes the folder, the database and the server; `stop()`
    ends the server (TERM on its own process id) and, if it made the folder, removes it."""

    folder: Path | None = None
    port: int = 0
    # where Mason keeps RT's compiled pages: shared between instances, it spares each new
    # one compiling them again (default: inside the instance's folder)
    mason_cache: Path | None = None
    process: subprocess.Popen[bytes] | None = field(default=None, repr=False)
    _made_folder: bool = False

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def user(self) -> str:
        return "root"

    @property
    def password(self) -> str:
        return ROOT_PASSWORD

    def env(self) -> dict[str, str]:
        """The environment RT's own programs need to work on this instance."""
        assert self.folder is not None
        return {**os.environ, "RT_SITE_CONFIG": str(self.folder / "RT_SiteConfig.pm"),
                "RT_SITE_CONFIG_DIR": str(self.folder / "RT_SiteConfig.d")}

    def start(self, timeout: float = 60.0) -> Instance:
        problem = missing()
        if problem:
            raise RuntimeError(problem)
        if self.folder is None:
            self.folder = Path(tempfile.mkdtemp(prefix="itsmctl-rt-"))
            self._made_folder = True
        self.port = self.port or free_port()
        folder = self.folder
        (folder / "RT_SiteConfig.d").mkdir(parents=True, exist_ok=True)
        mason = self.mason_cache or folder / "mason_data"
        for sub in (mason, folder / "session_data"):
            sub.mkdir(parents=True, exist_ok=True)
        (folder / "RT_SiteConfig.pm").write_text(
            SITE_CONFIG.format(dir=folder, port=self.port, mason=mason))
        if not (folder / "rt.sqlite").exists():
            (folder / "root-password").write_text(ROOT_PASSWORD + "\n")
            setup = subprocess.run(
                [str(RT_SETUP), "--action", "init", "--skip-create",
                 "--root-password-file", str(folder / "root-password")],
                env=self.env(), capture_output=True, text=True, stdin=subprocess.DEVNULL)
            if setup.returncode != 0:
                raise RuntimeError(f"rt-setup-database failed:\n{setup.stdout}{setup.stderr}")
        log = (folder / "server.log").open("ab")
        self.process = subprocess.Popen(
            [str(RT_SERVER), "--listen", f"127.0.0.1:{self.port}", "--max-workers", "1",
             "--max-reqs-per-child", "1000000"],
            env=self.env(), stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True)
        log.close()
        self._wait_ready(timeout)
        return self

    def _wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        auth = base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
        request = urllib.request.Request(f"{self.url}/REST/2.0/rt",
                                         headers={"Authorization": f"Basic {auth}"})
        while time.monotonic() < deadline:
            assert self.process is not None
            if self.process.poll() is not None:
                raise RuntimeError(f"rt-server exited ({self.process.returncode}); see "
                                   f"{self.folder}/server.log")
            try:
                with urllib.request.urlopen(request, timeout=5) as response:
                    if response.status == 200:
                        return
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                pass
            time.sleep(0.2)
        self.stop()
        raise RuntimeError(f"rt-server did not answer within {timeout:.0f} s")

    def perl(self, code: str) -> str:
        """Run Perl with RT's libraries loaded and initialised (for test set-up that RT
        offers no web or REST interface for, such as auth tokens)."""
        script = "use RT; RT::LoadConfig(); RT::Init();\n" + code
        done = subprocess.run(["perl", f"-I{RT_LIB}", "-e", script], env=self.env(),
                              capture_output=True, text=True, stdin=subprocess.DEVNULL)
        if done.returncode != 0:
            raise RuntimeError(f"perl failed: {done.stderr}")
        return done.stdout

    def tokens(self, users: list[str]) -> dict[str, str]:
        """An auth token for each user name (created in one Perl run)."""
        code = (
            "my %out; for my $name (@ARGV_USERS) {\n"
            "  my $user = RT::User->new(RT->SystemUser); $user->Load($name);\n"
            "  die \"no user $name\" unless $user->Id;\n"
            "  my $token = RT::AuthToken->new(RT->SystemUser);\n"
            "  my ($ok, $msg, $auth) = $token->Create(Owner => $user->Id,"
            " Description => 'itsmctl tests');\n"
            "  die $msg unless $ok; $out{$name} = $auth; }\n"
            "print JSON::to_json(\\%out);\n")
        quoted = ("'" + u.replace("\\", "\\\\").replace("'", "\\'") + "'" for u in users)
        names = "my @ARGV_USERS = (" + ", ".join(quoted) + ");\n"
        return dict(json.loads(self.perl(names + code)))

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)  # INT would chown RT's var folder
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.process = None
        if self._made_folder and self.folder is not None:
            shutil.rmtree(self.folder, ignore_errors=True)

    def __enter__(self) -> Instance:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("action", choices=["start", "stop"])
    parser.add_argument("--dir", type=Path, help="the instance's folder (default: a new "
                        "temporary folder)")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    if args.action == "stop":
        if args.dir is None:
            parser.error("stop needs --dir")
        pid_file = args.dir / "server.pid"
        if not pid_file.exists():
            print(f"no server.pid in {args.dir}", file=sys.stderr)
            return 1
        os.kill(int(pid_file.read_text()), signal.SIGTERM)
        pid_file.unlink()
        return 0
    problem = missing()
    if problem:
        print(problem, file=sys.stderr)
        return 2
    instance = Instance(args.dir.resolve() if args.dir else None, args.port)
    instance.start()
    assert instance.process is not None and instance.folder is not None
    (instance.folder / "server.pid").write_text(str(instance.process.pid))
    print(f"RT_URL={instance.url}\nRT_USER={instance.user}\nRT_PASSWORD={instance.password}\n"
          f"# folder {instance.folder}; stop with: python3 scripts/rt/instance.py stop "
          f"--dir {instance.folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
