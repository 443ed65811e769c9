"""``python -m autograd graph ...``: the same as the ``valuegrad`` command (:mod:`autograd.cli`)."""

from autograd.cli import main

if __name__ == "__main__":
    main()
