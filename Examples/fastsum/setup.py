"""`pip install .` builds the SwiftPM product FastSumNative into fastsum/_native<EXT_SUFFIX>
with swiftpy.build (swift build for THIS interpreter, Swift runtime linked in)."""
from setuptools import setup

from swiftpy.build import SwiftExtension, build_ext

setup(
    ext_modules=[SwiftExtension("fastsum._native", product="FastSumNative", package_dir=".")],
    cmdclass={"build_ext": build_ext},
)
