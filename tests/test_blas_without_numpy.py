"""swiftpy.blas without numpy: importing it never imports numpy, and results are
swiftpy.blas.Buffer objects with a readable repr (run in a child interpreter where
`import numpy` fails)."""
import subprocess
import sys
import textwrap

import pytest

pytest.importorskip("swiftpy.blas")


def run(code):
    script = "import sys\n" + textwrap.dedent(code)
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_import_does_not_import_numpy():
    assert run("import swiftpy.blas\nprint('numpy' in sys.modules)").strip() == "False"


def test_results_are_buffers_with_a_useful_repr():
    out = run("""
        sys.modules["numpy"] = None  # import numpy now raises ImportError
        import swiftpy.blas as blas
        r = blas.matmul([[1.0, 2.0], [3.0, 4.0]], [[1.0, 0.0], [0.0, 1.0]])
        print(type(r).__name__, r.shape, r.format)
        print(repr(r))
        print(repr(blas.dgemm(1.0, [[1.0, 2.0], [3.0, 4.0]], [[2.0, 0.0], [0.0, 2.0]])))
        print(repr(blas.matmul([[1.0] * 200] * 2, [1.0] * 200)))
        v = blas.matmul([1.0, 2.0], [3.0, 4.0])
        print(type(v).__name__, v)
        print(memoryview(blas.sscal(2.0, [1.0, 2.0])).tolist())
        big = blas.matmul([[1.0] * 20] * 20, [[1.0] * 20] * 20)
        print(repr(big))
    """).splitlines()
    assert out[0] == "Buffer (2, 2) d"
    assert out[1] == "<swiftpy.blas.Buffer shape=(2, 2) format='d' order=C [[1.0, 2.0], [3.0, 4.0]]>"
    assert out[2] == "<swiftpy.blas.Buffer shape=(2, 2) format='d' order=F [[2.0, 4.0], [6.0, 8.0]]>"
    assert out[3] == "<swiftpy.blas.Buffer shape=(2,) format='d' order=C [200.0, 200.0]>"
    assert out[4] == "float 11.0"
    assert out[5] == "[2.0, 4.0]"
    assert out[6] == "<swiftpy.blas.Buffer shape=(20, 20) format='d' order=C>"  # values only when small
