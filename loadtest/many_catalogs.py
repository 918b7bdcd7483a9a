#!/usr/bin/env python3
"""Many merchants on one node: N small catalogs, start-up, memory, cold/warm search, fairness.

What it measures (the figures of the "10,000 merchants on one node" budgets in DESIGN.md):

1. data      builds N catalog feeds of ~300 products each from the BigBasket rows in
             ../shared/data/bigbasket/products.csv, or, when that file is absent, from a
             deterministic built-in generator (so a fresh clone can run it too);
2. create    starts `kirana serve --no-demo` on an empty data dir, creates the N catalogs with
             `PUT /v1/catalogs/{c}/products` (202 + task, a few client threads, backing off on
             429/503), waits for every task, prints catalogs/s and failures, stops the server;
3. per cache size (`--cache-mb`, default "1024,256"; 1024 is the server default, so that run
             sets no KIRANA_CATALOG_CACHE_MB): restarts the server and prints the time from
             spawn to `GET /readyz` 200 (target <= 1 s), checks `GET /v1/catalogs?limit=1`
             reports `total` = N, searches every catalog once (cold) and once more (warm) with a
             word from its own titles, prints client-side p50/p99 and non-200 replies, the
             server's resident memory (VmRSS) after every catalog was searched (target <= 1 GB
             for 10,000 catalogs with the defaults) and the catalog/cache lines of /metrics;
4. fairness  (unless --skip-fairness) with the default settings, builds three ~27,000-product
             catalogs big1..big3, fires three full replaces of them at once, and 0.5 s later
             upserts one product into m00000; prints how long until a search finds it (target
             <= 1000 ms) and how long the big replaces took;
5. summary   one table of all figures; a missed target is marked, it does not fail the run.

Exit status: 0 when every phase ran (targets missed or not), 1 when the server would not
start, died, or a phase could not run, 130 on Ctrl-C.

Run it through the wrapper, which builds the release binary and makes a temporary data dir:

    loadtest/many_catalogs.sh --catalogs 2000
    loadtest/many_catalogs.sh --catalogs 10000 --cache-mb 1024,256
    loadtest/many_catalogs.sh --catalogs 50 --skip-fairness        # quick smoke run

Safety: it only ever talks to 127.0.0.1 (the server it starts itself, on --port); every HTTP
call has a timeout, every phase a deadline, and the server is stopped (SIGTERM, then SIGKILL
after --stop-timeout seconds) on success, error and Ctrl-C alike.

Standard library only (Python 3.11).
"""

from __future__ import annotations

import argparse
import concurrent.futures as cf
import csv
import http.client
import json
import os
import random
import re
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from dataclasses import dataclass, field
from pathlib import Path

HOST = "127.0.0.1"  # the only host this script ever talks to
REPO = Path(__file__).resolve().parent.parent
BIGBASKET = REPO.parent / "shared" / "data" / "bigbasket" / "products.csv"
HTTP_TIMEOUT = 30.0  # seconds, every HTTP call
BUSY_RETRY_FOR = 120.0  # seconds a write keeps retrying 429/503 before giving up
NDJSON = "application/x-ndjson"
DEFAULT_CACHE_MB = 1024  # the server's default catalog_cache_mb
READY_TARGET_MS = 1000.0
RSS_TARGET_MIB_10K = 1024.0
VISIBLE_TARGET_MS = 1000.0
FALLBACK_QUERIES = ["atta", "rice", "oil", "dal", "biscuits"]


class PhaseError(Exception):
    """A phase could not run (as opposed to a figure that missed its target)."""


class ServerDied(PhaseError):
    """The server process exited while we were talking to it."""


# --------------------------------------------------------------------------------------------
# The server process


class Server:
    """One `kirana serve` process on 127.0.0.1:port, logging to DIR/server.log."""

    def __init__(self, binary: Path, data_dir: Path, port: int, stop_timeout: float):
        self.binary = binary
        self.data_dir = data_dir
        self.port = port
        self.stop_timeout = stop_timeout
        self.log_path = data_dir / "server.log"
        self.proc: subprocess.Popen | None = None
        self.spawned_at = 0.0

    def start(self, label: str, cache_mb: int | None = None) -> None:
        env = dict(os.environ)
        env["KIRANA_LOG"] = "warn"
        # The script decides these; inherited values would skew the run.
        for name in ("KIRANA_LISTEN", "KIRANA_DATA_DIR", "KIRANA_ADMIN_KEY", "KIRANA_CATALOG_CACHE_MB"):
            env.pop(name, None)
        if cache_mb is not None:
            env["KIRANA_CATALOG_CACHE_MB"] = str(cache_mb)
        argv = [str(self.binary), "serve", "--listen", f"{HOST}:{self.port}",
                "--data-dir", str(self.data_dir), "--no-demo"]
        with open(self.log_path, "ab") as log:
            log.write(f"\n===== {time.strftime('%H:%M:%S')} start: {label} "
                      f"(KIRANA_CATALOG_CACHE_MB={env.get('KIRANA_CATALOG_CACHE_MB', 'unset')}) =====\n".encode())
            log.flush()
            self.spawned_at = time.monotonic()
            # A session of its own: Ctrl-C reaches only us, and we stop the server ourselves.
            self.proc = subprocess.Popen(argv, env=env, stdin=subprocess.DEVNULL, stdout=log,
                                         stderr=subprocess.STDOUT, start_new_session=True)
        (self.data_dir / "server.pid").write_text(f"{self.proc.pid}\n")

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def alive(self) -> bool:
        return self.proc is not None and self.proc.poll() is None

    def wait_ready(self, timeout: float) -> float:
        """Polls /readyz every 10 ms; returns ms from spawn to the first 200."""
        deadline = self.spawned_at + timeout
        while time.monotonic() < deadline:
            if not self.alive():
                raise ServerDied(f"server exited with status {self.proc.returncode} before it "
                                 f"was ready\n{self.log_tail()}")
            conn = http.client.HTTPConnection(HOST, self.port, timeout=1.0)
            try:
                conn.request("GET", "/readyz")
                resp = conn.getresponse()
                resp.read()
                if resp.status == 200:
                    return (time.monotonic() - self.spawned_at) * 1000.0
            except (OSError, http.client.HTTPException):
                pass
            finally:
                conn.close()
            time.sleep(0.010)
        raise PhaseError(f"server not ready {timeout:.0f} s after start\n{self.log_tail()}")

    def stop(self) -> float | None:
        """SIGTERM, then SIGKILL after stop_timeout; returns ms the shutdown took."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        started = time.monotonic()
        if proc.poll() is None:
            try:
                proc.send_signal(signal.SIGTERM)
                proc.wait(timeout=self.stop_timeout)
            except subprocess.TimeoutExpired:
                print(f"  server ignored SIGTERM for {self.stop_timeout:.0f} s; sending SIGKILL")
                proc.kill()
                proc.wait(timeout=10)
        (self.data_dir / "server.pid").unlink(missing_ok=True)
        return (time.monotonic() - started) * 1000.0

    def rss_mib(self) -> tuple[float | None, float | None]:
        """(VmRSS, VmHWM) of the server in MiB, from /proc/<pid>/status."""
        values: dict[str, float] = {}
        try:
            with open(f"/proc/{self.pid}/status") as status:
                for line in status:
                    key, _, rest = line.partition(":")
                    if key in ("VmRSS", "VmHWM"):
                        values[key] = int(rest.split()[0]) / 1024.0  # kB -> MiB
        except (OSError, ValueError, AssertionError):
            pass
        return values.get("VmRSS"), values.get("VmHWM")

    def log_tail(self, lines: int = 30) -> str:
        try:
            text = self.log_path.read_text(errors="replace").splitlines()
        except OSError:
            return "(no server.log)"
        return "---- tail of server.log ----\n" + "\n".join(text[-lines:])


# --------------------------------------------------------------------------------------------
# HTTP client: one keep-alive connection per thread, timeouts everywhere


@dataclass
class Reply:
    status: int
    body: bytes
    headers: dict[str, str]

    def json(self):
        return json.loads(self.body)


class Client:
    def __init__(self, server: Server):
        self.server = server
        self.local = threading.local()

    def _conn(self) -> http.client.HTTPConnection:
        conn = getattr(self.local, "conn", None)
        if conn is None:
            conn = http.client.HTTPConnection(HOST, self.server.port, timeout=HTTP_TIMEOUT)
            self.local.conn = conn
        return conn

    def _drop(self) -> None:
        conn = getattr(self.local, "conn", None)
        if conn is not None:
            conn.close()
        self.local.conn = None

    def request(self, method: str, path: str, body: bytes | None = None,
                content_type: str | None = None) -> Reply:
        headers = {"Content-Type": content_type} if content_type else {}
        for attempt in range(2):  # a kept-alive connection the server closed: retry once afresh
            conn = self._conn()
            try:
                conn.request(method, path, body=body, headers=headers)
                resp = conn.getresponse()
                data = resp.read()
                if resp.getheader("connection", "").lower() == "close":
                    self._drop()
                return Reply(resp.status, data, {k.lower(): v for k, v in resp.getheaders()})
            except (OSError, http.client.HTTPException) as err:
                self._drop()
                if not self.server.alive():
                    raise ServerDied(f"server exited (status {self.server.proc and self.server.proc.returncode}) "
                                     f"during {method} {path}\n{self.server.log_tail()}") from err
                if attempt == 1 or isinstance(err, TimeoutError):
                    raise PhaseError(f"{method} {path}: {err!r}") from err
        raise AssertionError("unreachable")

    def write(self, method: str, path: str, body: bytes, content_type: str = NDJSON) -> Reply:
        """A write that backs off on 429/503 (honouring Retry-After) for up to BUSY_RETRY_FOR s."""
        give_up = time.monotonic() + BUSY_RETRY_FOR
        while True:
            reply = self.request(method, path, body, content_type)
            if reply.status not in (429, 503) or time.monotonic() > give_up:
                return reply
            try:
                wait = float(reply.headers.get("retry-after", "1"))
            except ValueError:
                wait = 1.0
            time.sleep(min(max(wait, 0.05), 5.0) * random.uniform(1.0, 1.5))

    def get_json(self, path: str):
        reply = self.request("GET", path)
        if reply.status != 200:
            raise PhaseError(f"GET {path}: {reply.status} {reply.body[:300]!r}")
        return reply.json()


def run_pool(fn, items, threads: int, deadline: float, what: str) -> list:
    """fn(item) for every item on `threads` threads, results in item order, bounded by deadline.

    On a timeout, an error or Ctrl-C the queued items are cancelled (the running ones end with
    their own HTTP timeouts) so the process never hangs on leftover work."""
    pool = cf.ThreadPoolExecutor(max_workers=threads)
    futures = [pool.submit(fn, item) for item in items]
    try:
        remaining = max(0.0, deadline - time.monotonic())
        for future in cf.as_completed(futures, timeout=remaining):
            future.result()  # re-raise the first worker error at once
        return [f.result() for f in futures]
    except cf.TimeoutError:
        raise PhaseError(f"{what} did not finish in time") from None
    finally:
        pool.shutdown(wait=False, cancel_futures=True)


def percentile(values: list[float], pct: int) -> float | None:
    if not values:
        return None
    if len(values) == 1:
        return values[0]
    return statistics.quantiles(values, n=100, method="inclusive")[pct - 1]


# --------------------------------------------------------------------------------------------
# Phase 1: data


@dataclass
class Source:
    name: str
    products: list[dict]  # kirana feed rows
    skipped: int = 0


def load_bigbasket(path: Path) -> Source:
    products, skipped = [], 0
    with open(path, newline="", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            title = (row.get("product") or "").strip()
            index = (row.get("index") or "").strip()
            if not title or not index or len(title) > 200:
                skipped += 1
                continue
            product = {"id": f"bb-{index}", "title": title}
            brand = (row.get("brand") or "").strip()
            if brand:
                product["brand"] = brand
            path_parts = [(row.get(k) or "").strip() for k in ("category", "sub_category", "type")]
            if any(path_parts):
                product["product_type"] = " > ".join(p for p in path_parts if p)
            price = (row.get("sale_price") or "").strip()
            if as_number(price) is not None:
                product["price"] = f"{price} INR"
            rating = as_number((row.get("rating") or "").strip())
            if rating is not None:
                product["popularity"] = rating
            products.append(product)
    return Source(f"BigBasket ({path})", products, skipped)


def as_number(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


GEN_KINDS = [  # (title word(s), category path)
    ("Atta", "Foodgrains, Oil & Masala > Atta, Flours & Sooji > Atta Whole Wheat"),
    ("Basmati Rice", "Foodgrains, Oil & Masala > Rice & Rice Products > Basmati Rice"),
    ("Toor Dal", "Foodgrains, Oil & Masala > Dals & Pulses > Toor, Channa & Moong Dal"),
    ("Moong Dal", "Foodgrains, Oil & Masala > Dals & Pulses > Toor, Channa & Moong Dal"),
    ("Sunflower Oil", "Foodgrains, Oil & Masala > Edible Oils & Ghee > Sunflower, Rice Bran Oil"),
    ("Mustard Oil", "Foodgrains, Oil & Masala > Edible Oils & Ghee > Other Edible Oils"),
    ("Ghee", "Foodgrains, Oil & Masala > Edible Oils & Ghee > Ghee & Vanaspati"),
    ("Biscuits", "Snacks & Branded Foods > Biscuits & Cookies > Cookies"),
    ("Namkeen", "Snacks & Branded Foods > Snacks & Namkeen > Namkeen & Savoury Snacks"),
    ("Noodles", "Snacks & Branded Foods > Noodle, Pasta, Vermicelli > Instant Noodles"),
    ("Tea", "Beverages > Tea > Leaf & Dust Tea"),
    ("Coffee", "Beverages > Coffee > Instant Coffee"),
    ("Turmeric Powder", "Foodgrains, Oil & Masala > Masalas & Spices > Powdered Spices"),
    ("Salt", "Foodgrains, Oil & Masala > Salt, Sugar & Jaggery > Salts"),
    ("Sugar", "Foodgrains, Oil & Masala > Salt, Sugar & Jaggery > Sugar & Jaggery"),
    ("Honey", "Gourmet & World Food > Spreads, Sauces, Ketchup > Honey"),
    ("Paneer", "Bakery, Cakes & Dairy > Dairy > Paneer, Tofu & Cream"),
    ("Soap", "Beauty & Hygiene > Bath & Hand Wash > Bathing Bars & Soaps"),
    ("Shampoo", "Beauty & Hygiene > Hair Care > Shampoo & Conditioner"),
    ("Detergent Powder", "Cleaning & Household > Detergents & Dishwash > Detergent Powder"),
]
GEN_BRANDS = ["Aashirvaad", "Tata", "Fortune", "Amul", "Britannia", "Parle", "Haldiram's",
              "MDH", "Everest", "Saffola", "Dabur", "Patanjali", "Nestle", "Surf Excel",
              "Dove", "BB Royal", "Fresho", "Organic Tattva", "Priya", "Catch"]
GEN_QUALIFIERS = ["Premium", "Classic", "Organic", "Gold", "Select", "Fresh", "Pure",
                  "Special", "Natural", "Rich"]
GEN_SIZES = ["100 g", "200 g", "500 g", "1 kg", "5 kg", "200 ml", "500 ml", "1 L", "Pack of 4"]
GEN_ROWS = 27_500


def generate_products(rows: int = GEN_ROWS) -> Source:
    """Deterministic stand-in for BigBasket: same seed, same products, on every machine."""
    rng = random.Random(20240601)
    products = []
    for k in range(1, rows + 1):
        kind, category = rng.choice(GEN_KINDS)
        title = f"{rng.choice(GEN_QUALIFIERS)} {kind} {rng.choice(GEN_SIZES)}"
        products.append({
            "id": f"gen-{k}",
            "title": title,
            "brand": rng.choice(GEN_BRANDS),
            "product_type": category,
            "price": f"{rng.randrange(10, 1500)} INR",
            "popularity": round(rng.uniform(1.0, 5.0), 1),
        })
    return Source("built-in generator (deterministic)", products)


def phase_data(generated: bool) -> Source:
    print("== data")
    if generated:
        print("  --generated: using the built-in generator")
        source = generate_products()
    elif BIGBASKET.is_file():
        try:
            source = load_bigbasket(BIGBASKET)
        except (OSError, csv.Error, UnicodeDecodeError) as err:
            print(f"  cannot read {BIGBASKET} ({err}); using the built-in generator instead")
            source = generate_products()
    else:
        print(f"  {BIGBASKET} is absent (it lives beside the repo, not in a fresh clone); "
              "using the built-in generator instead")
        source = generate_products()
    if not source.products:
        raise PhaseError(f"no usable products from {source.name}")
    print(f"  source: {source.name}: {len(source.products):,} products"
          + (f" ({source.skipped} rows skipped: no title/index or title > 200 chars)" if source.skipped else ""))
    return source


def catalog_name(i: int) -> str:
    return f"m{i:05d}"


def catalog_slice(source: Source, i: int, size: int) -> list[dict]:
    """Catalog i: `size` consecutive rows starting at (i*size*7) % total, wrapping."""
    total = len(source.products)
    start = (i * size * 7) % total
    return [source.products[(start + k) % total] for k in range(min(size, total))]


def ndjson(products: list[dict]) -> bytes:
    return b"".join(json.dumps(p, ensure_ascii=False).encode() + b"\n" for p in products)


WORD = re.compile(r"[^\W\d_]{3,}")


def title_query(products: list[dict], pick: int) -> str:
    """The first word (letters only, >= 3 of them) of a title from the catalog, lower-cased.

    `pick` chooses which product to start looking from, so the cold and warm passes can ask
    different (but equally natural) questions of the same catalog."""
    n = len(products)
    for k in range(n):
        match = WORD.search(products[(pick + k) % n]["title"])
        if match:
            return match.group(0).lower()
    return FALLBACK_QUERIES[pick % len(FALLBACK_QUERIES)]


# --------------------------------------------------------------------------------------------
# Phase 2: create


@dataclass
class Results:
    """Every figure measured so far, in order, for the summary."""
    rows: list[tuple[str, str, str]] = field(default_factory=list)  # (figure, value, note)

    def add(self, figure: str, value: str, note: str = "") -> None:
        self.rows.append((figure, value, note))


def wait_for_tasks(client: Client, tasks: dict[int, str], deadline: float, threads: int,
                   what: str) -> dict[str, int]:
    """Polls GET /v1/tasks/{id} until every task is succeeded or failed.

    `tasks` maps task id -> catalog. Returns a count per final status. A task that fell out of
    the server's task history (404) is judged by the catalog's document count instead."""
    pending = dict(tasks)
    counts = {"succeeded": 0, "failed": 0, "evicted_ok": 0, "evicted_missing": 0}
    failures_shown = 0

    def poll(task_id: int):
        reply = client.request("GET", f"/v1/tasks/{task_id}")
        if reply.status == 200:
            return task_id, reply.json()
        if reply.status == 404:
            info = client.request("GET", f"/v1/catalogs/{pending[task_id]}")
            docs = info.json().get("documents", 0) if info.status == 200 else 0
            return task_id, {"status": "evicted_ok" if docs else "evicted_missing"}
        return task_id, None  # transient (503...): ask again next sweep

    while pending:
        if time.monotonic() > deadline:
            raise PhaseError(f"{what}: {len(pending)} tasks still unfinished at the deadline")
        for task_id, task in run_pool(poll, list(pending), threads, deadline, f"{what} polling"):
            if task is None or task.get("status") not in counts:
                continue
            counts[task["status"]] += 1
            if task["status"] == "failed" and failures_shown < 5:
                failures_shown += 1
                print(f"  task {task_id} ({pending[task_id]}) failed: "
                      f"{json.dumps(task.get('errors', [])[:3])[:300]}")
            del pending[task_id]
        if pending:
            time.sleep(0.2)
    return counts


def phase_create(args, server: Server, source: Source, results: Results) -> None:
    print(f"== create: {args.catalogs:,} catalogs of {args.products} products, "
          f"{args.threads} client threads")
    server.start("create")
    ready_ms = server.wait_ready(args.ready_timeout)
    print(f"  server ready in {ready_ms:.0f} ms (empty data dir)")
    client = Client(server)
    deadline = time.monotonic() + args.phase_timeout
    rejected: list[str] = []

    def put(i: int):
        name = catalog_name(i)
        body = ndjson(catalog_slice(source, i, args.products))
        reply = client.write("PUT", f"/v1/catalogs/{name}/products", body)
        if reply.status == 202:
            return reply.json()["task_id"], name
        rejected.append(f"{name}: {reply.status} {reply.body[:200]!r}")
        return None, name

    started = time.monotonic()
    replies = run_pool(put, range(args.catalogs), args.threads, deadline, "creating catalogs")
    submitted = time.monotonic() - started
    tasks = {task_id: name for task_id, name in replies if task_id is not None}
    print(f"  {len(tasks):,} feeds accepted (202) in {submitted:.1f} s; {len(rejected)} refused")
    for line in rejected[:5]:
        print(f"    refused {line}")
    counts = wait_for_tasks(client, tasks, deadline, args.threads, "creating catalogs")
    elapsed = time.monotonic() - started
    ok = counts["succeeded"] + counts["evicted_ok"]
    failed = counts["failed"] + counts["evicted_missing"] + len(rejected)
    rate = ok / elapsed if elapsed > 0 else 0.0
    print(f"  {ok:,} catalogs indexed, {failed} failed, in {elapsed:.1f} s: {rate:.1f} catalogs/s"
          + (f" ({counts['evicted_ok']} judged by document count: task fell out of history)"
             if counts["evicted_ok"] else ""))
    disk = dir_size(args.data_dir / "catalogs")
    print(f"  catalogs on disk: {disk / 2**20:.0f} MiB")
    rss, hwm = server.rss_mib()
    print(f"  server memory after creating: VmRSS {fmt_mib(rss)}, peak {fmt_mib(hwm)}")
    results.add("create: throughput", f"{rate:.1f} catalogs/s", f"{ok:,} ok, {failed} failed, {elapsed:.1f} s")
    results.add("create: disk", f"{disk / 2**20:.0f} MiB", "DIR/catalogs")
    stop_ms = server.stop()
    print(f"  server stopped in {stop_ms:.0f} ms")
    if ok == 0:
        raise PhaseError("no catalog could be created; nothing to measure")


def dir_size(path: Path) -> int:
    total = 0
    for root, _dirs, files in os.walk(path):
        for name in files:
            try:
                total += os.lstat(os.path.join(root, name)).st_size
            except OSError:
                pass
    return total


def fmt_mib(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.0f} MiB"


def fmt_ms(value: float | None) -> str:
    return "n/a" if value is None else f"{value:.2f} ms"


# --------------------------------------------------------------------------------------------
# Phase 3: start-up, memory, cold and warm search per cache size


def search_pass(client: Client, queries: list[tuple[str, str]], threads: int,
                deadline: float, what: str) -> tuple[list[float], dict[str, int]]:
    """One search per (catalog, q); returns client latencies (ms) and a count per outcome other
    than "200 with hits" (an HTTP status, "200 with 0 hits" or "no reply")."""

    def one(item: tuple[str, str]):
        name, q = item
        path = f"/v1/catalogs/{name}/search?" + urllib.parse.urlencode({"q": q})
        t0 = time.perf_counter()
        try:
            reply = client.request("GET", path)
        except ServerDied:
            raise
        except PhaseError:  # timed out or the connection broke: no reply
            return (time.perf_counter() - t0) * 1000.0, "no reply"
        ms = (time.perf_counter() - t0) * 1000.0
        if reply.status == 200 and not reply.json().get("total_hits"):
            return ms, "200 with 0 hits"
        return ms, str(reply.status)

    latencies, outcomes = [], {}
    for ms, status in run_pool(one, queries, threads, deadline, what):
        latencies.append(ms)
        if status != "200":
            outcomes[status] = outcomes.get(status, 0) + 1
    return latencies, outcomes


def check_total(client: Client, expected: int) -> tuple[str, str]:
    """GET /v1/catalogs?limit=1 should page and report total = N."""
    reply = client.request("GET", "/v1/catalogs?limit=1")
    if reply.status != 200:
        return f"HTTP {reply.status}", f"server refused the paged listing: {reply.body[:160]!r}"
    listing = reply.json()
    returned = len(listing.get("catalogs", []))
    total = listing.get("total")
    if total is None:
        return "n/a", (f"no 'total' in the reply (server lacks paging?); "
                       f"it returned {returned:,} catalogs for limit=1")
    note = "ok" if total == expected else f"MISMATCH: expected {expected:,}"
    if returned > 1:
        note += f"; limit=1 returned {returned:,} entries"
    return f"{total:,}", note


def metrics_lines(client: Client) -> list[str]:
    """The /metrics samples whose metric name mentions catalogs or the cache, without the
    per-catalog labelled series (only counted: with 10,000 catalogs they would flood)."""
    reply = client.request("GET", "/metrics")
    if reply.status != 200:
        return [f"(GET /metrics: {reply.status})"]
    lines, per_catalog = [], 0
    for line in reply.body.decode(errors="replace").splitlines():
        if not line or line.startswith("#"):
            continue
        metric = re.split(r"[{\s]", line, maxsplit=1)[0].lower()
        if "catalog" not in metric and "cache" not in metric:
            continue
        if 'catalog="' in line:
            per_catalog += 1
            continue
        lines.append(line)
    if per_catalog:
        lines.append(f"({per_catalog:,} series with a per-catalog label, not shown)")
    return lines[:25] or ["(no catalog or cache metrics)"]


def phase_cache_run(args, server: Server, source: Source, cache_mb: int, results: Results) -> None:
    default = cache_mb == DEFAULT_CACHE_MB
    label = f"cache {cache_mb} MB" + (" (default)" if default else "")
    print(f"== {label}: start-up, cold and warm search over {args.catalogs:,} catalogs")
    server.start(label, None if default else cache_mb)
    ready_ms = server.wait_ready(args.ready_timeout)
    miss = "" if ready_ms <= READY_TARGET_MS else "target missed (<= 1000 ms)"
    print(f"  start to ready: {ready_ms:.0f} ms" + (f"  {miss}" if miss else ""))
    results.add(f"{label}: start to ready", f"{ready_ms:.0f} ms", miss or "target <= 1000 ms")
    client = Client(server)
    rss0, _ = server.rss_mib()
    print(f"  memory right after ready: VmRSS {fmt_mib(rss0)}")

    total, note = check_total(client, args.catalogs)
    print(f"  GET /v1/catalogs?limit=1 total: {total} ({note})")
    results.add(f"{label}: catalogs total", total, note)

    names = [catalog_name(i) for i in range(args.catalogs)]
    slices = {name: catalog_slice(source, i, args.products) for i, name in enumerate(names)}
    cold = [(name, title_query(slices[name], i)) for i, name in enumerate(names)]
    # The warm pass asks another title word, in a fixed shuffled order: a sequential second
    # scan would defeat an LRU cache smaller than the set, a reversed one would flatter it.
    warm = [(name, title_query(slices[name], i + 1)) for i, name in enumerate(names)]
    random.Random(7).shuffle(warm)

    for phase, queries in (("cold", cold), ("warm", warm)):
        deadline = time.monotonic() + args.phase_timeout
        started = time.monotonic()
        latencies, outcomes = search_pass(client, queries, args.threads, deadline, f"{phase} searches")
        wall = time.monotonic() - started
        p50, p99 = percentile(latencies, 50), percentile(latencies, 99)
        zero = outcomes.pop("200 with 0 hits", 0)
        bad = sum(outcomes.values())
        detail = ", ".join(f"{n} x {status}" for status, n in sorted(outcomes.items()))
        print(f"  {phase}: {len(latencies):,} searches in {wall:.1f} s, p50 {fmt_ms(p50)}, "
              f"p99 {fmt_ms(p99)}, max {fmt_ms(max(latencies) if latencies else None)}, "
              f"non-200: {bad}" + (f" ({detail})" if detail else "") + f", zero hits: {zero}")
        results.add(f"{label}: {phase} search p50/p99", f"{fmt_ms(p50)} / {fmt_ms(p99)}",
                    f"non-200: {bad}" + (f" ({detail})" if detail else "") + f", zero hits: {zero}")

    rss, hwm = server.rss_mib()
    if rss is None:
        note = "could not read /proc"
    elif not default:
        note = f"with catalog_cache_mb={cache_mb}"
    elif args.catalogs >= 10_000 and rss > RSS_TARGET_MIB_10K:
        note = "target missed (<= 1 GB for 10,000 catalogs)"
    elif args.catalogs >= 10_000:
        note = "target <= 1 GB for 10,000 catalogs"
    else:
        note = "the 1 GB target is for 10,000 catalogs"
    print(f"  memory after every catalog was searched: VmRSS {fmt_mib(rss)}, peak {fmt_mib(hwm)}")
    results.add(f"{label}: VmRSS after all searched", fmt_mib(rss), f"peak {fmt_mib(hwm)}; {note}")
    print("  /metrics (catalog, cache):")
    for line in metrics_lines(client):
        print(f"    {line}")
    stop_ms = server.stop()
    print(f"  server stopped in {stop_ms:.0f} ms")


# --------------------------------------------------------------------------------------------
# Phase 4: fairness, an upsert while three big replaces run


def phase_fairness(args, server: Server, source: Source, results: Results) -> None:
    bigs = ["big1", "big2", "big3"]
    print(f"== fairness: one-product upsert into m00000 while {len(bigs)} catalogs of "
          f"{len(source.products):,} products are replaced (default settings)")
    # Spool every body before anything is timed.
    first = [ndjson(source.products)] * len(bigs)
    rotated = source.products[1:] + source.products[:1]
    second = [ndjson(rotated)] * len(bigs)  # same rows, another order: a real replace
    print(f"  feed bodies spooled: {len(second[0]) / 2**20:.1f} MiB each")

    server.start("fairness")
    server.wait_ready(args.ready_timeout)
    client = Client(server)
    deadline = time.monotonic() + args.phase_timeout

    def put(pair):
        name, body = pair
        reply = client.write("PUT", f"/v1/catalogs/{name}/products", body)
        if reply.status != 202:
            raise PhaseError(f"PUT {name}: {reply.status} {reply.body[:300]!r}")
        return reply.json()["task_id"], name

    started = time.monotonic()
    tasks = dict(run_pool(put, list(zip(bigs, first)), len(bigs), deadline, "building big catalogs"))
    counts = wait_for_tasks(client, tasks, deadline, len(bigs), "building big catalogs")
    if counts["succeeded"] + counts["evicted_ok"] != len(bigs):
        raise PhaseError(f"the big catalogs could not be built: {counts}")
    print(f"  setup: {len(bigs)} big catalogs built in {time.monotonic() - started:.1f} s")

    stamp = str(int(time.time() * 1000))
    probe_id = f"fair-probe-{stamp}"
    probe = {"id": probe_id, "title": f"Zanzibar Probe Saffron {stamp}", "price": "99 INR"}
    search_path = "/v1/catalogs/m00000/search?" + urllib.parse.urlencode({"q": "zanzibar", "limit": 100})
    if probe_id in hit_ids(client.request("GET", search_path)):
        raise PhaseError("the probe product is already visible before the upsert")

    replace_ids: dict[str, int] = {}  # name -> task id, filled in as the 202s come back

    def replace(pair) -> tuple[str, float | None]:
        """PUT, then poll the task every 100 ms; seconds from firing until it ended (None: failed)."""
        task_id, name = put(pair)
        replace_ids[name] = task_id
        while time.monotonic() < deadline:
            reply = client.request("GET", f"/v1/tasks/{task_id}")
            status = reply.json().get("status") if reply.status == 200 else None
            if status in ("succeeded", "failed"):
                return name, (time.monotonic() - fired) if status == "succeeded" else None
            time.sleep(0.1)
        raise PhaseError(f"the replace of {name} was unfinished at the deadline")

    replace_pool = cf.ThreadPoolExecutor(max_workers=len(bigs))
    try:
        fired = time.monotonic()
        replace_futures = [replace_pool.submit(replace, pair) for pair in zip(bigs, second)]
        time.sleep(0.5)
        states = task_states(client, bigs, replace_ids)
        sent = time.monotonic()
        reply = client.write("POST", "/v1/catalogs/m00000/products", ndjson([probe]))
        if reply.status != 202:
            raise PhaseError(f"upsert refused: {reply.status} {reply.body[:300]!r}")
        upsert_task = reply.json()["task_id"]
        visible_ms = None
        give_up = sent + 60.0
        while time.monotonic() < give_up:
            if probe_id in hit_ids(client.request("GET", search_path)):
                visible_ms = (time.monotonic() - sent) * 1000.0
                break
            time.sleep(0.020)
        print(f"  big replaces when the upsert was sent: {states}")
        upsert = client.get_json(f"/v1/tasks/{upsert_task}")
        print(f"  upsert task {upsert_task}: {upsert.get('status')}")
        if visible_ms is None:
            print("  the upserted product was NOT visible within 60 s: target missed")
            results.add("fairness: upsert visible", "> 60000 ms", "target missed (<= 1000 ms)")
        else:
            miss = "" if visible_ms <= VISIBLE_TARGET_MS else "target missed (<= 1000 ms)"
            print(f"  upsert visible after {visible_ms:.0f} ms" + (f"  {miss}" if miss else ""))
            results.add("fairness: upsert visible", f"{visible_ms:.0f} ms", miss or "target <= 1000 ms")
        remaining = max(1.0, deadline - time.monotonic())
        finished = dict(f.result(timeout=remaining) for f in replace_futures)
    except cf.TimeoutError:
        raise PhaseError("the big replaces did not finish in time") from None
    finally:
        replace_pool.shutdown(wait=False, cancel_futures=True)

    for name, secs in sorted(finished.items()):
        print(f"  replace {name}: " + (f"finished {secs:.1f} s after firing" if secs is not None
                                        else "FAILED"))
    done = [s for s in finished.values() if s is not None]
    results.add("fairness: big replaces took", f"{max(done):.1f} s" if done else "n/a",
                f"{len(done)}/{len(bigs)} succeeded, {len(source.products):,} products each")
    server.stop()


def phase_burst(args, server: Server, source: Source, results: Results) -> None:
    """One merchant sends BURST one-product upserts without waiting for any: how long until
    every task has finished, each reported on its own, and the last product is searchable."""
    count = args.burst
    print(f"== burst: {count:,} one-product upserts into m00000 sent without waiting (default settings)")
    server.start("burst")
    server.wait_ready(args.ready_timeout)
    client = Client(server)
    deadline = time.monotonic() + args.phase_timeout
    rows = source.products[:count]
    bodies = []
    for n, row in enumerate(rows):
        product = dict(row, id=f"burst-{n:05d}", title=f"{row['title']} burst{n:05d}")
        bodies.append(ndjson([product]))
    started = time.monotonic()
    tasks: dict[int, str] = {}
    refused = 0
    for body in bodies:  # one after another, as a merchant's stock sync sends them
        reply = client.write("POST", "/v1/catalogs/m00000/products", body)
        if reply.status == 202:
            tasks[reply.json()["task_id"]] = "m00000"
        else:
            refused += 1
    sent = time.monotonic() - started
    counts = wait_for_tasks(client, tasks, deadline, args.threads, "burst")
    elapsed = time.monotonic() - started
    last = client.request("GET", f"/v1/catalogs/m00000/search?q=burst{count - 1:05d}")
    found = last.status == 200 and f"burst-{count - 1:05d}" in hit_ids(last)
    print(f"  sent in {sent:.2f} s ({refused} refused); all {counts['succeeded']:,} tasks "
          f"succeeded, {counts['failed']} failed, after {elapsed:.2f} s; last product "
          f"{'found' if found else 'NOT found'}")
    results.add("burst: 1-product upserts, all visible", f"{elapsed:.2f} s",
                f"{count:,} sent without waiting; {counts['succeeded']:,} succeeded one by one")
    server.stop()


def hit_ids(reply: Reply) -> set[str]:
    if reply.status != 200:
        return set()
    return {hit.get("id") for hit in reply.json().get("hits", [])}


def task_states(client: Client, names: list[str], task_ids: dict[str, int]) -> str:
    """The status of each named task right now (for the record)."""
    states = []
    for name in names:
        task_id = task_ids.get(name)
        if task_id is None:
            states.append(f"{name} still uploading")
            continue
        reply = client.request("GET", f"/v1/tasks/{task_id}")
        states.append(f"{name} {reply.json().get('status') if reply.status == 200 else reply.status}")
    return ", ".join(states)


# --------------------------------------------------------------------------------------------
# Summary and main


def print_summary(args, source: Source, results: Results) -> None:
    print()
    print(f"== summary: {args.catalogs:,} catalogs x {args.products} products from {source.name}")
    if not results.rows:
        print("  (nothing measured)")
        return
    width = max(len(r[0]) for r in results.rows)
    vwidth = max(len(r[1]) for r in results.rows)
    for figure, value, note in results.rows:
        print(f"  {figure:<{width}}  {value:>{vwidth}}  {note}")


def parse_args(argv: list[str]) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--catalogs", type=int, default=2000, help="number of catalogs (default 2000)")
    p.add_argument("--products", type=int, default=300, help="products per catalog (default 300)")
    p.add_argument("--port", type=int, default=int(os.environ.get("PORT", 18090)),
                   help="port on 127.0.0.1 (default 18090, env PORT)")
    p.add_argument("--cache-mb", default="1024,256",
                   help="catalog_cache_mb values to test, comma-separated (default 1024,256; "
                        "1024 is the server default and runs without KIRANA_CATALOG_CACHE_MB)")
    p.add_argument("--binary", type=Path, default=REPO / "target" / "release" / "kirana",
                   help="the kirana binary (default target/release/kirana)")
    p.add_argument("--data-dir", type=Path, help="data dir (default: a temporary one, removed after)")
    p.add_argument("--generated", action="store_true",
                   help="use the built-in product generator even when the BigBasket file exists")
    p.add_argument("--skip-fairness", action="store_true", help="skip the upsert-under-load phase")
    p.add_argument("--burst", type=int, default=1000,
                   help="one-product upserts one merchant sends without waiting (default 1000; "
                        "0 skips the phase)")
    p.add_argument("--threads", type=int, default=8, help="client threads (default 8)")
    p.add_argument("--ready-timeout", type=float, default=300.0,
                   help="seconds to wait for /readyz (default 300: a server that opens every "
                        "catalog at start still gets a figure)")
    p.add_argument("--phase-timeout", type=float, default=1800.0,
                   help="seconds any one phase may take (default 1800)")
    p.add_argument("--stop-timeout", type=float, default=15.0,
                   help="seconds between SIGTERM and SIGKILL (default 15)")
    args = p.parse_args(argv)
    if not 1 <= args.catalogs <= 100_000:
        p.error("--catalogs must be between 1 and 100000")
    if not 1 <= args.products <= 100_000:
        p.error("--products must be between 1 and 100000")
    if not 1 <= args.threads <= 64:
        p.error("--threads must be between 1 and 64")
    try:
        args.cache_sizes = [int(v) for v in args.cache_mb.split(",") if v.strip()]
    except ValueError:
        p.error(f"--cache-mb must be comma-separated integers, got {args.cache_mb!r}")
    if any(v <= 0 for v in args.cache_sizes):
        p.error("--cache-mb values must be positive")
    return args


def interrupt(_signum, _frame) -> None:
    raise KeyboardInterrupt


def port_free(port: int) -> bool:
    import socket
    with socket.socket() as s:
        s.settimeout(0.5)
        return s.connect_ex((HOST, port)) != 0


def main(argv: list[str]) -> int:
    args = parse_args(argv)
    if not args.binary.is_file():
        print(f"error: no server binary at {args.binary}; run `cargo build --release` first "
              "(or use loadtest/many_catalogs.sh, which does)")
        return 1
    if not port_free(args.port):
        print(f"error: something already listens on {HOST}:{args.port}; pick another --port")
        return 1
    own_dir = args.data_dir is None
    if own_dir:
        args.data_dir = Path(tempfile.mkdtemp(prefix="kirana-many-"))
    args.data_dir.mkdir(parents=True, exist_ok=True)
    if any((args.data_dir / "catalogs").glob("*")):
        print(f"error: {args.data_dir}/catalogs is not empty; this script needs a fresh data dir")
        return 1
    # Ctrl-C (even if a parent shell left SIGINT ignored), SIGTERM and SIGHUP all unwind as
    # KeyboardInterrupt, so the `finally` below stops the server.
    for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(sig, interrupt)

    server = Server(args.binary.resolve(), args.data_dir.resolve(), args.port, args.stop_timeout)
    results = Results()
    source = Source("(not loaded)", [])
    status = 0
    print(f"kirana many-catalogs load test: {args.catalogs:,} catalogs x {args.products} products, "
          f"{HOST}:{args.port}, data dir {args.data_dir}")
    try:
        source = phase_data(args.generated)
        phase_create(args, server, source, results)
        for cache_mb in args.cache_sizes:
            phase_cache_run(args, server, source, cache_mb, results)
        if args.burst > 0:
            phase_burst(args, server, source, results)
        if args.skip_fairness:
            print("== fairness: skipped (--skip-fairness)")
        else:
            phase_fairness(args, server, source, results)
    except KeyboardInterrupt:
        print("\ninterrupted; stopping the server")
        status = 130
    except PhaseError as err:
        print(f"\nerror: {err}")
        if server.proc is not None and not isinstance(err, ServerDied):
            print(server.log_tail(15))
        status = 1
    finally:
        server.stop()
        if own_dir:
            shutil.rmtree(args.data_dir, ignore_errors=True)
    print_summary(args, source, results)
    return status


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
