#!/usr/bin/env python3
"""Which modules, and from which Swift package, SwiftPM linked into an executable product.

Usage: linked-modules.py BIN_DIR PRODUCT CHECKOUTS REPO
Prints one line per linked module: the checkout folder it comes from (or "(root)" for this
repository's own modules) and the module name. Read from BIN_DIR/PRODUCT.product/Objects.LinkFileList:
a Swift module's `sources` file names its source files; a C module is the folder of its name
under a package's Sources/. build-deb.sh uses it for each package's copyright file and to
check that the agent's binary links none of the receiver's or the tools' modules.
"""
import os
import sys

bin_dir, product, checkouts, repo = sys.argv[1:5]
bin_dir, checkouts, repo = (os.path.realpath(path) for path in (bin_dir, checkouts, repo))

modules = set()
with open(os.path.join(bin_dir, f"{product}.product", "Objects.LinkFileList")) as link_list:
    for line in link_list:
        path = os.path.realpath(line.strip().strip("'\""))
        first = os.path.relpath(path, bin_dir).split(os.sep)[0]
        if first.endswith(".build"):
            modules.add(first[: -len(".build")])


def package_of(path):
    path = os.path.realpath(path)
    if path.startswith(checkouts + os.sep):
        return os.path.relpath(path, checkouts).split(os.sep)[0]
    if path.startswith(repo + os.sep):
        return "(root)"
    return None


unknown = []
for module in sorted(modules):
    package = None
    sources = os.path.join(bin_dir, module + ".build", "sources")
    if os.path.exists(sources):
        with open(sources) as listing:
            first = next((line.strip() for line in listing if line.strip()), "")
        package = package_of(first) if first else None
    if package is None and os.path.isdir(os.path.join(repo, "Sources", module)):
        package = "(root)"
    if package is None:
        package = next(
            (folder for folder in sorted(os.listdir(checkouts))
             if os.path.isdir(os.path.join(checkouts, folder, "Sources", module))), None)
    if package is None:
        unknown.append(module)
        continue
    print(f"{package} {module}")

if unknown:
    print(f"linked-modules: cannot tell the package of {', '.join(unknown)} in {product}", file=sys.stderr)
    sys.exit(1)
