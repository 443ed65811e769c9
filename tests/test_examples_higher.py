"""The example that differentiates through an update: one MAML setup on sine waves."""

from __future__ import annotations

import math
import runpy
import sys
from pathlib import Path
from typing import Any

EXAMPLES = Path(__file__).resolve().parent.parent / "examples"


def test_maml_sine_needs_the_second_order_term(capsys: Any) -> None:
    if str(EXAMPLES) not in sys.path:
        sys.path.insert(0, str(EXAMPLES))
    main = runpy.run_path(str(EXAMPLES / "maml_sine.py"), run_name="maml_sine")["main"]
    result = main(["--quick"])
    # The meta-gradient through the inner update agrees with a finite difference of the
    # meta-loss; the first-order one (inner gradient as plain numbers) does not.
    assert math.isclose(result["second_order"], result["numeric"], rel_tol=1e-5)
    assert abs(result["first_order"] - result["numeric"]) > 0.05 * abs(result["numeric"])
    assert result["after"] < result["before"]  # meta-training helps one-step adaptation
    out = capsys.readouterr().out
    assert "finite difference" in out and "after 20 MAML steps" in out
