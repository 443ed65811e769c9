"""``python -m autograd graph ...``: the ``valuegrad`` command (:mod:`autograd.pictures.cli`)."""

from autograd.pictures.cli import main

if __name__ == "__main__":
    main()
