"""`sigtui import` as a whole process, on an Azure CLI JSON file of N image versions
(issue #18: each version replicates to 4 target regions, over 4 regions).

    python -m benchmarks.imports --size 20k               # SQLite (and PostgreSQL, below)
    python -m benchmarks.imports --size 200k --read-only  # the reading's peak memory only
    python -m benchmarks.imports --cache DIR --json FILE  # keep the files, every figure as JSON

Figures, each net of `sigtui --version` (the same process doing nothing):
  import    `sigtui import FILE` into an empty catalog (schema made beforehand), versions/s;
  reimport  the same file again (nothing changes), versions/s;
  memory    the peak resident memory of each of those processes;
  read      the peak memory and time of a process that only reads the file and counts its
            resources (streamed, as `sigtui import` reads it);
  load      the 1-minute load average after each run (the machine may be shared);
  cpu       the same rates from the processes' CPU time (user + system), net of
            `sigtui --version`'s: on a shared machine they move far less than wall time.

PostgreSQL is measured beside SQLite when $SIGTUI_BENCH_PG_URL names an empty database,
or when a throwaway server can be started (`initdb` and `pg_ctl` found, run as the
`postgres` user when root, as the tests do); `--no-postgres` skips it.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import uuid
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
ENV_PG_URL = "SIGTUI_BENCH_PG_URL"
PG_USER = "postgres"
PG_BIN = Path(os.environ.get("SIGTUI_PG_BIN", "/usr/lib/postgresql/15/bin"))

# (region, its display name as az prints target regions); every version targets all four
REGIONS = (
    ("westeurope", "West Europe"),
    ("northeurope", "North Europe"),
    ("eastus", "East US"),
    ("westus2", "West US 2"),
)
PER_DEFINITION = 100  # versions per image definition


@dataclass(frozen=True)
class Size:
    subscriptions: int
    per_place: int  # versions per subscription x region (Azure's limit: 10,000)

    @property
    def versions(self) -> int:
        return self.subscriptions * len(REGIONS) * self.per_place


SIZES = {
    "tiny": Size(1, 10),  # the test: 40 versions
    "20k": Size(1, 5_000),  # the figure
    "200k": Size(10, 5_000),  # the memory figure
}

# The reading step alone, as `sigtui import` does it: streamed, each value's resources
# counted and dropped (a checkout before #18 read the document whole, then counted).
READ_PROCESS = """
import sys
from pathlib import Path
from sigtui.catalog.azure.importing.write import count_items
try:
    from sigtui.catalog.azure.importing.reading import StreamedFile
except ImportError:
    from sigtui.catalog.azure.importing.reading import read_file
    print(count_items(read_file(Path(sys.argv[1]))))
else:
    print(sum(count_items(value) for value in StreamedFile(Path(sys.argv[1])).values()))
"""

# Runs a command and reports its peak memory: a small process, so that the peak Linux
# carries over across fork and exec is this one's, not the benchmark's.
MEASURED = """
import resource, subprocess, sys, time
started = time.perf_counter()
done = subprocess.run(sys.argv[1:], stdout=subprocess.PIPE, text=True)
seconds = time.perf_counter() - started
usage = resource.getrusage(resource.RUSAGE_CHILDREN)
print(done.stdout.strip().splitlines()[-1:], file=sys.stderr)
cpu = usage.ru_utime + usage.ru_stime
print(f"{done.returncode} {seconds} {usage.ru_maxrss} {cpu}", file=sys.stderr)
"""


# --- the file ------------------------------------------------------------------------------


def _ids(subscription: str, region: str) -> tuple[str, str]:
    group = f"rg-images-{region}"
    gallery = (
        f"/subscriptions/{subscription}/resourceGroups/{group}"
        f"/providers/Microsoft.Compute/galleries/gallery_{region}"
    )
    return group, gallery


def resources(size: Size) -> Iterator[dict[str, Any]]:
    """The file's resources, az-shaped: galleries (`az sig list`), definitions
    (`az sig image-definition list`), versions (`az sig image-version list`)."""
    places = [
        (str(uuid.UUID(int=0x18_0000 + s)), region, shown)
        for s in range(size.subscriptions)
        for region, shown in REGIONS
    ]
    for subscription, region, _ in places:
        group, gallery = _ids(subscription, region)
        yield _gallery(gallery, group, region)
    for subscription, region, _ in places:
        group, gallery = _ids(subscription, region)
        for d in range(-(-size.per_place // PER_DEFINITION)):
            yield _definition(gallery, group, region, d)
    for subscription, region, shown in places:
        group, gallery = _ids(subscription, region)
        for n in range(size.per_place):
            yield _version(gallery, group, region, shown, n)


def _gallery(gallery: str, group: str, region: str) -> dict[str, Any]:
    return {
        "id": gallery,
        "name": gallery.rsplit("/", 1)[1],
        "location": region,
        "resourceGroup": group,
        "type": "Microsoft.Compute/galleries",
        "description": "images of the platform team",
        "identifier": {"uniqueName": f"{uuid.uuid5(uuid.NAMESPACE_URL, gallery)}-GALLERY"},
        "provisioningState": "Succeeded",
        "tags": {"team": "platform"},
    }


def _definition(gallery: str, group: str, region: str, d: int) -> dict[str, Any]:
    return {
        "id": f"{gallery}/images/linux-{d:03d}",
        "name": f"linux-{d:03d}",
        "location": region,
        "resourceGroup": group,
        "type": "Microsoft.Compute/galleries/images",
        "osType": "Linux",
        "osState": "Generalized",
        "hyperVGeneration": "V2",
        "architecture": "x64",
        "identifier": {"publisher": "Contoso", "offer": f"Ubuntu{d:03d}", "sku": "22_04-lts"},
        "recommended": {"vCPUs": {"min": 2, "max": 16}, "memory": {"min": 4, "max": 64}},
        "features": [{"name": "SecurityType", "value": "TrustedLaunch"}],
        "provisioningState": "Succeeded",
        "tags": {},
    }


def _version(gallery: str, group: str, region: str, shown: str, n: int) -> dict[str, Any]:
    definition = f"{gallery}/images/linux-{n // PER_DEFINITION:03d}"
    name = f"1.{n // PER_DEFINITION}.{n % PER_DEFINITION}"
    image = f"{gallery.split('/providers/')[0]}/providers/Microsoft.Compute/images/ubuntu-{n}"
    targets = [shown] + [other for _, other in REGIONS if other != shown]
    return {
        "id": f"{definition}/versions/{name}",
        "name": name,
        "location": region,
        "resourceGroup": group,
        "type": "Microsoft.Compute/galleries/images/versions",
        "provisioningState": "Succeeded",
        "publishingProfile": {
            "targetRegions": [
                {
                    "name": target,
                    "regionalReplicaCount": 1 + (n + i) % 3,
                    "storageAccountType": "Standard_LRS",
                    "excludeFromLatest": False,
                }
                for i, target in enumerate(targets)
            ],
            "replicaCount": 1,
            "storageAccountType": "Standard_LRS",
            "excludeFromLatest": False,
            "publishedDate": "2025-06-01T10:00:00.0000000+00:00",
        },
        "storageProfile": {
            "source": {"id": image},
            "osDiskImage": {"sizeInGB": 30, "hostCaching": "ReadWrite"},
            "dataDiskImages": [{"lun": 0, "sizeInGB": 128, "hostCaching": "None"}],
        },
        "safetyProfile": {"allowDeletionOfReplicatedLocations": False},
        "tags": {"build": str(20250000 + n)},
    }


def write_file(path: Path, size: Size) -> None:
    """Written one resource at a time, as az prints a list (indented)."""
    with path.open("w", encoding="utf-8") as file:
        file.write("[")
        for index, resource in enumerate(resources(size)):
            file.write(",\n" if index else "\n")
            file.write(json.dumps(resource, indent=2))
        file.write("\n]\n")


def import_file(folder: Path, name: str) -> Path:
    """The file of size `name` in `folder` (reused when already there)."""
    path = folder / f"versions-{name}.az.json"
    if not path.exists():
        partial = path.with_suffix(".partial")
        write_file(partial, SIZES[name])
        partial.rename(path)
    return path


# --- processes -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float
    said: str = ""  # the last line of its output
    cpu_seconds: float = 0.0  # user + system


def measured(command: list[str], env: dict[str, str], root: Path) -> Run:
    """Run a whole process from `root`; its time and peak resident memory."""
    done = subprocess.run(
        [sys.executable, "-c", MEASURED, *command],
        cwd=root,
        env=env,
        stderr=subprocess.PIPE,
        text=True,
        check=True,
    )
    said, figures = done.stderr.strip().splitlines()[-2:]
    code, seconds, peak_kb, cpu = figures.split()
    if code != "0":
        raise RuntimeError(f"{' '.join(command)} exited {code}: {done.stderr[-2000:]}")
    return Run(float(seconds), int(peak_kb) / 1024, said, float(cpu))


def sigtui(*args: str) -> list[str]:
    return [sys.executable, "-m", "sigtui", *args]


def _median(runs: list[Run]) -> Run:
    return Run(
        statistics.median(r.seconds for r in runs),
        statistics.median(r.peak_mb for r in runs),
        cpu_seconds=statistics.median(r.cpu_seconds for r in runs),
    )


def import_figures(
    url: str, path: Path, versions: int, env: dict[str, str], root: Path, repeats: int
) -> dict[str, float]:
    """Import into the empty catalog at `url`, then again; each net of `sigtui --version`."""
    base = _median([measured(sigtui("--version"), env, root) for _ in range(repeats)])
    upgrade = sigtui("--db", url, "db", "upgrade")
    subprocess.run(upgrade, cwd=root, env=env, check=True, stdout=subprocess.DEVNULL)
    first = measured(sigtui("--db", url, "import", str(path)), env, root)
    import_load = os.getloadavg()[0]
    _expect(first, f"{resource_count(versions)} created")
    again = measured(sigtui("--db", url, "import", str(path)), env, root)
    reimport_load = os.getloadavg()[0]
    _expect(again, f"{resource_count(versions)} unchanged")
    return {
        "import_load": import_load,
        "reimport_load": reimport_load,
        "version_process": base.seconds,
        "import_seconds": first.seconds,
        "import_rate": versions / max(first.seconds - base.seconds, 1e-9),
        "import_peak_mb": first.peak_mb,
        "reimport_seconds": again.seconds,
        "reimport_rate": versions / max(again.seconds - base.seconds, 1e-9),
        "reimport_peak_mb": again.peak_mb,
        "version_peak_mb": base.peak_mb,
        "version_cpu": base.cpu_seconds,
        "import_cpu": first.cpu_seconds,
        "import_cpu_rate": versions / max(first.cpu_seconds - base.cpu_seconds, 1e-9),
        "reimport_cpu": again.cpu_seconds,
        "reimport_cpu_rate": versions / max(again.cpu_seconds - base.cpu_seconds, 1e-9),
    }


def resource_count(versions: int) -> int:
    """Versions, their definitions and galleries (the file's resources)."""
    size = next(s for s in SIZES.values() if s.versions == versions)
    places = size.subscriptions * len(REGIONS)
    return versions + places * (1 + -(-size.per_place // PER_DEFINITION))


def _expect(run: Run, words: str) -> None:
    if words not in run.said:
        raise RuntimeError(f"the import did not say {words!r}: {run.said}")


def read_figures(path: Path, env: dict[str, str], root: Path) -> dict[str, float]:
    base = measured([sys.executable, "-c", "import sigtui.catalog.store.db"], env, root)
    read = measured([sys.executable, "-c", READ_PROCESS, str(path)], env, root)
    return {
        "read_seconds": read.seconds - base.seconds,
        "read_peak_mb": read.peak_mb,
        "file_mb": path.stat().st_size / 1024**2,
    }


# --- PostgreSQL ----------------------------------------------------------------------------


def _as_pg_user() -> list[str]:
    return ["runuser", "-u", PG_USER, "--"] if os.geteuid() == 0 else []


def _pg_bin(name: str) -> str:
    found = PG_BIN / name
    return str(found) if found.exists() else shutil.which(name) or name


@contextmanager
def throwaway_postgres() -> Iterator[str]:
    """A server of its own (as tests/conftest.py starts one); yields a database's URL."""
    base = Path(tempfile.mkdtemp(prefix="sigtui-bench-pg-"))
    sockets, data = base / "socket", base / "data"
    sockets.mkdir()
    if os.geteuid() == 0:
        for folder in (base, sockets):
            shutil.chown(folder, PG_USER, PG_USER)
    pg = [*_as_pg_user()]
    port = 55_000 + os.getpid() % 5_000
    options = (
        f"-k {sockets} -p {port} -c listen_addresses='' "
        "-c fsync=off -c synchronous_commit=off -c full_page_writes=off"
    )
    try:
        init = [_pg_bin("initdb"), "-D", str(data), "-U", PG_USER, "-A", "trust", "-E", "UTF8"]
        subprocess.run([*pg, *init, "--locale=C", "--no-sync"], check=True, capture_output=True)
        start = [_pg_bin("pg_ctl"), "-D", str(data), "-l", str(base / "log"), "-o", options]
        subprocess.run([*pg, *start, "-w", "start"], check=True, capture_output=True)
        try:
            create = [_pg_bin("createdb"), "-h", str(sockets), "-p", str(port), "-U", PG_USER]
            subprocess.run([*pg, *create, "bench"], check=True, capture_output=True)
            yield f"postgresql+psycopg://{PG_USER}@/bench?host={sockets}&port={port}"
        finally:
            stop = [_pg_bin("pg_ctl"), "-D", str(data), "stop", "-m", "fast"]
            subprocess.run([*pg, *stop], check=False, capture_output=True)
    finally:
        shutil.rmtree(base, ignore_errors=True)


def postgres_url(stack: ExitStack, wanted: bool) -> str | None:
    if not wanted:
        return None
    if os.environ.get(ENV_PG_URL):
        return os.environ[ENV_PG_URL]
    try:
        return stack.enter_context(throwaway_postgres())
    except (OSError, subprocess.CalledProcessError, LookupError) as exc:
        print(f"PostgreSQL not measured: {exc}", file=sys.stderr)
        return None


# --- the report ----------------------------------------------------------------------------

TARGETS = {
    "import_rate": (">= 20,000 versions/s", 20_000),
    "reimport_rate": (">= 40,000 versions/s", 40_000),
}


def report(figures: dict[str, Any]) -> str:
    engines = [e for e in ("sqlite", "postgresql") if e in figures]
    header = ["figure", *engines, "target"]
    rows = [header, ["---"] * len(header)]
    for name, label in (("import_rate", "import"), ("reimport_rate", "re-import")):
        seconds = name.replace("rate", "seconds")
        load = name.replace("rate", "load")
        cells = [
            f"{figures[e][name]:,.0f} versions/s ({figures[e][seconds]:.1f} s, "
            f"load {figures[e].get(load, 0):.1f})"
            for e in engines
        ]
        rows.append([f"{label}, {figures['versions']:,} versions", *cells, TARGETS[name][0]])
    for name, label in (("import_cpu_rate", "import"), ("reimport_cpu_rate", "re-import")):
        cpu = name.replace("_rate", "")
        cells = [
            f"{figures[e][name]:,.0f} versions/s ({figures[e][cpu]:.1f} s)"
            if name in figures[e]
            else ""
            for e in engines
        ]
        rows.append([f"{label}, by CPU time", *cells, ""])
    for name, label in (("import_peak_mb", "import"), ("reimport_peak_mb", "re-import")):
        cells = [f"{figures[e][name]:,.0f} MB" for e in engines]
        rows.append([f"{label}, peak memory", *cells, ""])
    base = [
        f"{_ms(figures[e]['version_process'])} ({_ms(figures[e].get('version_cpu', 0))} CPU)"
        for e in engines
    ]
    rows.append(["`sigtui --version`", *base, ""])
    if "read" in figures:
        read = figures["read"]
        rows.append(
            [
                f"reading {figures['versions']:,} versions ({read['file_mb']:,.0f} MB of JSON)",
                f"{read['read_seconds']:.1f} s, {read['read_peak_mb']:,.0f} MB peak",
                *[""] * (len(engines) - 1),
                "200,000 versions <= 300 MB (whole import)",
            ]
        )
    return "\n".join("| " + " | ".join(row) + " |" for row in rows)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", choices=SIZES, default="20k")
    parser.add_argument("--cache", type=Path, help="keep the generated files here (reused)")
    parser.add_argument("--json", type=Path, help="also write every figure to this file")
    parser.add_argument("--repeats", type=int, default=3, help="runs of `sigtui --version`")
    parser.add_argument("--read-only", action="store_true", help="only the reading figure")
    parser.add_argument("--no-read", action="store_true", help="skip the reading figure")
    parser.add_argument("--no-postgres", action="store_true", help="SQLite only")
    parser.add_argument("--root", type=Path, default=ROOT, help="the sigtui checkout to run")
    args = parser.parse_args()
    size = SIZES[args.size]
    figures: dict[str, Any] = {"size": args.size, "versions": size.versions}
    with tempfile.TemporaryDirectory() as scratch, ExitStack() as stack:
        folder = args.cache or Path(scratch)
        folder.mkdir(parents=True, exist_ok=True)
        home = Path(scratch) / "home"  # no default catalog, no user settings
        env = {**os.environ, "PYTHONPATH": str(args.root)}
        env |= {f"XDG_{kind}_HOME": str(home) for kind in ("DATA", "STATE", "CONFIG")}
        print(f"writing {size.versions:,} versions in {folder} ...", file=sys.stderr)
        path = import_file(folder, args.size)
        if not args.no_read:
            figures["read"] = read_figures(path, env, args.root)
        if not args.read_only:
            url = f"sqlite:///{Path(scratch) / 'import.db'}"
            figures["sqlite"] = import_figures(
                url, path, size.versions, env, args.root, args.repeats
            )
            pg_url = postgres_url(stack, not args.no_postgres)
            if pg_url is not None:
                figures["postgresql"] = import_figures(
                    pg_url, path, size.versions, env, args.root, args.repeats
                )
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2), "utf-8")
    print(report(figures) if not args.read_only else json.dumps(figures["read"]))


if __name__ == "__main__":
    main()
