"""The worker's warm-up: torch's lazy first calls paid once in the worker, not in every child, and the state
every child is forked from (the judge's snapshot among it)."""

import gc
import warnings

from quizkit.worker import procs, snapshot, state


def warm(torch):
    if not state.WARMED:
        _register(torch)
        _warm_up(torch)
        settle(torch)
        state.WARMED.append(True)


def settle(torch, pages=True):
    """What every child is forked from: the snapshot the judge restores, the worker's own memory size (the
    base of a run's limit), everything imported moved out of the GC's reach (a child's collection would
    touch every object and copy the worker's memory page by page), and 2 MiB pages."""
    state.WORKER_VM = procs.vm_bytes()  # reading /proc/self/status costs ~1.5 ms: here, not per run
    snapshot.PRISTINE.clear()
    snapshot.take(torch)
    gc.freeze()
    if pages:
        procs.huge_pages()


def _register(torch):
    """torch.func registers its kernels with torch.library on first use: done in the warm-up, since a
    judged run may not register any (see judge.refuse_libraries). CPU only, one thread: the worker stays safe
    to fork."""
    torch.set_num_threads(1)
    m = torch.nn.Linear(2, 1)
    square = lambda t: (t * t).sum()  # noqa: E731
    torch.func.vmap(torch.func.grad(square))(torch.ones(2, 2))
    torch.func.jacrev(torch.sin)(torch.ones(2))
    torch.func.jacfwd(torch.sin)(torch.ones(2))
    torch.func.hessian(square)(torch.ones(2))
    torch.func.functional_call(m, dict(m.named_parameters()), (torch.ones(1, 2),))


def _warm_up(torch):
    """First calls that import a lot lazily (assert_close, gradcheck and optimizers pull in sympy and
    dynamo: 0.3-1 s each). Paid here once, after the first run's reply, instead of in every child. CPU
    only, one thread, so the worker stays safe to fork; children reset seed and settings."""
    torch.testing.assert_close(torch.ones(2), torch.ones(2))
    x = torch.ones(2, dtype=torch.double, requires_grad=True)
    torch.autograd.gradcheck(lambda t: t.exp(), x)
    m = torch.nn.Linear(2, 1)
    opt = torch.optim.SGD(m.parameters(), lr=0.1)
    m(torch.ones(1, 2)).sum().backward()
    opt.step()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        torch.jit.trace(lambda t: t * 2, torch.ones(2))
