#!/bin/sh
# SPDX-License-Identifier: MIT
# For tests/test_certify_edges.c: an adapter that starts a daemon.
#
#   daemon.sh TAG ADAPTER [ARGS...]
#
# Starts `sleep TAG` in a session of its own (setsid: it leaves the adapter's
# process group, as a daemon does, and keeps the adapter's stdout open),
# then runs the adapter as a child. TAG is a number unique to the test, so
# the test can look for what is left afterwards.
tag=$1
shift
setsid sleep "$tag" &
"$@"
