# SPDX-License-Identifier: MIT
# For cfconform fuzz-exec's tests: on a task_* event, a forked child (not the
# process fuzz-exec started) takes 300 MiB; a conforming agent_created (the
# control run's event) costs nothing.
in=$(cat)
case "$in" in
*'"task_'*)
  /usr/bin/python3 -c 'import time; x = bytearray(300 << 20); x[::4096] = b"1" * len(x[::4096]); time.sleep(3)' &
  wait
  ;;
esac
exit 0
