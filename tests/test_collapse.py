"""Big networks drawn readably: collapse="neuron" | "layer" (autograd.pictures.collapse)."""

from __future__ import annotations

import pytest

import nn
from autograd import Value, draw_graph


def _cost(sizes: list[int]) -> tuple[Value, nn.MLP]:
    mlp = nn.MLP(sizes[0], sizes[1:], activation="sigmoid", seed=0)
    outs = mlp([Value(0.01 * i, label=f"x{i}") for i in range(sizes[0])])
    cost = nn.mse(outs, [1.0] * sizes[-1])
    cost.label = "C"
    cost.backward()
    return cost, mlp


def test_the_series_network_collapses_to_a_readable_picture() -> None:
    cost, mlp = _cost([784, 16, 16, 10])
    with pytest.raises(ValueError, match="more than max_nodes"):
        draw_graph(cost, module=mlp)
    layers = draw_graph(cost, module=mlp, collapse="layer").source
    assert "inputs (784)" in layers and "layers.2" in layers
    assert "13,002 parameters inside the boxes" in layers  # said on the picture
    neurons = draw_graph(cost, module=mlp, collapse="neuron").source
    assert neurons.count("layers.0.neurons.") == 16 and "layers.2.neurons.9" in neurons
    assert "42 neurons drawn as boxes" in neurons and "max_nodes=500" in neurons


def test_a_box_shows_its_neurons_output_and_grad() -> None:
    cost, mlp = _cost([3, 2, 1])
    neuron = mlp.layers[1].neurons[0]
    source = draw_graph(cost, module=mlp, collapse="neuron", max_nodes=None).source
    out = mlp([Value(0.01 * i) for i in range(3)])[0]
    assert f"data {out.data:#.4g}" in source
    # grad of the last neuron's output: dC/da = 2 (a - 1)
    assert f"grad {2 * (out.data - 1):#.4g}" in source
    assert neuron.activation == "sigmoid"


def test_expand_draws_one_neuron_in_full() -> None:
    cost, mlp = _cost([3, 4, 1])
    full = draw_graph(cost, module=mlp, collapse="neuron", expand="layers.0.neurons.2").source
    collapsed = draw_graph(cost, module=mlp, collapse="neuron").source
    assert full.count("->") > collapsed.count("->")
    assert full.count("<B>layers.0.neurons.") == 3 and collapsed.count("<B>layers.0.neurons.") == 4
    assert "(layers.0.neurons.2 in full)" in full
    with pytest.raises(ValueError, match="names no neuron"):
        draw_graph(cost, module=mlp, collapse="neuron", expand="layers.7.neurons.0")
    with pytest.raises(ValueError, match="collapse needs module"):
        draw_graph(cost, collapse="layer")
    with pytest.raises(ValueError, match="collapse must be"):
        draw_graph(cost, module=mlp, collapse="everything")


def test_an_expanded_neuron_draws_with_edge_derivatives() -> None:
    """Its weights' arrows get their formula and number; arrows from boxes, which keep no
    local numbers, get none (it crashed with an IndexError)."""
    cost, mlp = _cost([3, 4, 1])
    source = draw_graph(
        cost, module=mlp, collapse="neuron", expand="layers.0.neurons.2", edge_derivatives=True
    ).source
    assert "(layers.0.neurons.2 in full)" in source and "label=" in source
