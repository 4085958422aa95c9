"""Web and API under load on loopback (DESIGN §5: 200 req/s mixed reads, p95 ≤ 100 ms).

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/jiuzhu_bench
    uv run python -m bench.bench_web --rate 200 --seconds 30

Needs the loaded county of ``bench_report`` (1M households, feeds, some reports). Starts the
production settings under gunicorn (behind a pretend TLS proxy: ``X-Forwarded-Proto: https``) and
sends an open-loop stream of reads at a fixed rate as the county's approver — household and person
pages, searches by name, the household and search endpoints of the API, report pages — each timed
from the moment it was due, so a slow server cannot hide its queue. Baseline in the same run: the same
stream against Django's own server (``runserver``, one process), which is what ``jiuzhu serve`` runs.
Every household and person page is audited, so the load also writes one audit line per such read.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import random
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass

SECRET = "bench-only-secret-key-not-for-production-0123456789"
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "jiuzhu.settings.dev")
os.environ["JIUZHU_SECRET_KEY"] = SECRET  # the session made here must be valid on the server

import django  # noqa: E402

django.setup()

import aiohttp  # noqa: E402
from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402

from jiuzhu.accounts.models import User  # noqa: E402
from jiuzhu.accounts.services import token_create  # noqa: E402
from jiuzhu.audit.keys import key_path, keyring  # noqa: E402
from jiuzhu.audit.services import AuditContext  # noqa: E402
from jiuzhu.registry.models import Household  # noqa: E402
from jiuzhu.verification.models import VerificationReport  # noqa: E402


@dataclass
class Targets:
    households: list[int]
    persons: list[int]
    prefixes: list[str]
    reports: list[int]


def targets(user: User, n: int) -> Targets:
    rng = random.Random(3)
    top = Household.objects.order_by("-id").values_list("id", flat=True).first() or 0
    ids = sorted({rng.randint(1, top) for _ in range(n * 2)})
    rows = list(Household.objects.filter(id__in=ids).values_list("id", "head_id", "head__name")[:n])
    reports = list(VerificationReport.objects.values_list("id", flat=True)[:n])
    return Targets(
        households=[h for h, _, _ in rows],
        persons=[p for _, p, _ in rows if p],
        prefixes=[name[:2] for _, _, name in rows if name],
        reports=reports,
    )


def session_cookie(user: User) -> str:
    """A logged-in session without the login form (its throttling is not what is measured)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key or ""


def request_mix(t: Targets, rng: random.Random) -> tuple[str, str]:
    """(kind, path) of one read, in the proportions of a caseworker's day."""
    roll = rng.random()
    if roll < 0.30:
        return "household page", f"/households/{rng.choice(t.households)}/"
    if roll < 0.45:
        return "person page", f"/persons/{rng.choice(t.persons)}/"
    if roll < 0.65:
        return "search page", f"/households/?q={rng.choice(t.prefixes)}"
    if roll < 0.80:
        return "API household", f"/api/registry/households/{rng.choice(t.households)}"
    if roll < 0.95 or not t.reports:
        return "API search", f"/api/registry/households?q={rng.choice(t.prefixes)}"
    return "report page", f"/verification/reports/{rng.choice(t.reports)}/"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@contextmanager
def server(kind: str, port: int, workers: int, threads: int, var_dir: str) -> Iterator[None]:
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.production",
        "JIUZHU_SECRET_KEY": SECRET,
        "JIUZHU_ALLOWED_HOSTS": "127.0.0.1",
        "JIUZHU_VAR_DIR": var_dir,
    }
    if kind == "gunicorn":
        cmd = [
            sys.executable, "-m", "gunicorn", "jiuzhu.wsgi:application", "--bind", f"127.0.0.1:{port}",
            "--workers", str(workers), "--threads", str(threads), "--worker-class", "gthread",
            "--log-level", "warning",
        ]  # fmt: skip
    else:
        cmd = [sys.executable, "-m", "jiuzhu.cli", "runserver", f"127.0.0.1:{port}", "--noreload"]
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.time() + 60
        while time.time() < deadline:
            try:
                socket.create_connection(("127.0.0.1", port), timeout=1).close()
                break
            except OSError:
                time.sleep(0.3)
        else:
            raise SystemExit(f"{kind} did not start")
        yield
    finally:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()


async def _load(
    port: int, rate: float, seconds: float, t: Targets, cookie: str, token: str, seed: int
) -> list[tuple[str, int, float]]:
    rng = random.Random(seed)
    plan = [request_mix(t, rng) for _ in range(int(rate * seconds))]
    headers = {"X-Forwarded-Proto": "https", "Host": "127.0.0.1"}
    out: list[tuple[str, int, float]] = []
    connector = aiohttp.TCPConnector(limit=256)
    timeout = aiohttp.ClientTimeout(total=30)
    async with aiohttp.ClientSession(
        f"http://127.0.0.1:{port}", connector=connector, cookies={"sessionid": cookie}, timeout=timeout
    ) as http:

        async def one(i: int, kind: str, path: str, start: float) -> None:
            due = start + i / rate
            await asyncio.sleep(max(0.0, due - time.perf_counter()))
            h = dict(headers)
            if path.startswith("/api/"):
                h["Authorization"] = f"Bearer {token}"
            try:
                async with http.get(path, headers=h, allow_redirects=False) as r:
                    await r.read()
                    status = r.status
            except (TimeoutError, aiohttp.ClientError):
                status = 0  # refused, reset or over the client's 30 s limit: counted as an error
            out.append((kind, status, (time.perf_counter() - due) * 1000))

        start = time.perf_counter() + 0.5
        await asyncio.gather(*(one(i, kind, path, start) for i, (kind, path) in enumerate(plan)))
    return out


def run(
    kind: str, args: argparse.Namespace, t: Targets, cookie: str, token: str, var_dir: str
) -> list[tuple[str, int, float]]:
    port = free_port()
    with server(kind, port, args.workers, args.threads, var_dir):
        asyncio.run(_load(port, args.rate, min(5.0, args.seconds), t, cookie, token, seed=99))  # warm up
        return asyncio.run(_load(port, args.rate, args.seconds, t, cookie, token, seed=1))


def report(kind: str, results: list[tuple[str, int, float]], seconds: float) -> float:
    def p95(xs: list[float]) -> float:
        return statistics.quantiles(xs, n=20)[-1] if len(xs) > 1 else xs[0]

    ok = [ms for _, status, ms in results if status == 200]
    bad = Counter(status for _, status, _ in results if status != 200)
    print(
        f"{kind}: {len(results)} requests in {seconds:.0f} s ({len(results) / seconds:.0f} req/s offered); "
        f"median {statistics.median(ok):.1f} ms, p95 {p95(ok):.1f} ms, max {max(ok):.0f} ms; "
        f"errors {dict(bad) or 0}"
    )
    by_kind: dict[str, list[float]] = {}
    for k, status, ms in results:
        if status == 200:
            by_kind.setdefault(k, []).append(ms)
    for k, xs in sorted(by_kind.items()):
        print(f"    {k:15s} n={len(xs):5d}  median {statistics.median(xs):7.1f} ms  p95 {p95(xs):7.1f} ms")
    return p95(ok)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--seconds", type=float, default=30)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--user", default="approver")
    args = parser.parse_args()
    if settings.DATABASES["default"]["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit("请设置 DATABASE_URL 指向已装载的 PostgreSQL 数据库（见 bench_report）")

    user = User.objects.get(username=args.user)
    t = targets(user, args.samples)
    cookie = session_cookie(user)
    _, token = token_create(ctx=AuditContext.system(), user=user, name="bench_web")
    with tempfile.TemporaryDirectory(prefix="jiuzhu-bench-web-") as var_dir:
        env = {**os.environ, "DJANGO_SETTINGS_MODULE": "jiuzhu.settings.production"}
        # The server signs audit lines with the key this process uses (created on first use here).
        keyring()
        env |= {
            "JIUZHU_SECRET_KEY": SECRET,
            "JIUZHU_VAR_DIR": var_dir,
            "JIUZHU_AUDIT_KEY_FILE": str(key_path()),
        }
        subprocess.run(
            [sys.executable, "-m", "jiuzhu.cli", "collectstatic", "--noinput", "-v0"], env=env, check=True
        )
        p95_fast = report(
            f"gunicorn ({args.workers} workers × {args.threads} threads)",
            run("gunicorn", args, t, cookie, token, var_dir),
            args.seconds,
        )
        base = run("runserver", args, t, cookie, token, var_dir)
        p95_base = report("baseline: runserver", base, args.seconds)
    print(f"ratio (p95): {p95_base / p95_fast:.1f}x")


if __name__ == "__main__":
    main()
