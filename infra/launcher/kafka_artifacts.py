"""The Kafka broker's class path, resolved from Maven Central with ``infra/kafka/pom.xml``.

Maven downloads the jars into ``~/.m2`` once; the resulting class path is
cached under the state dir together with a digest of the pom, and resolved
again only when the pom changes or a jar has gone from the Maven cache.
"""

import hashlib
import shutil
import subprocess
from pathlib import Path

from infra.launcher.errors import LauncherError

POM = Path(__file__).resolve().parent.parent / "kafka" / "pom.xml"


def _digest(pom: Path) -> str:
    return hashlib.sha256(pom.read_bytes()).hexdigest()


def cached_classpath(cache_dir: Path, pom: Path = POM) -> str | None:
    """The cached class path if it was built from this pom and every jar still exists."""
    cp_file, digest_file = cache_dir / "classpath.txt", cache_dir / "classpath.sha256"
    try:
        if digest_file.read_text().strip() != _digest(pom):
            return None
        classpath = cp_file.read_text().strip()
    except OSError:
        return None
    jars = classpath.split(":")
    if not classpath or not all(Path(jar).is_file() for jar in jars):
        return None
    return classpath


def resolve_classpath(cache_dir: Path, mvn_bin: str = "mvn", pom: Path = POM) -> tuple[str, bool]:
    """The broker class path and whether Maven had to run now (idempotent; ~5 s when it does)."""
    cached = cached_classpath(cache_dir, pom)
    if cached is not None:
        return cached, False
    mvn = shutil.which(mvn_bin)
    if mvn is None:
        raise LauncherError(
            f"Maven ({mvn_bin}) is not installed; it resolves the Kafka jars from Maven Central",
            hint="install it (apt-get install -y maven) or set BOXOFFICE_MVN_BIN",
        )
    cache_dir.mkdir(parents=True, exist_ok=True)
    out = cache_dir / "classpath.txt"
    result = subprocess.run(
        [mvn, "-q", "-B", "-Dstyle.color=never", "-f", str(pom), "dependency:build-classpath",
         f"-Dmdep.outputFile={out}"],
        capture_output=True, text=True, check=False, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    if result.returncode != 0:
        raise LauncherError(
            "Maven could not resolve the Kafka artifacts",
            hint=(result.stdout + result.stderr).strip()[-3000:] or "is Maven Central reachable?",
        )
    (cache_dir / "classpath.sha256").write_text(_digest(pom))
    classpath = cached_classpath(cache_dir, pom)
    if classpath is None:
        raise LauncherError(f"Maven wrote no usable class path to {out}")
    return classpath, True
