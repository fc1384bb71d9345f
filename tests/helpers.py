"""Small helpers the core tests share."""
import numpy as np

import fake_gpu


def host(x):
    """A tensor's values as a numpy array, whatever its device."""
    return x.detach().cpu().numpy()


def training_step(model, opt, loss_fn=None):
    """step(x, y): one training step of model by opt (zero the grads, loss_fn(model(x), y) (mean
    squared error by default), backward, update) that returns the loss; run it eagerly or trace it
    with mt.static.function(step)."""
    import minitorch as mt
    loss_fn = loss_fn or mt.nn.functional.mse_loss

    def step(x, y):
        opt.zero_grad()
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss
    return step


def check_on_device(t, device):
    """The tensor lives on `device`, in an array of that device's own type."""
    assert t.device == device
    if device.type == 'fakegpu':
        assert type(t._data) is fake_gpu.FakeArray, type(t._data)
    elif device.type == 'cpu':
        assert type(t._data) is np.ndarray, type(t._data)


def leaf(array, device, requires_grad=True):
    """A float64 leaf tensor on `device` with the values of a numpy array."""
    import minitorch as mt
    return mt.tensor(np.asarray(array, dtype=np.float64), dtype=mt.float64, device=device,
                     requires_grad=requires_grad)


def check_grad(fn, arrays, device, second_order=False):
    """gradcheck fn at float64 leaves made from `arrays`; outputs must live on `device`."""
    import minitorch as mt
    inputs = [leaf(a, device) for a in arrays]
    out = fn(*inputs)
    for o in (out if isinstance(out, (tuple, list)) else (out,)):
        check_on_device(o, device)
    assert mt.autograd.gradcheck(fn, inputs)
    if second_order:
        assert mt.autograd.gradgradcheck(fn, inputs)
