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
