"""Deterministic, realistic benchmark data: the Python standard library's own source
files, in a seeded order, so compression ratios and speeds mean something."""
import os
import random
import sysconfig

_CACHE = {}


def text_corpus(size, seed=0):
    """`size` bytes of Python source text; different seeds give different orders."""
    key = (size, seed)
    if key in _CACHE:
        return _CACHE[key]
    files = _source_files()
    rng = random.Random(seed)
    order = files[:]
    rng.shuffle(order)
    chunks, total = [], 0
    while total < size:
        for path in order:
            try:
                with open(path, "rb") as handle:
                    data = handle.read()
            except OSError:
                continue
            chunks.append(data)
            total += len(data)
            if total >= size:
                break
        if not order:
            break
    if total < size:  # no stdlib sources found: fall back to seeded pseudo-text
        words = [b"def", b"return", b"self", b"value", b"import", b"class", b"if", b"else", b"for", b"in"]
        chunks.append(b" ".join(rng.choice(words) for _ in range(size // 4)))
    data = b"".join(chunks)[:size]
    _CACHE[key] = data
    return data


def _source_files():
    root = sysconfig.get_paths()["stdlib"]
    files = []
    for folder, dirs, names in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in ("site-packages", "__pycache__", "test", "tests"))
        files.extend(os.path.join(folder, n) for n in sorted(names) if n.endswith(".py"))
    return files
