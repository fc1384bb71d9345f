"""Code from PyTorch's beginner tutorials, with only the import changed, runs and learns.

Each test is a condensed copy of a tutorial's code path (tensors, autograd, polynomial fits with
tensors / nn / optim / a dynamic net, the quickstart loop); assertions check it did what the tutorial
says it does.
"""
import math
import os
import random

import numpy as np

import minitorch as torch
from minitorch import nn


def test_tensors_tutorial():
    x_data = torch.tensor([[1, 2], [3, 4]])
    x_rand = torch.rand_like(x_data, dtype=torch.float)
    assert x_rand.dtype == torch.float32 and x_rand.shape == (2, 2)
    tensor = torch.ones(4, 4)
    tensor[:, 1] = 0
    assert torch.cat([tensor, tensor, tensor], dim=1).shape == (4, 12)
    assert torch.equal(tensor @ tensor.T, tensor.matmul(tensor.T))
    assert torch.equal(tensor * tensor, tensor.mul(tensor))
    assert tensor.sum().item() == 12.0
    t = torch.ones(5)
    n = t.numpy()
    t.add_(1)
    assert n.tolist() == [2.0] * 5           # numpy shares the tensor's memory
    n = np.ones(5)
    t = torch.from_numpy(n)
    np.add(n, 1, out=n)
    assert t.tolist() == [2.0] * 5


def test_autograd_tutorial():
    x, y = torch.ones(5), torch.zeros(3)
    w = torch.randn(5, 3, requires_grad=True)
    b = torch.randn(3, requires_grad=True)
    z = torch.matmul(x, w) + b
    loss = torch.nn.functional.binary_cross_entropy_with_logits(z, y)
    loss.backward()
    assert w.grad.shape == (5, 3) and b.grad.shape == (3,)
    with torch.no_grad():
        assert not (torch.matmul(x, w) + b).requires_grad
    inp = torch.eye(4, 5, requires_grad=True)
    out = (inp + 1).pow(2).t()
    out.backward(torch.ones_like(out), retain_graph=True)
    first = inp.grad.clone()
    out.backward(torch.ones_like(out), retain_graph=True)
    assert torch.allclose(inp.grad, 2 * first)
    inp.grad.zero_()
    out.backward(torch.ones_like(out), retain_graph=True)
    assert torch.allclose(inp.grad, first)


def _sine_data():
    torch.manual_seed(0)
    x = torch.linspace(-math.pi, math.pi, 2000, dtype=torch.float)
    return x, torch.sin(x)


def test_polynomial_fit_with_autograd_tensors():
    x, y = _sine_data()
    a, b, c, d = (torch.randn((), dtype=torch.float, requires_grad=True) for _ in range(4))
    for _ in range(2000):
        loss = (a + b * x + c * x ** 2 + d * x ** 3 - y).pow(2).sum()
        loss.backward()
        with torch.no_grad():
            for p in (a, b, c, d):
                p -= 1e-6 * p.grad
                p.grad = None
    assert loss.item() < 50


def test_polynomial_fit_with_nn_and_optim():
    x, y = _sine_data()
    xx = x.unsqueeze(-1).pow(torch.tensor([1, 2, 3]))
    model = torch.nn.Sequential(torch.nn.Linear(3, 1), torch.nn.Flatten(0, 1))
    loss_fn = torch.nn.MSELoss(reduction='sum')
    optimizer = torch.optim.RMSprop(model.parameters(), lr=1e-3)
    for _ in range(2000):
        loss = loss_fn(model(xx), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    assert loss.item() < 50
    assert abs(model[0].weight[:, 0].item() - 0.857) < 0.05      # sin x ≈ 0.857 x - 0.093 x^3


def test_dynamic_net_tutorial():
    class DynamicNet(torch.nn.Module):
        def __init__(self):
            super().__init__()
            for name in 'abcde':
                setattr(self, name, torch.nn.Parameter(torch.randn(())))

        def forward(self, x):
            y = self.a + self.b * x + self.c * x ** 2 + self.d * x ** 3
            for exp in range(4, random.randint(4, 6)):
                y = y + self.e * x ** exp
            return y

    random.seed(0)
    x, y = _sine_data()
    model = DynamicNet()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-8, momentum=0.9)
    losses = []
    for _ in range(300):
        loss = torch.nn.MSELoss(reduction='sum')(model(x), y)
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
    assert losses[-1] < losses[0]


def test_quickstart_loop(tmp_path):
    class NeuralNetwork(nn.Module):
        def __init__(self):
            super().__init__()
            self.flatten = nn.Flatten()
            self.linear_relu_stack = nn.Sequential(nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10))

        def forward(self, x):
            return self.linear_relu_stack(self.flatten(x))

    from minitorch.data import DataLoader, TensorDataset
    torch.manual_seed(0)
    loader = DataLoader(TensorDataset(torch.rand(64, 8, 8), torch.randint(0, 10, (64,))),
                        batch_size=16)
    model = NeuralNetwork().to('cpu')
    loss_fn = nn.CrossEntropyLoss()
    optimizer = torch.optim.SGD(model.parameters(), lr=1e-1)
    model.train()
    for X, y in loader:
        loss = loss_fn(model(X), y)
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    model.eval()
    with torch.no_grad():
        correct = sum((model(X).argmax(1) == y).type(torch.float).sum().item() for X, y in loader)
    path = os.path.join(tmp_path, 'model.pth')
    torch.save(model.state_dict(), path)
    reloaded = NeuralNetwork()
    reloaded.load_state_dict(torch.load(path, weights_only=True))
    with torch.no_grad():
        again = sum((reloaded(X).argmax(1) == y).type(torch.float).sum().item() for X, y in loader)
    assert again == correct
    assert model(X).type() == 'minitorch.float32'
