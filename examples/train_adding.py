#!/usr/bin/python3
"""The shipped example models: one-layer nn.LSTM, nn.GRU and nn.RNN (tanh) trained on the adding
problem with T = 100, saved as .safetensors state_dicts that `seqlab probe --weights` and a sweep's
"weights" field read.

The adding problem (Hochreiter & Schmidhuber 1997; Le, Jaitly & Hinton 2015): each step's input is
(value, marker) with value ~ U[0, 1] and marker 1 at exactly two steps, one in each half of the
sequence; the target, read from the last hidden state by a linear layer, is the sum of the two
marked values. Predicting 1 always gives a mean squared error of about 0.167; a model that solves
the task has to carry both values across up to 100 steps.

Run with Debian's python3-torch, on one thread (not needed in CI; the outputs are committed):
    /usr/bin/python3 examples/train_adding.py [--minutes 3] [--only lstm,gru,rnn | inputs]

Each model trains for the given wall time (or until the loss stays below 0.001), then its
recurrent layer alone is saved (weight_ih_l0, weight_hh_l0, bias_ih_l0, bias_hh_l0, float32;
the readout is not part of what SeqLab probes) with a JSON summary in examples/adding_models.json.
It also writes 16 adding-problem sequences, examples/adding_inputs_N16_T100.npy, to probe them on.
"""
import argparse
import json
import os
import struct
import time

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
T = 100
D = 2
H = 32
BATCH = 64
SEED = 20261201


def adding_batch(gen, n, T):
    values = torch.rand(n, T, generator=gen)
    markers = torch.zeros(n, T)
    half = T // 2
    first = torch.randint(0, half, (n,), generator=gen)
    second = torch.randint(half, T, (n,), generator=gen)
    rows = torch.arange(n)
    markers[rows, first] = 1.0
    markers[rows, second] = 1.0
    x = torch.stack([values, markers], dim=2)
    y = (values * markers).sum(dim=1, keepdim=True)
    return x, y


class AddingModel(torch.nn.Module):
    def __init__(self, arch):
        super().__init__()
        module = {"lstm": torch.nn.LSTM, "gru": torch.nn.GRU, "rnn": torch.nn.RNN}[arch]
        self.layer = module(D, H, batch_first=True)
        self.readout = torch.nn.Linear(H, 1)

    def forward(self, x):
        out, _ = self.layer(x)
        return self.readout(out[:, -1, :])


def save_safetensors(path, tensors):
    """safetensors by hand: 8-byte little-endian header length, the JSON header, the raw data."""
    header, blobs, offset = {}, [], 0
    for name, a in tensors.items():
        raw = np.ascontiguousarray(a, dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(a.shape), "data_offsets": [offset, offset + len(raw)]}
        blobs.append(raw)
        offset += len(raw)
    text = json.dumps(header, separators=(",", ":")).encode()
    text += b" " * (-len(text) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(text)))
        f.write(text)
        for raw in blobs:
            f.write(raw)


def evaluate(model, gen):
    with torch.no_grad():
        x, y = adding_batch(gen, 1000, T)
        return torch.nn.functional.mse_loss(model(x), y).item()


def train(arch, minutes):
    torch.manual_seed(SEED)
    gen = torch.Generator().manual_seed(SEED)
    model = AddingModel(arch)
    opt = torch.optim.Adam(model.parameters(), lr=5e-3)
    start = time.time()
    steps = 0
    recent = []
    while time.time() - start < minutes * 60:
        x, y = adding_batch(gen, BATCH, T)
        loss = torch.nn.functional.mse_loss(model(x), y)
        opt.zero_grad()
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        steps += 1
        recent = (recent + [loss.item()])[-200:]
        if steps % 200 == 0:
            print(f"{arch} step {steps} ({time.time() - start:.0f} s): mean loss of the last 200 {np.mean(recent):.5f}", flush=True)
            if np.mean(recent) < 1e-3:
                break
    seconds = time.time() - start
    test_loss = evaluate(model, torch.Generator().manual_seed(SEED + 1))
    state = {k: v.detach().numpy() for k, v in model.layer.state_dict().items()}
    name = f"adding_{arch}_T{T}_H{H}.safetensors"
    save_safetensors(os.path.join(HERE, name), state)
    print(f"{arch}: {steps} steps, {seconds:.0f} s, test MSE {test_loss:.5f} -> {name}", flush=True)
    return {
        "file": name,
        "arch": arch,
        "T": T,
        "D": D,
        "H": H,
        "batch": BATCH,
        "steps": steps,
        "seconds": round(seconds),
        "test_mse": test_loss,
        "baseline_mse": 1 / 6,
    }


def save_npy(path, a):
    """A .npy file by hand (format 1.0): magic, header length, a padded dict literal, the raw data."""
    a = np.ascontiguousarray(a, dtype="<f4")
    header = "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }" % (tuple(a.shape),)
    header += " " * (-(10 + len(header) + 1) % 64) + "\n"
    with open(path, "wb") as f:
        f.write(b"\x93NUMPY\x01\x00" + struct.pack("<H", len(header)) + header.encode("latin1"))
        f.write(a.tobytes())


def save_inputs(n=16):
    """Adding-problem sequences to probe the models on (a sweep's "inputs"): (N, T, D) float32."""
    x, _ = adding_batch(torch.Generator().manual_seed(SEED + 2), n, T)
    name = f"adding_inputs_N{n}_T{T}.npy"
    save_npy(os.path.join(HERE, name), x.numpy())
    print(f"inputs -> {name}", flush=True)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=3)
    parser.add_argument("--only", default="lstm,gru,rnn")
    args = parser.parse_args()
    # The machine is shared: one thread, and the timing in the README is for one thread.
    torch.set_num_threads(1)
    save_inputs()
    if args.only == "inputs":
        return
    summary_path = os.path.join(HERE, "adding_models.json")
    summary = json.load(open(summary_path)) if os.path.exists(summary_path) else {}
    summary["torch"] = torch.__version__
    for arch in args.only.split(","):
        summary[arch] = train(arch, args.minutes)
        with open(summary_path, "w") as f:
            json.dump(summary, f, indent=2)
            f.write("\n")


if __name__ == "__main__":
    main()
