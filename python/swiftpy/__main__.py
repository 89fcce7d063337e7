"""``python -m swiftpy``: SwiftPy's command line.

    python -m swiftpy --package-path   SwiftPy's Swift package (for Package.swift)
    python -m swiftpy new NAME         a new project with Swift builtins, in ./NAME
    python -m swiftpy develop [DIR]    rebuild a project's Swift extensions in place
"""
import argparse
import os
import subprocess
import sys


def _develop(project):
    """Builds the project's extensions into its source tree (``setup.py build_ext
    --inplace``, incremental), where an editable install (``pip install -e .``) imports
    them from. A failed build prints the compiler's errors, once, and exits 1."""
    project = os.path.abspath(project)
    if not os.path.exists(os.path.join(project, "setup.py")):
        print(f"swiftpy develop: no setup.py in {project}", file=sys.stderr)
        return 2
    try:
        import setuptools  # noqa: F401  (setup.py runs it)
    except ImportError:
        print("swiftpy develop: needs setuptools: pip install 'swiftpy-builtins[build]'", file=sys.stderr)
        return 2
    command = [sys.executable, "setup.py", "--quiet", "build_ext", "--inplace"]
    # Only the build's own messages: setuptools' and wheel's deprecation notes are noise here.
    env = dict(os.environ, PYTHONWARNINGS="ignore")
    # No link-time optimisation unless asked for: it relinks the whole product on every
    # change (seconds become ~a minute); `pip install .` builds with it.
    env.setdefault("SWIFTPY_LTO", "0")
    result = subprocess.run(command, cwd=project, stdout=subprocess.DEVNULL, env=env)
    if result.returncode == 0:
        print(f"swiftpy develop: built in place in {project}", file=sys.stderr)
    return 1 if result.returncode else 0


def main(argv=None):
    parser = argparse.ArgumentParser(prog="python -m swiftpy", description="SwiftPy: CPython builtins in Swift.")
    parser.add_argument("--package-path", action="store_true",
                        help="print the folder of SwiftPy's Swift package (Package.swift, Sources/, CModules/)")
    parser.add_argument("--version", action="store_true", help="print SwiftPy's version")
    commands = parser.add_subparsers(dest="command")
    new = commands.add_parser("new", help="create a project with a Swift builtin, ready to pip install")
    new.add_argument("name", help="project name (distribution name; the import name is derived from it)")
    new.add_argument("--dir", default=".", help="folder to create the project in (default: the current one)")
    develop = commands.add_parser("develop", help="rebuild a project's Swift extensions in place (after pip install -e .)")
    develop.add_argument("project", nargs="?", default=".", help="the project folder (default: the current one)")
    args = parser.parse_args(argv)

    if args.package_path:
        from .build import package_path
        print(package_path())
        return 0
    if args.version:
        from . import __version__
        print(__version__)
        return 0
    if args.command == "new":
        from .scaffold import new_project
        try:
            root = new_project(args.name, args.dir)
        except (ValueError, FileExistsError) as error:
            print(f"swiftpy new: {error}", file=sys.stderr)
            return 2
        shown = os.path.relpath(root)
        if shown.startswith(".."):
            shown = root
        elif not shown.startswith("."):
            shown = os.path.join(".", shown)  # `pip install demo` would ask PyPI for "demo"
        print(f"Created {root}. Next:\n"
              f"  python -m pip install {shown}      # builds it (needs a Swift 6 toolchain)\n"
              f"  python -m pytest {os.path.join(shown, 'tests')}")
        return 0
    if args.command == "develop":
        return _develop(args.project)
    parser.print_help()
    return 2


if __name__ == "__main__":
    sys.exit(main())
