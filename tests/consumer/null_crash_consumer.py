# SPDX-License-Identifier: MIT
"""A consumer that crashes on any null anywhere in an event (it walks the
parsed value and calls a method on every leaf), and reads nothing else:
for tests/test_consumer.c's fuzz phase, which must find the crash and
minimise its reproducer to a few bytes."""

import json

NAME = "null-crash-decoder"


class Rejected(ValueError):
    pass


def walk(v):
    if isinstance(v, dict):
        for x in v.values():
            walk(x)
    elif isinstance(v, list):
        for x in v:
            walk(x)
    else:
        v.__class__.__name__.upper()
        if v is None:
            v.strip()  # AttributeError: the crash


def decode(text, state):
    try:
        msg = json.loads(text)
    except (ValueError, RecursionError) as e:
        raise Rejected(str(e)) from None
    walk(msg)
    raise Rejected("reads nothing")
