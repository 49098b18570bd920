#!/usr/bin/env python3
"""The load harness of sharing-hub: builds the release binaries, generates
(or reuses) a dataset, starts the hub on it, drives it with oha at 1, 16 and
64 concurrent clients, measures the raw-SQL floor on the same database, and
writes the results as a markdown table under bench/results/.

    bench/run                                   # SQLite, 100,000 subjects, 1,000,000 commitments
    bench/run --backend postgres --replicas     # PostgreSQL, plus two hub processes over it
    bench/run --subjects 10000 --commitments 100000 --duration 5   # a quick pass

Only the standard library; oha is installed with `cargo install oha` when
missing; PostgreSQL is started with scripts/pg-test-server.
"""

import argparse
import datetime
import json
import os
import platform
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
HUB = ROOT / "target" / "release" / "sharing-hub"
FLOOR = ROOT / "target" / "release" / "bench-floor"
CLIENTS = [1, 16, 64]

# The issue's targets (release build, 2 cores, SQLite, 100,000 subjects,
# 1,000,000 commitments): scenario -> (min req/s at 64 clients, max p99 ms at 64).
TARGETS = {
    "a": (5000, 25.0),
    "b": (300, None),
    "c": (5000, None),
    "d": (1500, None),
    "e": (None, 150.0),
}
FLOOR_SHARE = 0.5  # (a) at least half the floor's throughput

SUBJECT_QUERY = """query Subject($id: SubjectId!) { subject(id: $id) {
  id name credit { level commitmentRouteOpen reasons }
  certificates(inForceOnly: true) { identifier typeName validUntil }
  commitments(openOnly: true) { id state item { name } verificationDue } } }"""

BATCH_QUERY = """query Batch($ids: [SubjectId!]!) { subjects(ids: $ids) {
  id name credit { level commitmentRouteOpen reasons }
  certificates(inForceOnly: true) { identifier typeName validUntil }
  commitments(openOnly: true) { id state item { name } verificationDue } } }"""

VERIFY_QUERY = """query Verify($i: VerifyCertificateInput!) { verifyCertificate(input: $i) {
  verdict checks { check result detail } } }"""

SUBMIT_MUTATION = """mutation Submit($input: SubmitCommitmentInput!) {
  submitCommitment(input: $input) { commitment { id state verificationMethod } } }"""

METRICS_QUERY = """query Dashboard($f: MetricsFilter!) { metrics(filter: $f) {
  commitments { byState { key count } byKind { key count } onTheSpotRate { rate } verificationCoverage { rate }
    overdueChecks falseCommitmentRate { rate } revocations withdrawals meanWorkingDaysToVerification }
  credit { bySeverity { key count } lists { listed current } }
  certificates { issued verifications { total invalid } }
  assistance { open overdue }
  series { bucket submitted approved verified revoked } } }"""

OPEN_STATES = "('SUBMITTED', 'APPROVED', 'VERIFYING', 'NONCOMPLIANT', 'RECTIFYING')"


def log(*a):
    print("[bench]", *a, file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("$", " ".join(str(c) for c in cmd))
    return subprocess.run(cmd, check=True, **kw)


def build():
    run(["cargo", "build", "--release", "--locked", "-p", "sharing-hub", "-p", "bench-floor"], cwd=ROOT)


def oha_binary():
    found = shutil.which("oha") or str(Path.home() / ".cargo" / "bin" / "oha")
    if not Path(found).exists():
        run(["cargo", "install", "oha", "--locked"])
    return found


class Db:
    """The dataset's database, for the few reads the harness makes itself."""

    def __init__(self, url):
        self.url = url

    def rows(self, sql):
        if self.url.startswith("sqlite://"):
            con = sqlite3.connect(f"file:{self.url[len('sqlite://'):]}?mode=ro", uri=True)
            try:
                return con.execute(sql).fetchall()
            finally:
                con.close()
        out = subprocess.run(["psql", self.url, "-At", "-F", "\t", "-c", sql], check=True,
                             capture_output=True, text=True).stdout
        return [tuple(line.split("\t")) for line in out.splitlines() if line]

    def one(self, sql):
        return self.rows(sql)[0][0]


def postgres_admin():
    """The loopback PostgreSQL server of scripts/pg-test-server, restarted with
    fsync on: the test suite runs it without, production would not."""
    script = str(ROOT / "scripts" / "pg-test-server")
    subprocess.run([script, "stop"], capture_output=True)
    out = subprocess.run([script, "start"], check=True, capture_output=True, text=True,
                         env=dict(os.environ, PG_TEST_FSYNC="on")).stdout
    m = re.search(r"TEST_DATABASE_URL=(\S+)", out)
    if not m:
        raise SystemExit(f"pg-test-server gave no URL: {out}")
    return m.group(1).strip("'\"")


def dataset(args):
    """The dataset's URL and data directory, generating it if need be."""
    name = f"{args.backend}-{args.subjects}-{args.commitments}-{args.seed}"
    data = ROOT / "bench" / "data" / name
    data.mkdir(parents=True, exist_ok=True)
    done = data / "generated.json"
    if args.backend == "sqlite":
        url = f"sqlite://{data / 'hub.db'}"
    else:
        admin = postgres_admin()
        base = admin.rsplit("/", 1)[0]
        db = "bench_" + name.replace("-", "_")
        url = f"{base}/{db}"
        exists = Db(admin).rows(f"SELECT 1 FROM pg_database WHERE datname = '{db}'")
        if not exists:
            done.unlink(missing_ok=True)
            Db(admin).rows(f"CREATE DATABASE {db}")
    if done.exists():
        info = json.loads(done.read_text())
        log(f"reusing the dataset {name} (generated in {info['seconds']:.0f}s)")
        return url, data, info
    if args.backend == "sqlite":
        for f in data.glob("hub.db*"):
            f.unlink()
    started = time.time()
    out = run([str(HUB), "--database-url", url, "--data-dir", str(data), "--log", "warn", "generate",
               "--subjects", str(args.subjects), "--commitments", str(args.commitments),
               "--seed", str(args.seed)], capture_output=True, text=True).stdout
    info = {"seconds": time.time() - started, "stats": out.strip()}
    done.write_text(json.dumps(info))
    log(f"generated {name} in {info['seconds']:.0f}s")
    return url, data, info


def port_free(port):
    import socket
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) != 0


class Process:
    def __init__(self, cmd, port, env=None):
        # Another process on the port would answer in this one's place.
        if not port_free(port):
            raise SystemExit(f"port {port} is taken (a hub left running?): stop it or pass --port")
        self.log = tempfile.NamedTemporaryFile(prefix="bench-", suffix=".log", delete=False)
        self.proc = subprocess.Popen(cmd, stdout=self.log, stderr=subprocess.STDOUT, env=env)
        self.port = port
        deadline = time.time() + 120
        while time.time() < deadline:
            if self.proc.poll() is not None:
                raise SystemExit(f"{cmd[0]} exited: see {self.log.name}")
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/readyz", timeout=1)
                return
            except Exception:
                try:
                    urllib.request.urlopen(f"http://127.0.0.1:{port}/", timeout=1)
                    return
                except urllib.error.HTTPError:
                    return
                except Exception:
                    time.sleep(0.2)
        raise SystemExit(f"{cmd[0]} did not become ready: see {self.log.name}")

    def reset_peak(self):
        """Starts a new peak (VmHWM) from the resident size now (Linux: clear_refs 5)."""
        try:
            Path(f"/proc/{self.proc.pid}/clear_refs").write_text("5")
        except OSError:
            pass

    def memory(self):
        """(resident MB now, peak resident MB) from /proc."""
        status = Path(f"/proc/{self.proc.pid}/status").read_text()
        field = lambda k: int(re.search(rf"^{k}:\s+(\d+) kB", status, re.M).group(1)) / 1024
        return field("VmRSS"), field("VmHWM")

    def stop(self):
        self.proc.send_signal(signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.proc.kill()


def start_hub(url, data, port):
    env = dict(os.environ, RUST_LOG="warn")
    return Process([str(HUB), "--database-url", url, "--data-dir", str(data), "--log", "warn",
                    # Verifying the whole audit chain of a grown dataset (over five
                    # million entries) takes longer than the default 30 s.
                    "serve", "--bind", f"127.0.0.1:{port}"], port, env)


def token(url, data, dept, scopes):
    return subprocess.run([str(HUB), "--database-url", url, "--data-dir", str(data), "--log", "error",
                           "token", "--dept", dept, "--scope", scopes, "--ttl", "4h"],
                          check=True, capture_output=True, text=True).stdout.strip()


def graphql(port, tok, query, variables=None):
    body = json.dumps({"query": query, "variables": variables or {}}).encode()
    req = urllib.request.Request(f"http://127.0.0.1:{port}/graphql", data=body, headers={
        "content-type": "application/json", "authorization": f"Bearer {tok}"})
    with urllib.request.urlopen(req, timeout=60) as r:
        out = json.loads(r.read())
    if out.get("errors"):
        raise SystemExit(f"GraphQL errors: {out['errors']}")
    return out["data"]


# oha treats '.' as a plain dot in --rand-regex-url; every other meta
# character of Rust's regex syntax is escaped.
RUST_REGEX_META = set("\\+*?()|[]{}^$#&-~")


def regex_escape(text):
    return "".join("\\" + c if c in RUST_REGEX_META else c for c in text)


def url_with_choice(prefix, before, ids, after):
    """A URL regex for oha's --rand-regex-url: fixed text around one of `ids`."""
    return regex_escape(prefix + before) + "(" + "|".join(ids) + ")" + regex_escape(after)


class Oha:
    def __init__(self, binary, duration):
        self.binary = binary
        self.duration = duration
        self.version = subprocess.run([binary, "--version"], capture_output=True, text=True).stdout.strip()

    def run(self, url, clients, token=None, body=None, regex=False, extra=(), requests=None):
        """A run of `self.duration` seconds, or of `requests` requests when given
        (for requests slower than a run would be long)."""
        amount = ["-n", str(requests)] if requests else ["-z", f"{self.duration}s"]
        cmd = [self.binary, *amount, "-c", str(clients), "--no-tui", "--output-format", "json"]
        if token:
            cmd += ["-H", f"authorization: Bearer {token}"]
        cmd += ["-H", "accept: application/graphql-response+json"]
        if body is not None:
            f = tempfile.NamedTemporaryFile("w", suffix=".json", delete=False)
            f.write(body)
            f.close()
            cmd += ["-m", "POST", "-T", "application/json", "-D", f.name]
        if regex:
            cmd += ["--rand-regex-url"]
        cmd += list(extra) + [url]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
        return parse(json.loads(out))


def parse(o):
    s = o["summary"]
    lat = o.get("latencyPercentiles", {})
    codes = o.get("statusCodeDistribution", {})
    ok = sum(v for k, v in codes.items() if k.startswith("2"))
    total = sum(codes.values())
    return {
        "rps": s.get("requestsPerSec") or 0.0,
        "p50": (lat.get("p50") or 0.0) * 1000,
        "p99": (lat.get("p99") or 0.0) * 1000,
        "ok": ok,
        # Requests still in flight when the run's time is up are cut off, not failed.
        "failed": total - ok + sum(v for k, v in o.get("errorDistribution", {}).items()
                                   if "aborted due to deadline" not in k),
    }


def scenario_a(ctx):
    ids = ctx["ids"][:1000]
    q = urllib.parse.quote(SUBJECT_QUERY)
    before = f"/graphql?query={q}&variables=" + urllib.parse.quote('{"id":"')
    return url_with_choice(f"http://127.0.0.1:{ctx['port']}", before, ids, urllib.parse.quote('"}'))


def measure(args, url, data, info, floor_results=None, label=""):
    oha = Oha(oha_binary(), args.duration)
    db = Db(url)
    hub = start_hub(url, data, args.port)
    # Stopped also when a check fails, so that no hub is left holding the port.
    try:
        time.sleep(2)
        idle_rss, _ = hub.memory()
        read = token(url, data, "410900-SWJ", "credit:read certificate:read certificate:verify commitment:read")
        write = token(url, data, "410900-SCJGJ", "commitment:write")
        dash = token(url, data, "410900-FGW", "metrics:read")
        auditor = token(url, data, "410900-SFJ", "audit:read")

        ids = [r[0] for r in db.rows("SELECT id FROM subject ORDER BY id LIMIT 200000")][::97][:1000]
        batch = ids[:100]
        cert = db.one("SELECT identifier FROM certificate WHERE status = 'VALID' ORDER BY identifier LIMIT 1")
        doc = graphql(args.port, token(url, data, "410900-SCJGJ", "certificate:read"),
                      "query($id: CertificateIdentifier!) { exportCertificate(identifier: $id) }", {"id": cert})["exportCertificate"]
        clean = db.one(
            "SELECT s.id FROM subject s WHERE length(s.id) = 18 AND s.id LIKE '91%' "
            "AND NOT EXISTS (SELECT 1 FROM credit_record r WHERE r.subject_id = s.id) "
            "AND NOT EXISTS (SELECT 1 FROM punishment_entry e WHERE e.subject_id = s.id) ORDER BY s.id LIMIT 1")
        today = datetime.date.today()

        bodies = {
            "b": json.dumps({"query": BATCH_QUERY, "variables": {"ids": batch}}),
            "c": json.dumps({"query": VERIFY_QUERY, "variables": {"i": {"document": doc}}}),
            "d": json.dumps({"query": SUBMIT_MUTATION, "variables": {"input": {
                "item": "410900-SCJGJ-XK-003", "applicant": clean, "applicantName": "基准测试药房有限公司",
                "kind": "MEETS_NOW", "statements": {"knowsNotification": True, "meetsConditions": True,
                                                     "acceptsLiability": True, "declaresTruth": True},
                "materials": ["药品经营许可证申请表", "营业场所平面布局图", "药学技术人员资格证书"]}}}),
            "e": json.dumps({"query": METRICS_QUERY, "variables": {"f": {
                "from": str(today - datetime.timedelta(days=365)), "to": str(today), "bucket": "MONTH"}}}),
        }
        graphql_url = f"http://127.0.0.1:{args.port}/graphql"
        ctx = {"port": args.port, "ids": ids}
        scenarios = [
            ("a", "single-subject lookup (credit, certificates, open commitments; audited)", scenario_a(ctx), read, None, True),
            ("b", "batch lookup of 100 subjects", graphql_url, read, bodies["b"], False),
            ("c", "verifyCertificate of a presented document", graphql_url, read, bodies["c"], False),
            ("d", "submitCommitment (write path: eligibility, audit entry, one transaction)", graphql_url, write, bodies["d"], False),
            ("e", "dashboard metrics over the whole dataset", graphql_url, dash, bodies["e"], False),
        ]
        results = []
        peak_load_rss = 0.0
        peak = 0.0
        for key, title, target_url, tok, body, regex in scenarios:
            if args.only and key not in args.only:
                continue
            probe(args.port, tok, body, ids[0] if regex else None)
            before = int(db.one("SELECT COUNT(*) FROM commitment")) if key == "d" else None
            for c in CLIENTS:
                # A dashboard takes seconds, not milliseconds: a count of requests
                # (two per client) rather than a duration.
                n = max(4, 2 * c) if key == "e" else submissions(args, c) if key == "d" else None
                hub.reset_peak()
                r = oha.run(target_url, c, token=tok, body=body, regex=regex, requests=n)
                rss, run_peak = hub.memory()
                peak_load_rss = max(peak_load_rss, rss)
                peak = max(peak, run_peak)
                r.update(key=key, title=title, clients=c, rss=rss, peak=run_peak)
                log(f"{label}({key}) {c:>2} clients: {r['rps']:.0f} req/s, p50 {r['p50']:.1f} ms, p99 {r['p99']:.1f} ms, failed {r['failed']}")
                results.append(r)
            if key == "d":
                after = int(db.one("SELECT COUNT(*) FROM commitment"))
                sent = sum(r["ok"] for r in results if r["key"] == "d")
                results[-1]["writes"] = {"accepted": sent, "stored": after - before}
        time.sleep(1)
        chain = chain_report(args.port, auditor)
    finally:
        hub.stop()
    memory = {"idle": idle_rss, "load": peak_load_rss, "peak": peak}
    return results, memory, chain, oha.version


def submissions(args, clients):
    """How many submissions a (d) run sends: a count, not a duration, so no
    request is cut off in flight and every accepted write can be counted."""
    return (400 if clients == 1 else 700) * args.duration


def probe(port, tok, body, subject):
    """One request of a scenario before the load, so a broken query fails loudly."""
    if subject is not None:
        graphql(port, tok, SUBJECT_QUERY, {"id": subject})
    else:
        b = json.loads(body)
        if "submitCommitment" not in b["query"]:
            graphql(port, tok, b["query"], b["variables"])


# Entries per verifyAuditChain call: the bench's log grows by millions, and each
# call must end well inside the hub's request timeout (30 s).
CHAIN_PART = 500_000


def chain_report(port, auditor):
    """The whole chain checked in parts, once every entry is sealed."""
    for _ in range(60):
        c = graphql(port, auditor, "{ verifyAuditChain(maxEntries: 1) { pendingCount } }")["verifyAuditChain"]
        if c["pendingCount"] == 0:
            break
        time.sleep(1)
    after = ""
    while True:
        c = graphql(port, auditor, f"{{ verifyAuditChain(maxEntries: {CHAIN_PART}{after}) {{ valid complete "
                    "sealedCount headHash pendingCount firstBreak { seq problem } } }")["verifyAuditChain"]
        if not c["valid"] or c["complete"]:
            return c
        after = f', after: {{seq: {c["sealedCount"]}, hash: "{c["headHash"]}"}}'


def floor(args, url, ids):
    oha = Oha(oha_binary(), args.duration)
    port = args.port + 10
    proc = Process([str(FLOOR), "--database-url", url, "--bind", f"127.0.0.1:{port}"], port)
    out = {}
    try:
        single = url_with_choice(f"http://127.0.0.1:{port}", "/subject/", ids[:1000], "")
        body = json.dumps({"ids": ids[:100]})
        for c in CLIENTS:
            out[("a", c)] = oha.run(single, c, regex=True)
            out[("b", c)] = oha.run(f"http://127.0.0.1:{port}/subjects", c, body=body)
            log(f"floor {c:>2} clients: (a) {out[('a', c)]['rps']:.0f} req/s, (b) {out[('b', c)]['rps']:.0f} req/s")
    finally:
        proc.stop()
    return out


def replicas(args, url, data):
    """(a) and (d) with two hub processes over one PostgreSQL, half the clients each."""
    oha = Oha(oha_binary(), args.duration)
    ports = [args.port, args.port + 1]
    hubs = [start_hub(url, data, p) for p in ports]
    db = Db(url)
    read = token(url, data, "410900-SWJ", "credit:read certificate:read certificate:verify commitment:read")
    write = token(url, data, "410900-SCJGJ", "commitment:write")
    auditor = token(url, data, "410900-SFJ", "audit:read")
    ids = [r[0] for r in db.rows("SELECT id FROM subject ORDER BY id LIMIT 200000")][::97][:1000]
    clean = db.one(
        "SELECT s.id FROM subject s WHERE length(s.id) = 18 AND s.id LIKE '91%' "
        "AND NOT EXISTS (SELECT 1 FROM credit_record r WHERE r.subject_id = s.id) "
        "AND NOT EXISTS (SELECT 1 FROM punishment_entry e WHERE e.subject_id = s.id) ORDER BY s.id DESC LIMIT 1")
    submit = json.dumps({"query": SUBMIT_MUTATION, "variables": {"input": {
        "item": "410900-SCJGJ-XK-003", "applicant": clean, "applicantName": "基准测试药房有限公司",
        "kind": "MEETS_NOW", "statements": {"knowsNotification": True, "meetsConditions": True,
                                             "acceptsLiability": True, "declaresTruth": True},
        "materials": ["药品经营许可证申请表", "营业场所平面布局图", "药学技术人员资格证书"]}}})
    out = []
    try:
        for key in ["a", "d"]:
            before = int(db.one("SELECT COUNT(*) FROM commitment"))
            procs = []
            for p in ports:
                if key == "a":
                    target = scenario_a({"port": p, "ids": ids})
                    cmd_args = dict(token=read, regex=True)
                else:
                    target = f"http://127.0.0.1:{p}/graphql"
                    cmd_args = dict(token=write, body=submit, requests=submissions(args, 32) // 2)
                procs.append((target, cmd_args))
            import concurrent.futures
            with concurrent.futures.ThreadPoolExecutor(2) as pool:
                rs = list(pool.map(lambda t: oha.run(t[0], 32, **t[1]), procs))
            r = {"key": key, "rps": sum(x["rps"] for x in rs), "p50": max(x["p50"] for x in rs),
                 "p99": max(x["p99"] for x in rs), "ok": sum(x["ok"] for x in rs),
                 "failed": sum(x["failed"] for x in rs), "clients": 64}
            if key == "d":
                after = int(db.one("SELECT COUNT(*) FROM commitment"))
                r["writes"] = {"accepted": r["ok"], "stored": after - before}
            log(f"replicas ({key}) 2 × 32 clients: {r['rps']:.0f} req/s, p99 {r['p99']:.1f} ms")
            out.append(r)
        time.sleep(1)
        chain = chain_report(ports[0], auditor)
    finally:
        for h in hubs:
            h.stop()
    return out, chain


def machine():
    cpu = "unknown"
    try:
        cpu = re.search(r"model name\s*:\s*(.+)", Path("/proc/cpuinfo").read_text()).group(1)
    except Exception:
        pass
    mem = int(re.search(r"MemTotal:\s+(\d+)", Path("/proc/meminfo").read_text()).group(1)) // 1024
    return f"{cpu}, {os.cpu_count()} cores, {mem} MB RAM, {platform.system()} {platform.release()}"


def backend_detail(args):
    if args.backend == "sqlite":
        return ("SQLite (bundled with libsqlite3-sys), one file, WAL, synchronous=FULL; "
                "the hub's layout of one writer and 8 readers")
    version = Db(postgres_admin_url()).one("SHOW server_version")
    return (f"PostgreSQL {version} on loopback (scripts/pg-test-server), fsync on, "
            "other settings Debian's defaults; the hub's pool of 16 connections")


def postgres_admin_url():
    out = subprocess.run([str(ROOT / "scripts" / "pg-test-server"), "start"], check=True,
                         capture_output=True, text=True, env=dict(os.environ, PG_TEST_FSYNC="on")).stdout
    return re.search(r"TEST_DATABASE_URL=(\S+)", out).group(1).strip("'\"")


def commit():
    rev = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = subprocess.run(["git", "status", "--porcelain", "--untracked-files=no"], cwd=ROOT,
                           capture_output=True, text=True).stdout.strip()
    return rev + (" (with uncommitted changes)" if dirty else "")


def verdict(key, r64, floor_a):
    rps_min, p99_max = TARGETS[key]
    ok = True
    parts = []
    if rps_min is not None:
        parts.append(f"≥ {rps_min} req/s")
        ok &= r64["rps"] >= rps_min
    if p99_max is not None:
        parts.append(f"p99 ≤ {p99_max:.0f} ms" if key != "e" else f"≤ {p99_max:.0f} ms (one client)")
        ok &= r64["p99"] <= p99_max
    if key == "a" and floor_a:
        parts.append(f"≥ {FLOOR_SHARE:.0%} of floor")
        ok &= r64["rps"] >= FLOOR_SHARE * floor_a
    if key == "d" and "writes" in r64:
        parts.append("none lost or doubled")
        ok &= r64["writes"]["accepted"] == r64["writes"]["stored"]
    return ", ".join(parts), ok


def report(args, info, results, memory, chain, floor_results, oha_version, repl=None):
    lines = [
        f"# Benchmark: {args.backend}, {args.subjects:,} subjects, {args.commitments:,} commitments",
        "",
        f"- Date: {datetime.datetime.now().strftime('%Y-%m-%d %H:%M')}",
        f"- Commit: {commit()}",
        f"- Machine: {machine()}",
        f"- Database: {backend_detail(args)}",
        f"- Load tool: {oha_version}, {args.duration} s per run ((d): a count of requests, "
        f"{submissions(args, 1)} at one client, {submissions(args, 16)} at more; (e): two per client), "
        f"on the same machine as the hub",
        f"- Dataset: generated in {info['seconds']:.0f} s (`sharing-hub generate --subjects {args.subjects} "
        f"--commitments {args.commitments} --seed {args.seed}`)",
        f"- Generator output: `{info['stats'][-400:]}`",
        "",
        "| scenario | clients | req/s | p50 ms | p99 ms | failed | × floor | RSS MB after | peak RSS MB | target | met |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---|---|",
    ]
    for r in results:
        fl = floor_results.get((r["key"], r["clients"])) if floor_results else None
        ratio = f"{r['rps'] / fl['rps']:.2f}" if fl and fl["rps"] else ""
        target, met = ("", "")
        # (e) is a latency target for one dashboard: judged at one client.
        if r["clients"] == (1 if r["key"] == "e" else 64):
            fa = floor_results.get(("a", 64), {}).get("rps") if floor_results else None
            target, ok = verdict(r["key"], r, fa)
            met = "yes" if ok else "**no**"
        lines.append(f"| ({r['key']}) {r['title']} | {r['clients']} | {r['rps']:.0f} | {r['p50']:.1f} | "
                     f"{r['p99']:.1f} | {r['failed']} | {ratio} | {r.get('rss', 0):.0f} | {r.get('peak', 0):.0f} | {target} | {met} |")
    if floor_results:
        lines += ["", "Floor (hand-written SQL behind a bare axum handler, no GraphQL, auth or audit):", "",
                  "| lookup | clients | req/s | p50 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
        for (k, c), r in sorted(floor_results.items()):
            lines.append(f"| ({k}) | {c} | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} |")
    writes = [r for r in results if "writes" in r]
    if writes:
        w = writes[-1]["writes"]
        lines += ["", f"Writes (d): {w['accepted']} accepted, {w['stored']} stored "
                      f"({'none lost or doubled' if w['accepted'] == w['stored'] else 'MISMATCH'})."]
    lines += ["", f"Audit chain afterwards: valid = {chain['valid']}, {chain['sealedCount']} entries sealed, "
                  f"{chain['pendingCount']} pending.",
              "", f"Resident memory: {memory['idle']:.0f} MB idle, {memory['load']:.0f} MB under load "
                  f"(largest sample after a run), {memory['peak']:.0f} MB peak (VmHWM, the largest of the runs'); targets ≤ 60 MB idle, ≤ 250 MB under load."]
    if repl:
        rs, rchain = repl
        lines += ["", "Two hub processes over the one database, 32 clients each:", "",
                  "| scenario | req/s (sum) | p50 ms (worse) | p99 ms (worse) | failed |", "|---|---:|---:|---:|---:|"]
        for r in rs:
            lines.append(f"| ({r['key']}) | {r['rps']:.0f} | {r['p50']:.1f} | {r['p99']:.1f} | {r['failed']} |")
            if "writes" in r:
                lines.append(f"|  writes | {r['writes']['accepted']} accepted, {r['writes']['stored']} stored | | | |")
        lines += ["", f"Audit chain afterwards: valid = {rchain['valid']}, {rchain['sealedCount']} sealed, "
                      f"{rchain['pendingCount']} pending."]
    out = Path(args.out) if args.out else (
        ROOT / "bench" / "results" / f"{datetime.date.today()}-{args.backend}-{args.subjects}-{args.commitments}.md")
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("\n".join(lines) + "\n")
    log(f"results written to {out.resolve()}")
    print("\n".join(lines))


def main():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    p.add_argument("--subjects", type=int, default=100_000)
    p.add_argument("--commitments", type=int, default=1_000_000)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--duration", type=int, default=10, help="seconds per run")
    p.add_argument("--port", type=int, default=18080)
    p.add_argument("--only", default="", help="scenarios to run, e.g. 'ad'")
    p.add_argument("--no-floor", action="store_true")
    p.add_argument("--replicas", action="store_true", help="also (a) and (d) on two hub processes (PostgreSQL)")
    p.add_argument("--no-build", action="store_true")
    p.add_argument("--out", help="where to write the results (default bench/results/<date>-<backend>-N-M.md)")
    p.add_argument("--generate-only", action="store_true", help="generate (or find) the dataset and stop")
    args = p.parse_args()
    if not args.no_build:
        build()
    url, data, info = dataset(args)
    if args.generate_only:
        return
    results, memory, chain, version = measure(args, url, data, info)
    floor_results = None
    if not args.no_floor:
        ids = [r[0] for r in Db(url).rows("SELECT id FROM subject ORDER BY id LIMIT 200000")][::97][:1000]
        floor_results = floor(args, url, ids)
    repl = replicas(args, url, data) if args.replicas else None
    # The measurements first, so a report can be written again from them.
    raw = ROOT / "bench" / "data" / f"last-{args.backend}.json"
    raw.write_text(json.dumps({"info": info, "results": results, "memory": memory, "chain": chain,
                               "floor": [[k, c, r] for (k, c), r in (floor_results or {}).items()],
                               "version": version, "repl": repl}))
    report(args, info, results, memory, chain, floor_results, version, repl)


if __name__ == "__main__":
    main()
