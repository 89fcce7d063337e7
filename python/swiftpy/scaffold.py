"""``python -m swiftpy new NAME``: a new project whose builtins are written in Swift.

The project (from ``project-template/``) is a SwiftPM package that depends on the SwiftPy
shipped inside the installed ``swiftpy-builtins``, a Python package with stubs, a
``setup.py`` that builds it with ``swiftpy.build``, pytest tests, a ``.gitignore`` and a CI
script; ``pip install ./NAME`` builds it wherever it was created."""
import keyword
import os
import re

__all__ = ["names_for", "new_project", "TEMPLATE"]

TEMPLATE = os.path.join(os.path.dirname(os.path.abspath(__file__)), "project-template")

#: Target names SwiftPy's package already uses: a project target of the same name would
#: clash with it in SwiftPM's package graph.
_TAKEN_TARGETS = {"cpython", "cpythonembed", "czlib", "copenblas", "swiftpy", "swiftpyembed", "zlib", "blas",
                  "swiftpymodules", "swiftpytests", "zlibtests", "blastests"}


def names_for(name):
    """The distribution, import and Swift names for a project called ``name``:
    ``{"name": "my-tool", "module": "my_tool", "Module": "MyTool"}``; ValueError when
    ``name`` cannot be all three."""
    if not re.fullmatch(r"[A-Za-z][A-Za-z0-9]*(?:[-_.][A-Za-z0-9]+)*", name or ""):
        raise ValueError(f"{name!r} is not a usable project name: letters, digits, and single '-', '_' or '.' "
                         "between them, starting with a letter")
    module = re.sub(r"[-.]", "_", name).lower()
    camel = "".join(part[:1].upper() + part[1:] for part in re.split(r"[-_.]", name))
    if keyword.iskeyword(module) or module == "swiftpy":
        raise ValueError(f"{name!r} would make the import name {module!r}, which Python (or SwiftPy) already uses")
    if camel.lower() in _TAKEN_TARGETS or camel.lower().endswith("native"):
        raise ValueError(f"{name!r} would make the Swift target {camel!r}, which clashes with SwiftPy's own; "
                         "pick another name")
    return {"name": name, "module": module, "Module": camel}


def _render(text, values):
    for key, value in values.items():
        text = text.replace("{{" + key + "}}", value)
    return text


def new_project(name, parent="."):
    """Writes the project ``name`` into ``parent/name`` (which must not exist, or be
    empty); returns its path."""
    from . import __version__
    values = dict(names_for(name), swiftpy_version=__version__)
    root = os.path.abspath(os.path.join(parent, name))
    if os.path.exists(root) and (not os.path.isdir(root) or os.listdir(root)):
        raise FileExistsError(f"{root} already exists and is not empty")
    for folder, dirs, files in os.walk(TEMPLATE):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for file in sorted(files):
            if not file.endswith(".tmpl"):
                continue
            relative = os.path.relpath(os.path.join(folder, file), TEMPLATE)[:-len(".tmpl")]
            relative = relative.replace("__Module__", values["Module"]).replace("__module__", values["module"])
            head, tail = os.path.split(relative)
            if tail.startswith("dot-"):
                relative = os.path.join(head, "." + tail[len("dot-"):])
            with open(os.path.join(folder, file), encoding="utf-8") as f:
                text = _render(f.read(), values)
            target = os.path.join(root, relative)
            os.makedirs(os.path.dirname(target), exist_ok=True)
            with open(target, "w", encoding="utf-8") as f:
                f.write(text)
            if relative.endswith(".sh"):
                os.chmod(target, 0o755)
    return root
