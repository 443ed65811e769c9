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
# # Train the digit recogniser on MNIST
#
# The series' network: 784 input pixels, two hidden layers of 16 sigmoid
# neurons, 10 outputs; the quadratic cost; mini-batch stochastic gradient
# descent. About 95% of the test digits right after 30 epochs (under a minute)
# on all 60,000 training images.
#
# MNIST is read from `$MNIST_DIR`, else the cache `~/.cache/valuegrad/mnist`.
# With `VALUEGRAD_QUICK=1` (the test suite sets it) the notebook trains on a small
# slice so that it runs in seconds.
#
# (A notebook stored as a script: `make notebooks` opens this folder in JupyterLab,
# where *Open With → Notebook* opens it; or convert it: `jupytext --to notebook mnist.py`.)

# %%
import os
import time

import matplotlib.pyplot as plt
import numpy as np

import nn
from autograd import Tensor

QUICK = os.environ.get("VALUEGRAD_QUICK") == "1"
N_TRAIN = 10_000 if QUICK else 60_000
EPOCHS = 1 if QUICK else 30

# %% [markdown]
# ## The data

# %%
x_train, y_train, x_test, y_test = nn.load_mnist()
x_train, y_train = x_train[:N_TRAIN], y_train[:N_TRAIN]
print(x_train.shape, x_train.dtype, y_train[:10])

fig, axes = plt.subplots(1, 8, figsize=(8, 1.4))
for ax, image, label in zip(axes, x_train, y_train, strict=False):
    ax.imshow(image.reshape(28, 28), cmap="gray")
    ax.set_title(int(label))
    ax.axis("off")

# %% [markdown]
# ## One training step, by hand
#
# Each step: the outputs for 10 images, their average cost, its gradient by
# backpropagation, and a small step downhill for all 13,002 knobs.

# %%
model = nn.TensorMLP(784, [16, 16, 10], activation="sigmoid", init="lecun", seed=0)
optimizer = nn.SGD(model.parameters(), lr=2.0, weight_decay=1e-4)
print(model)

xb, yb = x_train[:10], y_train[:10]
before = float(nn.mse(model(Tensor(xb)), Tensor(nn.one_hot(yb))).data)
optimizer.zero_grad()
loss = nn.mse(model(Tensor(xb)), Tensor(nn.one_hot(yb)))
loss.backward()
optimizer.step()
after = float(nn.mse(model(Tensor(xb)), Tensor(nn.one_hot(yb))).data)
print(f"cost on these 10 images: {before:.3f} -> {after:.3f} after one step")
assert after < before

# %% [markdown]
# ## Many steps: `nn.fit`
#
# `nn.fit` repeats that step over shuffled mini-batches, epoch after epoch, and
# measures the accuracy on the test digits after each epoch. The learning rate
# shrinks by 10% per epoch (`lr_schedule=0.9`), which lets the last epochs
# settle into a valley instead of bouncing around in it.

# %%
start = time.perf_counter()
history = nn.fit(
    model,
    "mse",
    optimizer,
    x_train,
    y_train,
    x_test,
    y_test,
    epochs=EPOCHS,
    batch_size=10,
    lr_schedule=0.9,
    progress=not QUICK,
)
print(f"{EPOCHS} epochs in {time.perf_counter() - start:.0f} s")
print(f"test accuracy: {history.test_acc[-1]:.2%}")
assert history.test_acc[-1] > (0.80 if QUICK else 0.95)

fig, (left, right) = plt.subplots(1, 2, figsize=(10, 3.2))
left.plot(history.epoch, history.loss, "o-", label="training")
left.plot(history.epoch, history.test_loss, "o-", label="test")
left.set_xlabel("epoch")
left.set_ylabel("cost")
left.legend()
right.plot(history.epoch, history.train_acc, "o-", label="training")
right.plot(history.epoch, history.test_acc, "o-", label="test")
right.set_xlabel("epoch")
right.set_ylabel("accuracy")
right.legend()
plt.show()

# %% [markdown]
# ## What do the hidden neurons look at?
#
# The 784 weights into each first-layer neuron, drawn as a 28 × 28 image.

# %%
W1 = model.state_dict()["layers.0.weight"]
fig, axes = plt.subplots(2, 8, figsize=(10, 2.8))
for k, ax in enumerate(axes.ravel()):
    lim = np.abs(W1[k]).max()
    ax.imshow(W1[k].reshape(28, 28), cmap="RdBu", vmin=-lim, vmax=lim)
    ax.set_title(f"neuron {k}", fontsize=8)
    ax.axis("off")
plt.show()

# %% [markdown]
# ## Its mistakes

# %%
predicted = nn.predict(model, x_test)
wrong = np.flatnonzero(predicted != y_test)[:12]
fig, axes = plt.subplots(1, len(wrong), figsize=(1.1 * len(wrong), 1.6))
for ax, i in zip(np.atleast_1d(axes), wrong, strict=True):
    ax.imshow(x_test[i].reshape(28, 28), cmap="gray")
    ax.set_title(f"{predicted[i]} (is {y_test[i]})", fontsize=8)
    ax.axis("off")

confusion = np.zeros((10, 10), dtype=int)
np.add.at(confusion, (y_test, predicted), 1)
print(confusion)
