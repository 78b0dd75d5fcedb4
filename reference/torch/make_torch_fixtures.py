#!/usr/bin/python3
"""Fixtures for `seqlab probe --weights`: small PyTorch nn.RNN, nn.LSTM and nn.GRU layers, saved as
.safetensors and .npz state_dicts, with inputs as .npy, and the per-step ||dL/dh_k|| of the loss
L = sum(dout_{T-1} * h_{T-1}) by PyTorch's float64 autograd.

Run with Debian's python3-torch (not needed in CI; the outputs are committed):
    /usr/bin/python3 reference/torch/make_torch_fixtures.py

The numpy stream is SeqLab's: np.random.seed(seed), then x (N, T, D) unless the inputs come from
a file, then h0 (N, H) times h0_scale, then dout (N, T, H). The LSTM's c0 is 0.
The weights are created in float32 and then used in float64, so the float32 file and the float64
files hold the same values.
"""
import json
import os
import struct

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
OUT = os.path.join(HERE, "fixtures")


def save_safetensors(path, tensors):
    """safetensors by hand: 8-byte little-endian header length, the JSON header, the raw data."""
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        a = np.ascontiguousarray(a)
        dtype = {np.dtype("<f4"): "F32", np.dtype("<f8"): "F64"}[a.dtype.newbyteorder("<")]
        raw = a.astype(a.dtype.newbyteorder("<")).tobytes()
        header[name] = {"dtype": dtype, "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def state_arrays(module, dtype):
    return {k: v.detach().to(dtype).numpy() for k, v in module.state_dict().items()}


def cell_for(arch, layer_module, layer, D, H):
    """A cell with the layer's weights: the same formulation, stepped by hand so each h_k is a leaf of the graph."""
    cell = {"rnn": torch.nn.RNNCell, "lstm": torch.nn.LSTMCell, "gru": torch.nn.GRUCell}[arch](D, H).double()
    sd = layer_module.state_dict()
    with torch.no_grad():
        for name in ["weight_ih", "weight_hh", "bias_ih", "bias_hh"]:
            getattr(cell, name).copy_(sd[f"{name}_l{layer}"])
    return cell


def per_step_dh(arch, cell, x, h0, dout):
    N, T, _ = x.shape
    h = h0.clone()
    c = torch.zeros_like(h0)
    hs = []
    for t in range(T):
        if arch == "lstm":
            h, c = cell(x[:, t], (h, c))
        else:
            h = cell(x[:, t], h)
        h.retain_grad()
        hs.append(h)
    loss = (dout[:, T - 1] * hs[T - 1]).sum()
    loss.backward()
    return [float(torch.linalg.vector_norm(hk.grad.reshape(-1))) for hk in hs], torch.stack(hs, 1)


def make(name, arch, D, H, layers, layer, N, T, seed, h0_scale, inputs_from_file, torch_seed):
    torch.manual_seed(torch_seed)
    module = {"rnn": torch.nn.RNN, "lstm": torch.nn.LSTM, "gru": torch.nn.GRU}[arch](D if layer == 0 else D, H, num_layers=layers, batch_first=True)
    # Trained-looking rather than init-looking weights: a wider spread.
    with torch.no_grad():
        for p in module.parameters():
            p.mul_(2.5)
    d_in = D if layer == 0 else H
    rs = np.random.RandomState(seed)
    case = {"name": name, "arch": arch, "layer": layer, "seed": seed, "h0_scale": h0_scale, "N": N, "T": T, "D": d_in, "H": H}
    if inputs_from_file:
        x = np.random.RandomState(1000 + seed).randn(N, T, d_in)
        np.save(os.path.join(OUT, f"{name}_inputs.npy"), x)
        case["inputs"] = f"{name}_inputs.npy"
    else:
        x = rs.randn(N, T, d_in)
        case["inputs"] = None
    h0 = rs.randn(N, H) * h0_scale
    dout = rs.randn(N, T, H)
    f64 = state_arrays(module, torch.float64)
    save_safetensors(os.path.join(OUT, f"{name}.safetensors"), f64)
    np.savez(os.path.join(OUT, f"{name}.npz"), **f64)
    case["weights"] = {"safetensors": f"{name}.safetensors", "npz": f"{name}.npz"}
    if arch == "lstm":
        save_safetensors(os.path.join(OUT, f"{name}_f32.safetensors"), state_arrays(module, torch.float32))
        case["weights"]["safetensors_f32"] = f"{name}_f32.safetensors"
    module = module.double()
    cell = cell_for(arch, module, layer, d_in, H)
    xt, h0t, doutt = (torch.tensor(a, dtype=torch.float64) for a in (x, h0, dout))
    dh, hs = per_step_dh(arch, cell, xt, h0t, doutt)
    if layers == 1:
        # The stepped cell is the layer: check it against nn's own forward pass.
        state = (h0t[None], torch.zeros_like(h0t)[None]) if arch == "lstm" else h0t[None]
        out, _ = module(xt, state)
        assert torch.allclose(out, hs, rtol=0, atol=1e-13), name
    case["dh"] = dh
    case["h_last"] = hs[:, T - 1].reshape(-1).tolist()
    return case


def main():
    os.makedirs(OUT, exist_ok=True)
    torch.set_num_threads(1)
    cases = [
        make("rnn", "rnn", 3, 4, 1, 0, 2, 7, 11, 0.0, True, 1),
        make("lstm", "lstm", 3, 4, 1, 0, 2, 7, 12, 0.5, True, 2),
        make("gru", "gru", 3, 4, 1, 0, 2, 7, 13, 0.0, True, 3),
        make("gru_drawn", "gru", 2, 3, 1, 0, 3, 9, 14, 1.0, False, 4),
        make("gru_layer1", "gru", 3, 4, 2, 1, 2, 6, 15, 0.0, True, 5),
    ]
    with open(os.path.join(HERE, "torch_fixtures.json"), "w") as f:
        json.dump({"torch": torch.__version__, "loss": "sum(dout[:, T-1] * h_{T-1})", "cases": cases}, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
