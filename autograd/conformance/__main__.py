"""``python -m autograd.conformance pkg.mod:Value``: see :mod:`autograd.checking.conformance`."""

import sys

from autograd.checking.conformance.__main__ import main

if __name__ == "__main__":
    sys.exit(main())
