"""Background processes yield the CPU to the web: idle scheduling priority and a bounded number of threads."""

import logging
import os

log = logging.getLogger(__name__)


def yield_cpu(threads: int) -> str:
    """Make this process (and the threads it starts later) run only when the CPU is otherwise idle, with at
    most `threads` compute threads for torch and the tokenizers; returns what was done, for the log.

    Call it first thing, before any thread starts: Linux schedules threads, and new ones inherit the policy.
    """
    threads = max(1, threads)
    for name in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "RAYON_NUM_THREADS"):
        os.environ[name] = str(threads)
    os.environ["TOKENIZERS_PARALLELISM"] = "false"  # the tokenizers' own thread pool would ignore the bound
    try:
        os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
        how = "idle scheduling (SCHED_IDLE)"
    except (AttributeError, OSError):  # not Linux: the lowest nice level is the next best thing
        os.nice(19 - os.nice(0))
        how = "nice 19"
    try:
        import torch

        torch.set_num_threads(threads)
    except ImportError:
        pass
    log.info("background priority: %s, %d thread(s)", how, threads)
    return how
