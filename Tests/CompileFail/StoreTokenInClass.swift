// The Python token proves the GIL is held during ONE call: a class cannot keep it for a
// later call (or another thread). `Python` is ~Escapable.
import SwiftPy

final class Keeper {
    var py: Python?
}
// expect-error: the 'get' accessor cannot return a ~Escapable result
