"""The Ray a run uses, joined once and shared by its encoding (``RayEngine``) and its exact search
(``ShardedExact``), so that both place their actors on one cluster and one local instance serves both.

``import ray`` happens in ``connect`` only.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from harness.engines import RAY_HINT
from zoo.errors import ZooError

FORWARDED_ENV = ("ZOO_LOAD_PLUGINS", "HF_HUB_OFFLINE", "TRANSFORMERS_OFFLINE")  # to a joined cluster's workers


class RayCluster:
    """The cluster at ``address`` (or ``$RAY_ADDRESS``), else the Ray this process already joined, else a Ray
    instance started here (127.0.0.1, no dashboard, ``workers`` x ``cpus_per_worker`` CPUs) that ``close``
    stops. ``cpus_per_worker`` is decided on connecting where not given: this machine's CPUs divided among
    the workers on an instance started here, 1 on a cluster."""

    def __init__(self, workers: int = 1, address: str | None = None, cpus_per_worker: int | None = None) -> None:
        if workers < 1:
            raise ZooError(f"--workers must be at least 1, got {workers}")
        self.workers = workers
        self.address = address or os.environ.get("RAY_ADDRESS") or None
        self.cpus_per_worker = self._cpus_asked = cpus_per_worker
        self.label = self.address or "local instance"  # what params() record; settled on connecting
        self._ray: Any = None
        self._started = False  # whether close() stops the instance

    @property
    def connected(self) -> bool:
        return self._ray is not None

    @property
    def may_grow(self) -> bool:
        """Whether CPUs may still join: a cluster at an address gains nodes as they start (or as its
        autoscaler adds them); a local instance has what it has."""
        return self.address is not None

    def connect(self) -> Any:
        """The ``ray`` module, joined to this cluster (on the first call; later calls return it at once)."""
        if self._ray is not None:
            return self._ray
        try:
            import ray
        except ImportError as exc:
            raise ZooError(f"Ray is not installed ({exc}): {RAY_HINT}") from None
        if ray.is_initialized():
            self.label = self.address or "the Ray this process had joined"
        else:
            self._init(ray)
        self.cpus_per_worker = self.cpus_per_worker or 1
        self._ray = ray
        return ray

    def close(self) -> None:
        """Stop the instance started here, if any; the cluster may be joined again after."""
        if self._started and self._ray is not None:
            self._ray.shutdown()
        self._ray, self._started = None, False
        self.cpus_per_worker = self._cpus_asked

    def _init(self, ray: Any) -> None:
        quiet = {"logging_level": logging.ERROR, "log_to_driver": False}  # its notices are not the run's
        if self.address is None:
            self.cpus_per_worker = self.cpus_per_worker or max(1, (os.cpu_count() or 1) // self.workers)
            ray.init(
                address="local",
                num_cpus=self.workers * self.cpus_per_worker,
                include_dashboard=False,
                _node_ip_address="127.0.0.1",
                **quiet,
            )
            self._started = True
            return
        env = {name: os.environ[name] for name in FORWARDED_ENV if name in os.environ}
        try:
            ray.init(address=self.address, runtime_env={"env_vars": env} if env else None, **quiet)
        except (ConnectionError, RuntimeError, ValueError) as exc:
            first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
            raise ZooError(
                f"cannot join the Ray cluster at {self.address!r} ({first}): check `ray status` "
                "there, or drop --ray-address (and RAY_ADDRESS) to start a local instance"
            ) from None
