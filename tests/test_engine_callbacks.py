"""End-of-backward callbacks and post-accumulate-grad hooks (what data-parallel training builds on)."""
import pytest

import minitorch as mt


def test_post_accumulate_hook_sees_the_complete_grad(device):
    w = mt.ones(3, device=device, requires_grad=True)
    seen = []
    w.register_post_accumulate_grad_hook(lambda t: seen.append(t.grad.tolist()))
    (w * 2 + w * 3).sum().backward()        # two paths into w: the hook runs once, after both
    assert seen == [[5.0, 5.0, 5.0]]
    (w * 1).sum().backward()
    assert seen[-1] == [6.0, 6.0, 6.0]


def test_post_accumulate_hook_order_follows_backward_and_can_be_removed():
    a = mt.ones(2, requires_grad=True)
    b = mt.ones(2, requires_grad=True)
    order = []
    handle = a.register_post_accumulate_grad_hook(lambda t: order.append('a'))
    b.register_post_accumulate_grad_hook(lambda t: order.append('b'))
    ((a * 2).exp() * b).sum().backward()
    assert sorted(order) == ['a', 'b']
    handle.remove()
    order.clear()
    ((a * 2).exp() * b).sum().backward()
    assert order == ['b']


def test_post_accumulate_hook_only_on_leaves_that_require_grad():
    x = mt.ones(2, requires_grad=True)
    with pytest.raises(RuntimeError, match='non-leaf'):
        (x * 2).register_post_accumulate_grad_hook(lambda t: None)
    with pytest.raises(RuntimeError, match="doesn't require gradient"):
        mt.ones(2).register_post_accumulate_grad_hook(lambda t: None)


def test_queued_callbacks_run_once_after_the_pass_in_order():
    w = mt.ones(2, requires_grad=True)
    events = []

    def hook(t):
        events.append('hook')
        mt.autograd.queue_callback(lambda: events.append(('end', t.grad.tolist())))
        mt.autograd.queue_callback(lambda: events.append('second'))
    w.register_post_accumulate_grad_hook(hook)
    (w * 3).sum().backward()
    assert events == ['hook', ('end', [3.0, 3.0]), 'second']
    events.clear()
    (w * 3).sum().backward()                # not run again from the earlier pass
    assert events == ['hook', ('end', [6.0, 6.0]), 'second']


def test_queue_callback_outside_backward_is_an_error():
    with pytest.raises(RuntimeError, match='no backward pass is running'):
        mt.autograd.queue_callback(lambda: None)


def test_callbacks_run_even_for_autograd_grad():
    x = mt.ones(2, requires_grad=True)
    ran = []
    y = x * 2
    y.register_hook(lambda g: mt.autograd.queue_callback(lambda: ran.append(True)))
    mt.autograd.grad(y.sum(), x)
    assert ran == [True]


def test_backward_state_is_per_thread():
    """A backward pass running in another thread neither takes this thread's callbacks nor makes
    its ops count as backward ones (grad mode and dispatch modes are per thread as well)."""
    import threading
    inside, release = threading.Event(), threading.Event()
    w = mt.ones(2, requires_grad=True)

    def hold(grad):
        inside.set()
        release.wait(10)
    ran = []
    y = w * 2
    y.register_hook(hold)
    other = threading.Thread(target=lambda: y.sum().backward())
    other.start()
    assert inside.wait(10)
    try:
        with pytest.raises(RuntimeError, match='no backward pass is running in this thread'):
            mt.autograd.queue_callback(lambda: ran.append('here'))
        with mt.profiler.profile() as prof:
            (mt.ones(2) * 3).sum()
        assert {e.phase for e in prof.events()} == {'forward'}
    finally:
        release.set()
        other.join(10)
    assert ran == [] and w.grad.tolist() == [2.0, 2.0]
