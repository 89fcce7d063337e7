"""fastsum: float64 kernels written in Swift (SwiftPy) that release the GIL.

>>> import array, fastsum
>>> fastsum.total(array.array("d", [1.0, 2.0, 3.0]))
6.0
"""
from ._native import VERSION, ShapeError, dot, scale, total

__all__ = ["total", "dot", "scale", "ShapeError", "VERSION"]
__version__ = VERSION
