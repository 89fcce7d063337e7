"""Every builtin of swiftpy.zlib, swiftpy.blas and swiftpy.demo has a signature that
`inspect.signature` parses on the running interpreter (3.14 parses `__text_signature__`
more strictly than earlier versions), with the parameter names the builtin accepts."""
import importlib
import inspect

import pytest

MODULES = ["swiftpy.zlib", "swiftpy.blas", "swiftpy.demo"]


def builtins_of(module_name):
    """(qualified name, callable) for each function, instantiable type and method."""
    module = importlib.import_module(module_name)
    found = []
    for name, value in sorted(vars(module).items()):
        if name.startswith("_") or getattr(value, "__module__", None) != module_name:
            continue
        # SwiftPy builtins are routines (`swiftpy.builtin_function`), not `def` functions.
        if inspect.isroutine(value) and not inspect.isfunction(value):
            found.append((f"{module_name}.{name}", value))
        elif isinstance(value, type) and not issubclass(value, BaseException):
            if value.__text_signature__ is not None:
                found.append((f"{module_name}.{name}", value))
            for method_name, method in sorted(vars(value).items()):
                if inspect.ismethoddescriptor(method) and not isinstance(method, (property, type(int.real))):
                    if getattr(method, "__text_signature__", None) is not None:
                        found.append((f"{module_name}.{name}.{method_name}", method))
    return found


CASES = [case for module in MODULES for case in builtins_of(module)]


def test_every_module_has_builtins_with_signatures():
    # Guards the collection itself: an empty or tiny list would make the test below vacuous.
    per_module = {module: sum(1 for name, _ in CASES if name.startswith(module + ".")) for module in MODULES}
    assert all(count >= 3 for count in per_module.values()), per_module
    assert len(CASES) >= 40, len(CASES)


@pytest.mark.parametrize("name,builtin", CASES, ids=[name for name, _ in CASES])
def test_signature_parses(name, builtin):
    signature = inspect.signature(builtin)
    # The text signature names the same parameters that inspect reports.
    text = builtin.__text_signature__
    for parameter in signature.parameters:
        assert parameter in text, (name, parameter, text)
