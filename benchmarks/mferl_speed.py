"""MFERL layer speed-ups against the straightforward code they replaced: forward + backward
time (median of ``--repeats`` runs after a warm-up) on random tensors at cmi-20208's sizes.
HomoGCN and CNNProductHead check that old and new outputs agree first; InfoNCE with sampled
nodes differs from all nodes by design.

    python benchmarks/mferl_speed.py [--docs none] [--repeats N]
"""
from __future__ import annotations

from collections.abc import Callable

import _harness as h
import torch
import torch.nn.functional as F
from torch import Tensor
from torch_geometric.nn import GCNConv
from torch_geometric.utils import to_undirected

from rnagraph.evaluate.cost import speedup
from rnagraph.nn.conv import HomoGCN
from rnagraph.nn.heads import CNNProductHead
from rnagraph.nn.heads._utils import pair_dot
from rnagraph.nn.losses import InfoNCE

N_CIRC, N_MIRNA, D, N_PAIRS, N_HOMO_EDGES = 3569, 1152, 128, 29098, 88000

Step = Callable[[], Tensor]
#: old step, new step, the tensors they fill gradients of, max |diff| allowed (None: by design)
Case = tuple[Step, Step, list[Tensor], float | None]


def random_pairs() -> Tensor:
    return torch.stack([torch.randint(0, n, (N_PAIRS,)) for n in (N_CIRC, N_MIRNA)])


def leaf(*shape: int) -> Tensor:
    return torch.randn(*shape, requires_grad=True)


def gcn_case() -> Case:
    """2 views of width 128 over a random symmetric graph without self loops."""
    pairs = torch.randint(0, N_CIRC, (2, N_HOMO_EDGES // 2))
    edge_index = to_undirected(pairs[:, pairs[0] != pairs[1]], num_nodes=N_CIRC)
    new = HomoGCN(D, D, num_views=2)
    convs = torch.nn.ModuleList([GCNConv(D, D) for _ in range(2)])
    lin = torch.nn.Linear(2 * D, D)
    for old_conv, conv in zip(convs, new.convs):
        old_conv.load_state_dict(conv.state_dict())
    lin.load_state_dict(new.lin.state_dict())
    xs = [leaf(N_CIRC, D) for _ in range(2)]

    def old() -> Tensor:
        return lin(torch.cat([torch.relu(c(x, edge_index)) for c, x in zip(convs, xs)], -1))

    print(f"GCN graph: {N_CIRC} nodes, {edge_index.size(1)} directed edges")
    return (old, lambda: new(xs, edge_index),
            [*xs, *new.parameters(), *convs.parameters(), *lin.parameters()], 1e-5)


def pair_case() -> Case:
    a, b = leaf(N_CIRC, 6 * D), leaf(N_MIRNA, 6 * D)
    src, dst = eli = random_pairs()
    return (lambda: (a[src] * b[dst]).sum(-1)), (lambda: pair_dot(a, b, eli)), [a, b], None


def cnn_case() -> Case:
    head = CNNProductHead(3 * D)
    x_src, x_dst = leaf(N_CIRC, 3 * D), leaf(N_MIRNA, 3 * D)
    src, dst = eli = random_pairs()

    def cnn(conv: torch.nn.Conv1d, x: Tensor) -> Tensor:
        return F.max_pool1d(torch.relu(conv(x.unsqueeze(1))), head.pool).flatten(1)

    def old() -> Tensor:
        m, c = cnn(head.conv_src, x_src), cnn(head.conv_dst, x_dst)
        return head.lin(m[src] * c[dst]).view(-1)

    return old, lambda: head(x_src, x_dst, eli), [x_src, x_dst, *head.parameters()], 1e-4


def infonce_case(losses: dict[str, float]) -> Case:
    x, y = leaf(N_CIRC, D), leaf(N_CIRC, D)

    def three_calls(name: str, loss: InfoNCE) -> Step:
        def step() -> Tensor:
            out = loss(x, y) + loss(x, y) + loss(x, y)
            losses[name] = out.item() / 3
            return out
        return step

    return (three_calls("all", InfoNCE(0.1)),          # differs from all nodes by design
            three_calls("sampled", InfoNCE(0.1, max_nodes=1024)), [x, y], None)


def main(argv: list[str] | None = None) -> None:
    ap = h.parser(__doc__)
    ap.add_argument("--repeats", type=int, default=5, help="timed runs per case (median)")
    args = h.parse(ap, argv)
    torch.manual_seed(args.seed)
    losses: dict[str, float] = {}
    cases = [
        ("GCN propagation (HomoGCN vs GCNConv per view)",
         f"{N_CIRC} nodes, ~{N_HOMO_EDGES // 1000}k edges, 2 views x {D}", gcn_case),
        ("pair scoring (pair_dot vs gather + sum)",
         f"{N_PAIRS} pairs, {N_CIRC}/{N_MIRNA} x {6 * D}", pair_case),
        ("CNN head (unfold + pair_dot vs Conv1d + gather)",
         f"{N_PAIRS} pairs, {N_CIRC}/{N_MIRNA} x {3 * D}", cnn_case),
        ("InfoNCE x3 (max_nodes=1024 vs all)", f"{N_CIRC} x {D}",
         lambda: infonce_case(losses)),
    ]
    log = h.log(args, "mferl_speed: MFERL layer speed-ups vs the code they replaced",
                ["component", "size", "old (ms)", "new (ms)", "old/new"])
    for name, size, make in cases:
        old, new, leaves, atol = make()
        t_old, t_new, diff = speedup(old, new, leaves, args.repeats, atol)
        log.add(name, size, f"{t_old:.1f}", f"{t_new:.1f}", f"{t_old / t_new:.1f}x")
        print(f"{name}: {t_old:.1f} ms -> {t_new:.1f} ms" + ("" if diff is None else
              f" (old and new outputs agree: max |diff| {diff:.2g})"), flush=True)
    log.note(f"Forward + backward, median of {args.repeats} runs after a warm-up, "
             f"{args.threads} torch thread(s), seed {args.seed}. InfoNCE loss per call (last "
             f"run): all nodes {losses['all']:.4f}, 1,024 sampled nodes {losses['sampled']:.4f} "
             f"(lower by design). Peak RSS of the run: {h.peak_rss_mib():.0f} MiB. Shared "
             "machine: times are upper bounds.")
    h.publish(args, log)


if __name__ == "__main__":
    main()
