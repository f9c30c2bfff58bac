# SPDX-License-Identifier: MIT
"""The good client decoder (good_consumer.py) with exactly the drift
measured on a real dashboard mapper for this contract, and nothing else:

1. every agent_type is mapped to one default ("worker");
2. progress_update is read from completed_tasks / total_tasks, where the
   contract sends completed / total (progress always 0);
3. the agent is read from ``agent``, where the contract sends agent_id;
4. test_result and correction_attempt have no mapping: every field but the
   envelope (type, project_id, timestamp) is dropped;
5. a progress label is made before validation, which crashes on an
   unexpected null (``progress: null``).

The mapping back to contract names (to_contract) is the good one's.
"""

import good_consumer as good

NAME = "drifted-client-decoder"
__version__ = "0.9.0"
Rejected = good.Rejected

MAP = {t: {attr: ("agent" if wire == "agent_id" else wire)  # fault 3
           for attr, wire in attrs.items()}
       for t, attrs in good.MAP.items()}
MAP["test_result"] = {}  # fault 4
MAP["correction_attempt"] = {}  # fault 4

AGENT_KINDS = {"backend_worker": "backend", "frontend_worker": "frontend", "test_worker": "test"}


def before_validation(msg):
    if "progress" in msg:
        msg["progress_label"] = f"{int(msg['progress'])}%"  # fault 5: int(None) raises


def after_mapping(ev, msg):
    if msg["type"] == "agent_created":
        ev.attrs["kind"] = AGENT_KINDS.get(msg["agent_type"], "worker")  # fault 1
    if msg["type"] == "progress_update":
        ev.attrs["done"] = msg.get("completed_tasks", 0)  # fault 2
        ev.attrs["total"] = msg.get("total_tasks", 0)


decode = good.create_decoder(MAP, {"before_validation": before_validation,
                                   "after_mapping": after_mapping})
