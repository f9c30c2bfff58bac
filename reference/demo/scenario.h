/* SPDX-License-Identifier: MIT */
/* The demo producer's scenario: a small multi-agent project, played by
 * calling the reference broadcasters. */
#ifndef CFC_DEMO_SCENARIO_H
#define CFC_DEMO_SCENARIO_H

#include "cfc/reference.h"

/* Plays the whole scenario through `manager`. Returns CFC_OK, or the status
 * of the first broadcast that failed (the scenario stops there). */
cfc_status cfc_demo_play(const cfc_manager *manager, int64_t project_id);

#endif
