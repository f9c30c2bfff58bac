/* SPDX-License-Identifier: MIT */
/* cfc-demo serve: the demo scenario played to WebSocket clients. */
#ifndef CFC_DEMO_SERVE_H
#define CFC_DEMO_SERVE_H

/* argv[0] is "serve". Returns the exit code (0, 1 a broadcast failed, 2
 * usage or the server could not start). */
int cfc_demo_serve(int argc, char **argv);

#endif
