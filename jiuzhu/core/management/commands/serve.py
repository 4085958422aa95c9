import signal
import subprocess
import sys
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand, CommandParser


class Command(BaseCommand):
    help = "启动网页服务（默认 127.0.0.1:8000）和后台任务进程（导入上传的文件）"

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("addrport", nargs="?", default="127.0.0.1:8000")
        parser.add_argument(
            "--no-worker", action="store_true", help="不启动后台任务进程（另行运行 jiuzhu db_worker 时使用）"
        )

    def handle(self, *args: Any, addrport: str, no_worker: bool, **options: Any) -> None:
        worker = None
        # Stopped with SIGTERM (a service manager, kill), still stop the worker on the way out.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        if not no_worker:
            # One process for both, so that the demo needs one command; production runs them apart.
            worker = subprocess.Popen(
                [sys.executable, "-m", "jiuzhu.cli", "db_worker", "--no-reload", "--verbosity", "0"]
            )
        try:
            call_command("runserver", addrport, use_reloader=False)
        finally:
            if worker is not None:
                worker.terminate()
                worker.wait(timeout=30)
