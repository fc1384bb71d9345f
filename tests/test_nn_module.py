"""nn.Module and Parameter: registration, tree walking, modes, devices, state dicts, printing."""
import numpy as np
import pytest

import minitorch as mt
from minitorch import nn
from helpers import check_on_device


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.fc1 = nn.Linear(4, 8)
        self.block = nn.Sequential(nn.ReLU(), nn.BatchNorm1d(8))
        self.fc2 = nn.Linear(8, 3)
        self.register_buffer('steps', mt.tensor(0))
        self.register_buffer('scratch', mt.zeros(2), persistent=False)
        self.scale = nn.Parameter(mt.ones(1))

    def forward(self, x):
        return self.fc2(self.block(self.fc1(x))) * self.scale


def test_attributes_register_parameters_buffers_and_modules():
    net = Net()
    names = [n for n, _ in net.named_parameters()]
    assert names == ['scale', 'fc1.weight', 'fc1.bias', 'block.1.weight', 'block.1.bias',
                     'fc2.weight', 'fc2.bias']
    assert [n for n, _ in net.named_buffers()] == [
        'steps', 'scratch', 'block.1.running_mean', 'block.1.running_var',
        'block.1.num_batches_tracked']
    assert [n for n, _ in net.named_children()] == ['fc1', 'block', 'fc2']
    assert [n for n, _ in net.named_modules()] == ['', 'fc1', 'block', 'block.0', 'block.1', 'fc2']
    assert len(list(net.modules())) == 6 and len(list(net.children())) == 3
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.parameters())
    assert net.get_submodule('block.1') is net.block[1]
    del net.scale
    assert 'scale' not in dict(net.named_parameters())


def test_assignment_errors_are_clear():
    class Early(nn.Module):
        def __init__(self):
            self.w = nn.Parameter(mt.ones(1))
    with pytest.raises(AttributeError, match='super\\(\\).__init__'):
        Early()
    lin = nn.Linear(2, 2)
    with pytest.raises(TypeError, match="cannot assign 'Tensor' as parameter 'weight'"):
        lin.weight = mt.ones(2, 2)
    lin.weight = nn.Parameter(mt.ones(2, 2))         # a Parameter replaces it
    assert lin.weight.sum().item() == 4
    with pytest.raises(AttributeError, match="'Linear' object has no attribute 'nope'"):
        lin.nope


def test_shared_parameters_are_listed_once():
    shared = nn.Linear(3, 3)
    model = nn.Sequential(shared, nn.ReLU(), shared)
    assert len(list(model.parameters())) == 2
    assert list(model.state_dict()) == ['0.weight', '0.bias', '2.weight', '2.bias']


def test_parameter_repr_and_ops_give_plain_tensors():
    p = nn.Parameter(mt.tensor([1.0, 2.0]))
    assert repr(p) == 'Parameter containing:\ntensor([1., 2.], requires_grad=True)'
    assert isinstance(p, mt.Tensor) and p.is_leaf
    y = p * 2
    assert type(y) is mt.Tensor and y.grad_fn is not None
    frozen = nn.Parameter(mt.ones(2), requires_grad=False)
    assert not frozen.requires_grad


def test_train_eval_and_requires_grad():
    net = Net()
    assert net.training and net.block[1].training
    net.eval()
    assert not any(m.training for m in net.modules())
    net.train()
    assert all(m.training for m in net.modules())
    net.requires_grad_(False)
    assert not any(p.requires_grad for p in net.parameters())


def test_zero_grad_both_ways():
    net = Net()
    net(mt.randn(5, 4)).sum().backward()
    assert all(p.grad is not None for p in net.parameters())
    net.zero_grad(set_to_none=False)
    assert all(p.grad is not None and not p.grad.any().item() for p in net.parameters())
    net.zero_grad()
    assert all(p.grad is None for p in net.parameters())


def test_apply_visits_children_first():
    seen = []
    nn.Sequential(nn.Linear(1, 1), nn.Sequential(nn.ReLU())).apply(
        lambda m: seen.append(type(m).__name__))
    assert seen == ['Linear', 'ReLU', 'Sequential', 'Sequential']


def test_to_device_and_dtype_keeps_the_parameter_objects(device):
    net = Net()
    params = list(net.parameters())
    net.to(device).double()
    assert [id(p) for p in net.parameters()] == [id(p) for p in params]
    for p in net.parameters():
        check_on_device(p, device)
        assert p.dtype is mt.float64 and p.requires_grad
    assert net.steps.dtype is mt.int64        # integer buffers keep their dtype
    check_on_device(net.block[1].running_mean, device)
    out = net(mt.randn(3, 4, dtype=mt.float64, device=device))
    check_on_device(out, device)


def test_call_runs_forward_inside_the_module_scope():
    net = Net()
    out = net(mt.randn(2, 4))
    assert out.grad_fn.scope[0] is net                       # the final * scale
    node = out.grad_fn.next_functions[0][0]                  # fc2's add
    assert tuple(node.scope) == (net, net.fc2)


def test_state_dict_has_parameters_and_persistent_buffers_sharing_memory():
    net = Net()
    sd = net.state_dict()
    assert list(sd) == ['scale', 'steps', 'fc1.weight', 'fc1.bias', 'block.1.weight',
                        'block.1.bias', 'block.1.running_mean', 'block.1.running_var',
                        'block.1.num_batches_tracked', 'fc2.weight', 'fc2.bias']
    assert not any(t.requires_grad for t in sd.values())
    assert np.shares_memory(sd['fc1.weight'].numpy(), net.fc1.weight.detach().numpy())


def test_load_state_dict_round_trip():
    a, b = Net(), Net()
    result = b.load_state_dict(a.state_dict())
    assert result.missing_keys == [] and result.unexpected_keys == []
    x = mt.randn(6, 4)
    a.eval(), b.eval()
    assert mt.equal(a(x), b(x))


def _snapshot(module):
    return {k: v.numpy().copy() for k, v in module.state_dict().items()}


@pytest.mark.parametrize('change, message', [
    (lambda sd: sd.pop('fc2.bias'), 'Missing key(s) in state_dict: "fc2.bias"'),
    (lambda sd: sd.update(extra=mt.ones(1)), 'Unexpected key(s) in state_dict: "extra"'),
    (lambda sd: sd.update({'fc1.weight': mt.ones(8, 5)}),
     'size mismatch for fc1.weight: copying a param with shape [8, 5] from checkpoint, the shape '
     'in current model is [8, 4]'),
])
def test_load_state_dict_errors_name_the_key_and_change_nothing(change, message):
    target = Net()
    before = _snapshot(target)
    source = {k: v + 1 if v.is_floating_point() else v for k, v in Net().state_dict().items()}
    change(source)
    with pytest.raises(RuntimeError) as info:
        target.load_state_dict(source)
    assert message in str(info.value) and 'Error(s) in loading state_dict for Net' in str(info.value)
    after = _snapshot(target)
    assert all(np.array_equal(before[k], after[k]) for k in before)


def test_load_state_dict_not_strict_reports_keys():
    sd = Net().state_dict()
    sd.pop('scale')
    sd['other'] = mt.ones(1)
    result = Net().load_state_dict(sd, strict=False)
    assert result.missing_keys == ['scale'] and result.unexpected_keys == ['other']


def test_repr_is_a_tree_like_pytorch():
    model = nn.Sequential(nn.Linear(64, 32), nn.ReLU(), nn.Sequential(nn.Dropout(0.1)),
                          nn.Conv2d(1, 4, 3, padding=1))
    assert repr(model) == (
        'Sequential(\n'
        '  (0): Linear(in_features=64, out_features=32, bias=True)\n'
        '  (1): ReLU()\n'
        '  (2): Sequential(\n'
        '    (0): Dropout(p=0.1, inplace=False)\n'
        '  )\n'
        '  (3): Conv2d(1, 4, kernel_size=(3, 3), stride=(1, 1), padding=(1, 1))\n'
        ')')


def test_sequential_indexing_slicing_and_iteration():
    layers = [nn.Linear(2, 3), nn.ReLU(), nn.Linear(3, 1)]
    model = nn.Sequential(*layers)
    assert len(model) == 3 and model[0] is layers[0] and model[-1] is layers[2]
    assert list(model) == layers
    head = model[:2]
    assert isinstance(head, nn.Sequential) and len(head) == 2
    assert head(mt.ones(4, 2)).shape == (4, 3)
    with pytest.raises(IndexError, match='out of range'):
        model[3]
    model.append(nn.Sigmoid())
    assert len(model) == 4


def test_module_list_and_dict_register_their_modules():
    class Stack(nn.Module):
        def __init__(self):
            super().__init__()
            self.layers = nn.ModuleList([nn.Linear(2, 2) for _ in range(3)])
            self.heads = nn.ModuleDict({'a': nn.Linear(2, 1), 'b': nn.Linear(2, 4)})

    s = Stack()
    assert len(list(s.parameters())) == 10
    assert 'layers.2.weight' in s.state_dict() and 'heads.b.bias' in s.state_dict()
    s.layers.append(nn.Linear(2, 2))
    assert len(s.layers) == 4 and 'layers.3.bias' in s.state_dict()
    assert list(s.heads.keys()) == ['a', 'b'] and 'a' in s.heads
