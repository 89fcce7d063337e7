@_exported import SwiftPy
