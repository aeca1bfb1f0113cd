"""The repository's platform/ folder holds deployment files only: a Python package of
that name would shadow the standard library module that uuid (and so Django) imports."""

import platform
import sysconfig
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def test_import_platform_resolves_to_the_standard_library():
    stdlib = Path(sysconfig.get_paths()["stdlib"]).resolve()
    module_file = Path(platform.__file__).resolve()
    assert module_file.is_relative_to(stdlib), module_file
    assert not module_file.is_relative_to(REPO)


def test_standard_platform_module_works():
    version = platform.python_version()
    assert version.count(".") == 2
    assert version.split(".")[0] == "3"


def test_repository_platform_folder_has_no_python_files():
    folder = REPO / "platform"
    assert not (folder / "__init__.py").exists()
    assert list(folder.rglob("*.py")) == []


def test_production_pages_are_served_as_the_benchmark_measures_them():
    """granian's default runs hundreds of threads per process, and the campaign page
    collapsed to seconds under it (bench/README.md); the measured layout is one
    request at a time per process, in both ways of deploying."""
    procfile = (REPO / "platform" / "Procfile").read_text()
    compose = (REPO / "platform" / "compose.yaml").read_text()
    web = next(line for line in procfile.splitlines() if line.startswith("web:"))
    assert "granian --interface wsgi" in web and "--blocking-threads 1" in web
    assert '"--blocking-threads", "1"' in compose
    bench = (REPO / "bench" / "campaign_page.py").read_text()
    assert "--blocking-threads 1" in bench
