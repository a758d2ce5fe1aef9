#!/usr/bin/python3
"""Writes the goldens for the sequence/utility layers and losses of package nets.

Run from the repository root with Debian's Python (torch 1.13):

    /usr/bin/python3 testdata/nets/gen_seq.py

Every case stores its inputs, parameters (under their state_dict names), outputs
and the gradients of L = sum(output * R) (R a fixed random tensor stored as
"R.<output>") with respect to the inputs ("grad.<input>") and every parameter
("grad.<param name>"). Tensors go, as little-endian float32, into seq.bin; seq.json
maps case -> tensor -> {"shape", "offset"} (offset in float32 elements) and
case -> "meta" for hyper-parameters. Integer tensors (indices) are stored as
float32, which is exact for the small values used here.
"""
import json
import os

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F

torch.manual_seed(1234)
HERE = os.path.dirname(os.path.abspath(__file__))

blob = []
index = {}
offset = 0


def put(case, name, t):
    global offset
    a = np.ascontiguousarray(t.detach().cpu().numpy() if torch.is_tensor(t) else np.asarray(t), dtype="<f4")
    index.setdefault(case, {})[name] = {"shape": list(a.shape), "offset": offset}
    blob.append(a.tobytes())
    offset += a.size


def meta(case, **kw):
    index.setdefault(case, {})["meta"] = kw


def run_case(case, module, inputs, outputs_fn):
    """inputs: dict name -> tensor (float ones get grads). outputs_fn returns dict name -> tensor."""
    for n, t in inputs.items():
        if t.dtype.is_floating_point:
            t.requires_grad_(True)
        put(case, n, t)
    if module is not None:
        for n, p in module.state_dict().items():
            put(case, n, p)
    outs = outputs_fn(**inputs)
    loss = 0
    for n, o in outs.items():
        put(case, n, o)
        if o.dim() == 0:
            loss = loss + o  # scalar outputs (losses) enter L with weight 1
        else:
            r = torch.randn_like(o)
            put(case, "R." + n, r)
            loss = loss + (o * r).sum()
    loss.backward()
    for n, t in inputs.items():
        if t.dtype.is_floating_point and t.grad is not None:
            put(case, "grad." + n, t.grad)
    if module is not None:
        for n, p in module.named_parameters():
            put(case, "grad." + n, p.grad)


# --- LSTM, two layers, time-major, zero initial state -------------------------
lstm = nn.LSTM(3, 4, num_layers=2)
meta("lstm", input=3, hidden=4, layers=2, bidirectional=False, batch_first=False)


def lstm_fn(x):
    out, (h, c) = lstm(x)
    return {"out": out, "h": h, "c": c}


run_case("lstm", lstm, {"x": torch.randn(5, 2, 3)}, lstm_fn)

# --- BiLSTM, two layers, batch-first, given initial state ----------------------
bilstm = nn.LSTM(3, 4, num_layers=2, bidirectional=True, batch_first=True)
meta("bilstm", input=3, hidden=4, layers=2, bidirectional=True, batch_first=True)


def bilstm_fn(x, h0, c0):
    out, (h, c) = bilstm(x, (h0, c0))
    return {"out": out, "h": h, "c": c}


run_case("bilstm", bilstm, {"x": torch.randn(2, 5, 3), "h0": torch.randn(4, 2, 4), "c0": torch.randn(4, 2, 4)}, bilstm_fn)

# --- LayerNorm over the last two dims -------------------------------------------
ln = nn.LayerNorm([3, 4])
with torch.no_grad():
    ln.weight.copy_(torch.randn(3, 4))
    ln.bias.copy_(torch.randn(3, 4))
run_case("layernorm", ln, {"x": torch.randn(2, 5, 3, 4) * 2 + 1}, lambda x: {"out": ln(x)})

# --- Embedding ----------------------------------------------------------------
emb = nn.Embedding(10, 6)
run_case("embedding", emb, {"idx": torch.randint(0, 10, (2, 7))}, lambda idx: {"out": emb(idx)})


# --- Additive (Bahdanau) attention --------------------------------------------
class AdditiveAttention(nn.Module):
    """score_t = v^T tanh(W_q q + W_k k_t + b); alpha = softmax_t(score); ctx = sum_t alpha_t k_t."""

    def __init__(self, dq, dk, da):
        super().__init__()
        self.query = nn.Linear(dq, da, bias=False)
        self.key = nn.Linear(dk, da)
        self.v = nn.Linear(da, 1, bias=False)

    def forward(self, q, k, mask=None):
        s = self.v(torch.tanh(self.query(q).unsqueeze(1) + self.key(k))).squeeze(-1)
        if mask is not None:  # mask [N, T]: 1 = attend, 0 = padding
            s = s.masked_fill(mask == 0, float("-inf"))
        a = torch.softmax(s, dim=1)
        return torch.bmm(a.unsqueeze(1), k).squeeze(1), a


att = AdditiveAttention(5, 6, 7)
meta("attention", query=5, key=6, attn=7)


def att_fn(q, k):
    ctx, a = att(q, k)
    return {"context": ctx, "weights": a}


run_case("attention", att, {"q": torch.randn(3, 5), "k": torch.randn(3, 4, 6)}, att_fn)

# --- ConvTranspose2d ------------------------------------------------------------
cts = {}
for case, kw in [("convt_k4s2p1", dict(kernel_size=4, stride=2, padding=1)),
                 ("convt_k3s2p1op1", dict(kernel_size=3, stride=2, padding=1, output_padding=1))]:
    ct = nn.ConvTranspose2d(3, 2, **kw)
    cts[case] = ct
    meta(case, cin=3, cout=2, **kw)
    run_case(case, ct, {"x": torch.randn(2, 3, 5, 4)}, lambda x, ct=ct: {"out": ct(x)})


# --- Fusion: gated sum --------------------------------------------------------------
class GatedSum2(nn.Module):
    def __init__(self, d):
        super().__init__()
        self.gate = nn.Linear(2 * d, d)

    def forward(self, a, b):
        z = torch.sigmoid(self.gate(torch.cat([a, b], dim=-1)))
        return z * a + (1 - z) * b


class GatedSumN(nn.Module):
    def __init__(self, d, n):
        super().__init__()
        self.gates = nn.ModuleList([nn.Linear(n * d, d) for _ in range(n)])

    def forward(self, *xs):
        cat = torch.cat(xs, dim=-1)
        return sum(torch.sigmoid(g(cat)) * x for g, x in zip(self.gates, xs))


gs2 = GatedSum2(5)
run_case("gated2", gs2, {"a": torch.randn(3, 5), "b": torch.randn(3, 5)}, lambda a, b: {"out": gs2(a, b)})
gs3 = GatedSumN(4, 3)
run_case("gated3", gs3, {"a": torch.randn(3, 4), "b": torch.randn(3, 4), "c": torch.randn(3, 4)},
         lambda a, b, c: {"out": gs3(a, b, c)})

# --- Losses (scalar value; gradient of the loss itself) -------------------------
run_case("mse", None, {"x": torch.randn(4, 5), "y": torch.randn(4, 5)}, lambda x, y: {"loss": F.mse_loss(x, y)})
run_case("l1", None, {"x": torch.randn(4, 5), "y": torch.randn(4, 5)}, lambda x, y: {"loss": F.l1_loss(x, y)})
run_case("ce", None, {"logits": torch.randn(4, 6) * 2, "target": torch.tensor([0, 5, 2, 2])},
         lambda logits, target: {"loss": F.cross_entropy(logits, target)})
teacher = torch.softmax(torch.randn(4, 6) * 2, dim=1)
teacher[1, 3] = 0.0  # exercise 0 * log 0 = 0
teacher = teacher / teacher.sum(1, keepdim=True)
run_case("kldiv", None, {"s": torch.log_softmax(torch.randn(4, 6), dim=1).detach(), "t": teacher},
         lambda s, t: {"loss": nn.KLDivLoss(reduction="batchmean")(s, t)})
run_case("cosine", None, {"a": torch.randn(4, 5), "b": torch.randn(4, 5)},
         lambda a, b: {"loss": (1 - F.cosine_similarity(a, b, dim=1)).mean()})


# --- Vector quantiser (VQ-VAE) ------------------------------------------------------
class VQ(nn.Module):
    def __init__(self, k, d, beta=0.25):
        super().__init__()
        self.embedding = nn.Embedding(k, d)
        self.embedding.weight.data.uniform_(-1 / k, 1 / k)
        self.beta = beta

    def forward(self, x):  # x [..., D], channel-last
        flat = x.reshape(-1, x.shape[-1])
        w = self.embedding.weight
        d = (flat ** 2).sum(1, keepdim=True) + (w ** 2).sum(1) - 2 * flat @ w.t()
        idx = d.argmin(1)
        q = self.embedding(idx).view_as(x)
        codebook = F.mse_loss(q, x.detach())
        commit = F.mse_loss(q.detach(), x)
        st = x + (q - x).detach()
        counts = torch.bincount(idx, minlength=w.shape[0]).float()
        p = counts / counts.sum()
        perp = torch.exp(-(p * torch.log(p + 1e-10)).sum())
        return st, idx, codebook, commit, perp


vq = VQ(8, 4)
with torch.no_grad():
    vq.embedding.weight.copy_(torch.randn(8, 4) * 0.7)
meta("vq", codes=8, dim=4, beta=0.25)


def vq_fn(x):
    st, idx, cb, cm, perp = vq(x)
    put("vq", "indices", idx.float())
    put("vq", "codebook_loss", cb)
    put("vq", "commitment_loss", cm)
    put("vq", "perplexity", perp)
    return {"quantized": st, "vq_loss": cb + vq.beta * cm}


run_case("vq", vq, {"x": torch.randn(2, 5, 4)}, vq_fn)

# --- Attention with a padding mask (appended last so earlier goldens keep their values)
matt = AdditiveAttention(5, 6, 7)
meta("attention_masked", query=5, key=6, attn=7)
amask = torch.tensor([[1, 1, 1, 1], [1, 1, 0, 0], [1, 0, 0, 0]], dtype=torch.float32)


def matt_fn(q, k, mask):
    ctx, a = matt(q, k, mask)
    return {"context": ctx, "weights": a}


run_case("attention_masked", matt, {"q": torch.randn(3, 5), "k": torch.randn(3, 4, 6), "mask": amask}, matt_fn)



# --- One safetensors file holding all the modules above under prefixes, as a
# model's state_dict would (checks names and shapes load into the Go layers).
def write_safetensors(path, tensors, metadata):
    header = {"__metadata__": metadata}
    blobs = []
    off = 0
    for name, t in tensors.items():
        b = np.ascontiguousarray(t.detach().numpy(), dtype="<f4").tobytes()
        header[name] = {"dtype": "F32", "shape": list(t.shape), "data_offsets": [off, off + len(b)]}
        blobs.append(b)
        off += len(b)
    h = json.dumps(header).encode()
    h += b" " * (-len(h) % 8)
    with open(path, "wb") as f:
        f.write(len(h).to_bytes(8, "little"))
        f.write(h)
        for b in blobs:
            f.write(b)


state = {}
for prefix, mod in [("rnn", bilstm), ("attn", att), ("quant", vq), ("norm", ln), ("up", cts["convt_k4s2p1"]),
                    ("emb", emb), ("fuse", gs3)]:
    for k, v in mod.state_dict().items():
        state[prefix + "." + k] = v
write_safetensors(os.path.join(HERE, "seq_state.safetensors"), state, {"format": "pt", "source": "gen_seq.py"})

with open(os.path.join(HERE, "seq.bin"), "wb") as f:
    for b in blob:
        f.write(b)
with open(os.path.join(HERE, "seq.json"), "w") as f:
    json.dump(index, f, indent=1, sort_keys=True)
print("wrote %d floats" % offset)
