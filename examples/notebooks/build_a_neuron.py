# ---
# jupyter:
#   jupytext:
#     formats: py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#   kernelspec:
#     display_name: Python 3
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Build a neuron and draw its graph
#
# A neuron takes some inputs, weighs them, adds a bias and squishes the result:
#
# $$a = \tanh(x_1 w_1 + x_2 w_2 + b)$$
#
# We build one out of `Value`s, numbers that remember how they were computed,
# then run backpropagation twice: once by hand, once with `backward()`, and
# draw the graph that backpropagation walks.
#
# (A notebook stored as a script: `make notebooks` opens this folder in JupyterLab,
# where *Open With → Notebook* opens it; or convert it:
# `jupytext --to notebook build_a_neuron.py`.)

# %%
import math

import nn
from autograd import Value, draw_graph

# %% [markdown]
# ## Forward: inputs, weights, bias

# %%
x1 = Value(2.0, label="x1")
x2 = Value(0.0, label="x2")
w1 = Value(-3.0, label="w1")
w2 = Value(1.0, label="w2")
b = Value(6.8813735870195432, label="b")

x1w1 = x1 * w1
x1w1.label = "x1*w1"
x2w2 = x2 * w2
x2w2.label = "x2*w2"
n = x1w1 + x2w2 + b
n.label = "n"
o = n.tanh()
o.label = "o"
o  # noqa: B018 (the notebook displays the graph)

# %% [markdown]
# A `Value` shows itself as its graph. Each box holds a label, the number
# (`data`) and the gradient (`grad`), which is 0 until we run backpropagation.
#
# ## Backward, by hand
#
# Walk from the output back to the inputs with the chain rule. The local
# derivative of `tanh` is $1 - \tanh^2$; a `+` passes the gradient through
# unchanged; a `*` sends each side the *other* side's value.

# %%
do_dn = 1 - o.data**2  # d tanh(n) / dn
do_dx1w1 = do_dn  # '+' passes the gradient through
do_dw1 = do_dx1w1 * x1.data  # '*' multiplies by the other input
do_dx1 = do_dx1w1 * w1.data
do_dw2 = do_dn * x2.data
do_dx2 = do_dn * w2.data
print(f"do/dn = {do_dn:.4f}, do/dw1 = {do_dw1:.4f}, do/dx1 = {do_dx1:.4f}")

# %% [markdown]
# ## Backward, by the engine

# %%
o.backward()
for v, by_hand in [(w1, do_dw1), (x1, do_dx1), (w2, do_dw2), (x2, do_dx2), (b, do_dn)]:
    assert math.isclose(v.grad, by_hand, rel_tol=1e-12, abs_tol=1e-15), v.label
    print(f"{v.label:>3}: grad = {v.grad:+.4f}")

# %% [markdown]
# Notice that `w2` gets no gradient: its input `x2` is 0, so wiggling `w2`
# changes nothing. The picture now carries the gradients:

# %%
draw_graph(o)

# %% [markdown]
# ## The same neuron with a sigmoid, and with `nn`
#
# The neurons of the digit network use the sigmoid $\sigma(z) = 1/(1 + e^{-z})$.
# `nn.Neuron` packages weights, bias and activation together:

# %%
neuron = nn.Neuron(2, activation="sigmoid", seed=0)
out = neuron([2.0, 0.0])
out.backward()
print(neuron, "->", out)
for name, p in neuron.named_parameters():
    print(f"{name}: data = {p.data:+.4f}, grad = {p.grad:+.4f}")
draw_graph(out)
