import BLAS
import SwiftPy

/// `swiftpy.blas`: BLAS over the buffer protocol with the GIL released.
let blasModule = ModuleDefinition(
    name: "swiftpy.blas",
    doc: """
        BLAS (OpenBLAS) over any buffer-protocol array of float32/float64, with the GIL released.

        matmul(a, b, out=None) multiplies 2-D arrays (and matrix x vector); the scipy.linalg.blas
        compatible functions (sgemm/dgemm, sgemv/dgemv, sdot/ddot, saxpy/daxpy, sscal/dscal,
        snrm2/dnrm2, sasum/dasum, isamax/idamax) take scipy's arguments and return scipy's
        results. New arrays are numpy.ndarrays when numpy is importable (numpy wraps memory this
        module allocated, without a copy; numpy is imported on the first result, never at import),
        else swiftpy.blas.Buffer objects (buffer protocol: memoryview and numpy read them in place).

        Every call above ~100 kflop (dgemm n >= 37, level-1 on >= 50 000 elements) releases the
        GIL, so Python threads calling these functions run in parallel.

        Threads: OpenBLAS has one process-wide thread count (set_num_threads / get_num_threads,
        also controlled by OPENBLAS_NUM_THREADS and threadpoolctl). While two or more large
        calls run at once through this module, each uses a single OpenBLAS thread (N Python
        threads x M BLAS threads would oversubscribe the cores); the configured count is
        restored when the last one finishes. set_oversubscription_guard(False) turns this off.
        """,
    functions: [
        Function("matmul",
                 doc: "a @ b for 2-D arrays, matrix @ vector, vector @ matrix and vector @ vector, for float32/float64 "
                    + "buffers (float32 @ float64 computes in float64; lists become float64). Returns what "
                    + "numpy.matmul returns (a new array, or a numpy scalar for vector @ vector), or writes into `out` (a writable array of the result's dtype and shape "
                    + "that shares no memory with a or b) and returns it.",
                 [Parameter("a"), Parameter("b"), Parameter.optional("out")]) {
            (py: Python, a: PyBorrowedRef, b: PyBorrowedRef, out: PyBorrowedRef?) throws -> PyObjectRef in
            try matmul(py, a, b, out)
        },
    ]
        + gemmFunctions(Double.self, "dgemm") + gemmFunctions(Float.self, "sgemm")
        + gemvFunctions(Double.self, "dgemv") + gemvFunctions(Float.self, "sgemv")
        + level1Functions(Double.self, "d") + level1Functions(Float.self, "s")
        + complexGEMMFunctions(Complex<Double>.self, "zgemm") + complexGEMMFunctions(Complex<Float>.self, "cgemm")
        + complexGEMVFunctions(Complex<Double>.self, "zgemv") + complexGEMVFunctions(Complex<Float>.self, "cgemv")
        + complexLevel1Functions(Complex<Double>.self, "z", norm: "dznrm2")
        + complexLevel1Functions(Complex<Float>.self, "c", norm: "scnrm2")
        + threadFunctions,
    constants: [("GIL_RELEASE_FLOPS", GILPolicy.releaseFlops)],
    // Opted in after the review in docs/free-threading.md.
    freeThreadingSafe: true,
    makeState: { _ in BLASModuleState() }
)

private func gemmFunctions<T: DTypeElement>(_ type: T.Type, _ name: String) -> [Function] {
    let dtype = T.dtype
    return [
        Function(name,
                 doc: "c = \(name)(alpha, a, b, beta=0.0, c=None, trans_a=0, trans_b=0, overwrite_c=0): "
                    + "alpha*op(a)@op(b) + beta*c, as scipy.linalg.blas.\(name) (trans 0: a, 1 or 2: a.T). "
                    + "Returns a new Fortran-ordered \(dtype.name) array, or c itself when overwrite_c is set and c "
                    + "is a Fortran-contiguous writable \(dtype.name) array.",
                 [Parameter("alpha"), Parameter("a"), Parameter("b"), Parameter("beta", default: 0.0),
                  Parameter.optional("c"), Parameter("trans_a", default: 0), Parameter("trans_b", default: 0),
                  Parameter("overwrite_c", default: 0)]) {
            (py: Python, alpha: Double, a: PyBorrowedRef, b: PyBorrowedRef, beta: Double, c: PyBorrowedRef?,
             transA: Int, transB: Int, overwriteC: Int) throws -> PyObjectRef in
            try scipyGEMM(py, T.self, dtype, name, alpha: (alpha, 0), a: a, b: b, beta: (beta, 0), c: c,
                          transA: transA, transB: transB, overwriteC: overwriteC)
        },
    ]
}

private func complexGEMMFunctions<T: DTypeElement>(_ type: T.Type, _ name: String) -> [Function] {
    let dtype = T.dtype
    return [
        Function(name,
                 doc: "c = \(name)(alpha, a, b, beta=0, c=None, trans_a=0, trans_b=0, overwrite_c=0): "
                    + "alpha*op(a)@op(b) + beta*c, as scipy.linalg.blas.\(name) (trans 0: a, 1: a.T, 2: a.conj().T). "
                    + "Returns a new Fortran-ordered \(dtype.name) array, or c itself when overwrite_c is set and c "
                    + "is a Fortran-contiguous writable \(dtype.name) array.",
                 [Parameter("alpha"), Parameter("a"), Parameter("b"), Parameter("beta", default: ComplexArgument(0)),
                  Parameter.optional("c"), Parameter("trans_a", default: 0), Parameter("trans_b", default: 0),
                  Parameter("overwrite_c", default: 0)]) {
            (py: Python, alpha: ComplexArgument, a: PyBorrowedRef, b: PyBorrowedRef, beta: ComplexArgument, c: PyBorrowedRef?,
             transA: Int, transB: Int, overwriteC: Int) throws -> PyObjectRef in
            try scipyGEMM(py, T.self, dtype, name, alpha: alpha.value, a: a, b: b, beta: beta.value, c: c,
                          transA: transA, transB: transB, overwriteC: overwriteC)
        },
    ]
}

private let gemvParameters = [
    Parameter("alpha"), Parameter("a"), Parameter("x"), Parameter("beta", default: 0.0),
    Parameter.optional("y"), Parameter("offx", default: 0), Parameter("incx", default: 1),
    Parameter("offy", default: 0), Parameter("incy", default: 1), Parameter("trans", default: 0),
    Parameter("overwrite_y", default: 0),
]

private let complexGEMVParameters = [
    Parameter("alpha"), Parameter("a"), Parameter("x"), Parameter("beta", default: ComplexArgument(0)),
    Parameter.optional("y"), Parameter("offx", default: 0), Parameter("incx", default: 1),
    Parameter("offy", default: 0), Parameter("incy", default: 1), Parameter("trans", default: 0),
    Parameter("overwrite_y", default: 0),
]

private func gemvFunctions<T: DTypeElement>(_ type: T.Type, _ name: String) -> [Function] {
    [
        Function(name,
                 doc: "y = \(name)(alpha, a, x, beta=0.0, y=None, offx=0, incx=1, offy=0, incy=1, trans=0, "
                    + "overwrite_y=0): alpha*op(a)@x + beta*y on strided slices of x and y, as "
                    + "scipy.linalg.blas.\(name).",
                 gemvParameters) {
            (py: Python, alpha: Double, a: PyBorrowedRef, x: PyBorrowedRef, beta: Double, y: PyBorrowedRef?,
             offx: Int, incx: Int, offy: Int, incy: Int, trans: Int, overwriteY: Int) throws -> PyObjectRef in
            try scipyGEMV(py, T.self, T.dtype, name, alpha: (alpha, 0), a: a, x: x, beta: (beta, 0), y: y,
                          offx: offx, incx: incx, offy: offy, incy: incy, trans: trans, overwriteY: overwriteY)
        },
    ]
}

private func complexGEMVFunctions<T: DTypeElement>(_ type: T.Type, _ name: String) -> [Function] {
    [
        Function(name,
                 doc: "y = \(name)(alpha, a, x, beta=0, y=None, offx=0, incx=1, offy=0, incy=1, trans=0, "
                    + "overwrite_y=0): alpha*op(a)@x + beta*y on strided slices of x and y (trans 2: a.conj().T), "
                    + "as scipy.linalg.blas.\(name).",
                 complexGEMVParameters) {
            (py: Python, alpha: ComplexArgument, a: PyBorrowedRef, x: PyBorrowedRef, beta: ComplexArgument, y: PyBorrowedRef?,
             offx: Int, incx: Int, offy: Int, incy: Int, trans: Int, overwriteY: Int) throws -> PyObjectRef in
            try scipyGEMV(py, T.self, T.dtype, name, alpha: alpha.value, a: a, x: x, beta: beta.value, y: y,
                          offx: offx, incx: incx, offy: offy, incy: incy, trans: trans, overwriteY: overwriteY)
        },
    ]
}

private let vectorParameters = [Parameter.optional("n"), Parameter("offx", default: 0), Parameter("incx", default: 1)]
private let dotParameters = [Parameter("x"), Parameter("y")] + vectorParameters
    + [Parameter("offy", default: 0), Parameter("incy", default: 1)]
private let axpyParameters = [Parameter("x"), Parameter("y"), Parameter.optional("n"), Parameter("a", default: 1.0),
                              Parameter("offx", default: 0), Parameter("incx", default: 1),
                              Parameter("offy", default: 0), Parameter("incy", default: 1)]

private let complexAXPYParameters = [
    Parameter("x"), Parameter("y"), Parameter.optional("n"), Parameter("a", default: ComplexArgument(1)),
    Parameter("offx", default: 0), Parameter("incx", default: 1), Parameter("offy", default: 0), Parameter("incy", default: 1),
]

private func level1Functions<T: DTypeElement>(_ type: T.Type, _ p: String) -> [Function] {
    let dtype = T.dtype
    return [
        Function("\(p)dot", doc: "xy = \(p)dot(x, y, n=None, offx=0, incx=1, offy=0, incy=1): the dot product, "
                    + "as scipy.linalg.blas.\(p)dot.",
                 dotParameters) {
            (py: Python, x: PyBorrowedRef, y: PyBorrowedRef, n: Int?, offx: Int, incx: Int, offy: Int, incy: Int) throws -> PyObjectRef in
            try scipyDot(py, T.self, dtype, "\(p)dot", x: x, y: y, n: n, offx: offx, incx: incx, offy: offy, incy: incy)
        },
        Function("\(p)axpy", doc: "z = \(p)axpy(x, y, n=None, a=1.0, offx=0, incx=1, offy=0, incy=1): y + a*x, "
                    + "as scipy.linalg.blas.\(p)axpy (y is updated in place and returned when it is a contiguous "
                    + "writable \(dtype.name) array).",
                 axpyParameters) {
            (py: Python, x: PyBorrowedRef, y: PyBorrowedRef, n: Int?, a: Double, offx: Int, incx: Int, offy: Int, incy: Int) throws -> PyObjectRef in
            try scipyAXPY(py, T.self, dtype, "\(p)axpy", x: x, y: y, n: n, a: (a, 0), offx: offx, incx: incx, offy: offy, incy: incy)
        },
        Function("\(p)scal", doc: "x = \(p)scal(a, x, n=None, offx=0, incx=1): a*x, as scipy.linalg.blas.\(p)scal "
                    + "(in place when x is a contiguous writable \(dtype.name) array).",
                 [Parameter("a"), Parameter("x")] + vectorParameters) {
            (py: Python, a: Double, x: PyBorrowedRef, n: Int?, offx: Int, incx: Int) throws -> PyObjectRef in
            try scipyScal(py, T.self, dtype, "\(p)scal", a: (a, 0), x: x, n: n, offx: offx, incx: incx)
        },
        Function("\(p)nrm2", doc: "n2 = \(p)nrm2(x, n=None, offx=0, incx=1): the Euclidean norm, as scipy.linalg.blas.\(p)nrm2.",
                 [Parameter("x")] + vectorParameters) {
            (py: Python, x: PyBorrowedRef, n: Int?, offx: Int, incx: Int) throws -> Double in
            try scipyReduce(py, T.self, dtype, "\(p)nrm2", .norm2, x: x, n: n, offx: offx, incx: incx)
        },
        Function("\(p)asum", doc: "s = \(p)asum(x, n=None, offx=0, incx=1): the sum of magnitudes, as scipy.linalg.blas.\(p)asum.",
                 [Parameter("x")] + vectorParameters) {
            (py: Python, x: PyBorrowedRef, n: Int?, offx: Int, incx: Int) throws -> Double in
            try scipyReduce(py, T.self, dtype, "\(p)asum", .absoluteSum, x: x, n: n, offx: offx, incx: incx)
        },
        Function("i\(p)amax", doc: "k = i\(p)amax(x, n=None, offx=0, incx=1): the 0-based index of the largest "
                    + "magnitude, as scipy.linalg.blas.i\(p)amax.",
                 [Parameter("x")] + vectorParameters) {
            (py: Python, x: PyBorrowedRef, n: Int?, offx: Int, incx: Int) throws -> Int in
            Int(try scipyReduce(py, T.self, dtype, "i\(p)amax", .indexOfMax, x: x, n: n, offx: offx, incx: incx))
        },
    ]
}

private func complexLevel1Functions<T: DTypeElement>(_ type: T.Type, _ p: String, norm: String) -> [Function] {
    let dtype = T.dtype
    func dotFunction(_ suffix: String, conjugated: Bool) -> Function {
        let name = "\(p)dot\(suffix)"
        return Function(name, doc: "xy = \(name)(x, y, n=None, offx=0, incx=1, offy=0, incy=1): the dot product "
                            + (conjugated ? "conj(x)@y" : "x@y (unconjugated)") + ", as scipy.linalg.blas.\(name).",
                        dotParameters) {
            (py: Python, x: PyBorrowedRef, y: PyBorrowedRef, n: Int?, offx: Int, incx: Int, offy: Int, incy: Int) throws -> PyObjectRef in
            try scipyDot(py, T.self, dtype, name, x: x, y: y, n: n, offx: offx, incx: incx, offy: offy, incy: incy,
                         conjugated: conjugated)
        }
    }
    return [
        dotFunction("u", conjugated: false),
        dotFunction("c", conjugated: true),
        Function("\(p)axpy", doc: "z = \(p)axpy(x, y, n=None, a=1, offx=0, incx=1, offy=0, incy=1): y + a*x, "
                    + "as scipy.linalg.blas.\(p)axpy (y is updated in place and returned when it is a contiguous "
                    + "writable \(dtype.name) array).",
                 complexAXPYParameters) {
            (py: Python, x: PyBorrowedRef, y: PyBorrowedRef, n: Int?, a: ComplexArgument, offx: Int, incx: Int, offy: Int, incy: Int) throws -> PyObjectRef in
            try scipyAXPY(py, T.self, dtype, "\(p)axpy", x: x, y: y, n: n, a: a.value, offx: offx, incx: incx, offy: offy, incy: incy)
        },
        Function("\(p)scal", doc: "x = \(p)scal(a, x, n=None, offx=0, incx=1): a*x, as scipy.linalg.blas.\(p)scal "
                    + "(in place when x is a contiguous writable \(dtype.name) array).",
                 [Parameter("a"), Parameter("x")] + vectorParameters) {
            (py: Python, a: ComplexArgument, x: PyBorrowedRef, n: Int?, offx: Int, incx: Int) throws -> PyObjectRef in
            try scipyScal(py, T.self, dtype, "\(p)scal", a: a.value, x: x, n: n, offx: offx, incx: incx)
        },
        Function(norm, doc: "n2 = \(norm)(x, n=None, offx=0, incx=1): the Euclidean norm, as scipy.linalg.blas.\(norm).",
                 [Parameter("x")] + vectorParameters) {
            (py: Python, x: PyBorrowedRef, n: Int?, offx: Int, incx: Int) throws -> Double in
            try scipyReduce(py, T.self, dtype, norm, .norm2, x: x, n: n, offx: offx, incx: incx)
        },
    ]
}

@c(PyInit_blas)
public func PyInit_blas() -> UnsafeMutableRawPointer? {
    _ = BLASExitGuard.install
    return unsafe blasModule.initialize()
}
